import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsObject, IsOptional, IsString, IsUrl, Matches, MaxLength } from 'class-validator';

const FHIR_ID = /^[A-Za-z0-9.-]{1,64}$/;

/** POST /launch (JSON or form): the context an EHR hands to the app it launches (SMART App Launch 2.x §"Launch context"). */
export class CreateLaunchDto {
  @Matches(FHIR_ID, { message: 'patient must be a FHIR Patient id' })
  patient: string;

  @IsOptional()
  @Matches(FHIR_ID, { message: 'encounter must be a FHIR Encounter id' })
  encounter?: string;

  /** SMART 2.x fhirContext: objects with `reference`, `canonical` or `identifier` (checked in the service). */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsObject({ each: true })
  fhirContext?: Array<Record<string, unknown>>;

  @IsOptional()
  @IsString()
  @MaxLength(256)
  intent?: string;

  @IsOptional()
  @IsBoolean()
  need_patient_banner?: boolean;

  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] }, { message: 'smart_style_url must be an absolute http(s) URL' })
  @MaxLength(2048)
  smart_style_url?: string;

  /** How the launch value is handed back: `opaque` (default). */
  @IsOptional()
  @IsIn(['opaque'])
  format?: 'opaque';
}
