import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateIf, ValidateNested } from 'class-validator';

export const USERNAME = /^[A-Za-z0-9._@-]{1,128}$/;
/** Relative FHIR reference to the person: `Patient/123`, `Practitioner/456`, `RelatedPerson/7`, `Person/8`. */
export const FHIR_USER = /^(Patient|Practitioner|PractitionerRole|RelatedPerson|Person)\/[A-Za-z0-9.-]{1,64}$/;
export const FHIR_ID = /^[A-Za-z0-9.-]{1,64}$/;

export class PatientEntryDto {
  @Matches(FHIR_ID, { message: 'id must be a FHIR id (letters, digits, "-" and ".", up to 64)' })
  id: string;

  @IsString()
  @MinLength(1)
  @MaxLength(256)
  name: string;

  @IsOptional()
  @Matches(/^\d{4}(-\d{2}(-\d{2})?)?$/, { message: 'birthDate must be a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD)' })
  birthDate?: string;
}

/** POST /admin/users */
export class CreateUserDto {
  @Matches(USERNAME, { message: 'username must be 1 to 128 letters, digits, ".", "_", "@" or "-"' })
  username: string;

  @IsString()
  @MinLength(8, { message: 'password must be at least 8 characters' })
  @MaxLength(256)
  password: string;

  @IsString()
  @MinLength(1)
  @MaxLength(256)
  display_name: string;

  @IsOptional()
  @Matches(FHIR_USER, { message: 'fhirUser must be a relative reference such as Patient/123 or Practitioner/456' })
  fhirUser?: string;

  /** For practitioners: the patients they may open in the patient picker. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => PatientEntryDto)
  patients?: PatientEntryDto[];

  @IsOptional()
  @IsBoolean()
  disabled?: boolean;

  /** May sign in to the grant administration page (/admin). */
  @IsOptional()
  @IsBoolean()
  admin?: boolean;
}

/** Validate a member whenever it is sent, `null` included (`@IsOptional` would let `null` through). */
const present = (_: object, value: unknown): boolean => value !== undefined;

/**
 * PATCH/PUT /admin/users/:id — every field optional; `disabled: true` disables the account and ends its sessions.
 * Absent means unchanged; `null` is refused (it would blank a required field), except for `fhirUser`.
 */
export class UpdateUserDto {
  @ValidateIf(present)
  @IsString()
  @MinLength(8, { message: 'password must be at least 8 characters' })
  @MaxLength(256)
  password?: string;

  @ValidateIf(present)
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  display_name?: string;

  /** `null` removes the link to a FHIR resource. */
  @IsOptional()
  @Matches(FHIR_USER, { message: 'fhirUser must be a relative reference such as Patient/123 or Practitioner/456' })
  fhirUser?: string | null;

  @ValidateIf(present)
  @IsArray()
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => PatientEntryDto)
  patients?: PatientEntryDto[];

  @ValidateIf(present)
  @IsBoolean()
  disabled?: boolean;

  @ValidateIf(present)
  @IsBoolean()
  admin?: boolean;
}

/** PUT /admin/users/:id/jwt-bearer-clients: the clients allowed to act for the user (RFC 7523 §2.1). */
export class JwtBearerClientsDto {
  @IsArray()
  @ArrayMaxSize(100)
  @Matches(/^[A-Za-z0-9._~-]{1,128}$/, { each: true, message: 'client_ids must be client ids' })
  client_ids: string[];
}
