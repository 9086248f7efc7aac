import { IsIn, IsOptional, IsString, MinLength } from 'class-validator';
import { DatabaseConfig } from '#nest';

export class RegistrationConfig extends DatabaseConfig {
  /** `open`, or `initial-access-token` (RFC 7591 §3: registration protected by a bearer token). */
  @IsIn(['open', 'initial-access-token'])
  REGISTRATION_POLICY = 'open';

  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters' })
  REGISTRATION_INITIAL_ACCESS_TOKEN?: string;

  /** Key-encryption key ring: registration access tokens are kept encrypted under it. */
  @IsString({ message: 'is required: 32-byte key(s), base64 or base64url, comma separated' })
  KEY_ENCRYPTION_KEY: string;

  /** Bootstrap administrator client (scope `admin introspect`). */
  @IsOptional()
  @IsString()
  ADMIN_CLIENT_ID?: string;

  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters' })
  ADMIN_CLIENT_SECRET?: string;
}
