import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { DatabaseConfig, toInt } from '#nest';

export class RegistrationConfig extends DatabaseConfig {
  /** `open`, or `initial-access-token` (RFC 7591 §3: registration protected by a bearer token). */
  @IsIn(['open', 'initial-access-token'])
  REGISTRATION_POLICY = 'open';

  /** The bearer token POST /register must present under the `initial-access-token` policy. */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters' })
  REGISTRATION_INITIAL_ACCESS_TOKEN?: string;

  /** Bootstrap administrator client (scope `admin introspect`); set with ADMIN_CLIENT_SECRET. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9._~-]{1,128}$/, { message: 'must be 1 to 128 letters, digits, ".", "_", "~" or "-"' })
  ADMIN_CLIENT_ID?: string;

  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters' })
  ADMIN_CLIENT_SECRET?: string;

  /** Clients as code: a YAML file of client registrations reconciled at start, on SIGHUP and on the reload interval. */
  @IsOptional()
  @IsString()
  CLIENTS_FILE?: string;

  /** Delete the clients an earlier CLIENTS_FILE declared and the current one does not (never registered clients). */
  @IsIn(['true', 'false'])
  CLIENTS_PRUNE = 'false';

  /** Check CLIENTS_FILE (and the secret files it names) this often and apply it when it changed. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86400)
  CLIENTS_RELOAD_INTERVAL_SECONDS?: number;
}
