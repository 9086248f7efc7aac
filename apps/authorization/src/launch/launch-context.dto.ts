import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsObject, IsOptional, IsString, IsUrl, Length, Matches, MaxLength } from 'class-validator';

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

  /**
   * The user the launch is for, by local id or username: only they may open it
   * (recommended; the launch binding, kept beside the context, never in tokens).
   */
  @IsOptional()
  @IsString()
  @Length(1, 128)
  user?: string;

  /** The user the launch is for, by FHIR resource (`Practitioner/123`, or absolute on this server's FHIR base). */
  @IsOptional()
  @IsString()
  @MaxLength(512)
  fhirUser?: string;

  /** The only client that may use the launch (the app the EHR is launching). */
  @IsOptional()
  @IsString()
  @Length(1, 128)
  client_id?: string;

  /** How the launch value is handed back: `opaque` (default). */
  @IsOptional()
  @IsIn(['opaque'])
  format?: 'opaque';
}
