import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { DatabaseConfig, toInt } from '#nest';

export class AuthorizationConfig extends DatabaseConfig {
  /** Authorization codes live at most 60 s (CONFORMANCE: short-lived codes, RFC 6749 §4.1.2 recommends ≤ 10 min). */
  @Transform(toInt)
  @IsInt()
  @Min(5)
  @Max(60)
  AUTHORIZATION_CODE_TTL_SECONDS = 60;

  /** How long a login/consent interaction may take before the person must start over. */
  @Transform(toInt)
  @IsInt()
  @Min(60)
  @Max(3600)
  INTERACTION_TTL_SECONDS = 900;

  /** Lifetime of the login session cookie (and of `online_access` refresh tokens bound to it). */
  @Transform(toInt)
  @IsInt()
  @Min(300)
  @Max(7 * 24 * 3600)
  SESSION_TTL_SECONDS = 8 * 3600;

  /** Lifetime of an `offline_access` refresh token; every rotation starts a new one. */
  @Transform(toInt)
  @IsInt()
  @Min(3600)
  @Max(365 * 24 * 3600)
  REFRESH_TOKEN_TTL_SECONDS = 90 * 24 * 3600;

  /** Lifetime of an EHR launch context created with POST /launch. */
  @Transform(toInt)
  @IsInt()
  @Min(30)
  @Max(3600)
  LAUNCH_TTL_SECONDS = 300;

  /** Failed logins per username within the window before that username is locked for the window. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  LOGIN_MAX_FAILURES_PER_USER = 5;

  /** Failed logins per client address within the window before that address is locked for the window. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100000)
  LOGIN_MAX_FAILURES_PER_ADDRESS = 30;

  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(24 * 3600)
  LOGIN_THROTTLE_WINDOW_SECONDS = 900;

  /**
   * Origins of EHRs allowed to frame the pages (CSP `frame-ancestors`), space
   * or comma separated. Empty: no framing at all (`X-Frame-Options: DENY`).
   */
  @IsOptional()
  @Matches(/^\s*(https?:\/\/[A-Za-z0-9.-]+(:\d+)?)([\s,]+https?:\/\/[A-Za-z0-9.-]+(:\d+)?)*\s*$/, { message: 'must be http(s) origins, space or comma separated' })
  EHR_ORIGINS?: string;

  /** SMART styling JSON for the pages and `smart_style_url` (a JSON object; see docs). */
  @IsOptional()
  @IsString()
  SMART_STYLE_JSON?: string;

  /** Seed the demo users and patients (embedded development mode turns this on). */
  @IsIn(['true', 'false'])
  SEED_DEMO_DATA = 'false';
}
