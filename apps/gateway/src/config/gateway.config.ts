import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsString, Max, Min } from 'class-validator';
import { CommonConfig, toInt } from '#nest';

export class GatewayConfig extends CommonConfig {
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT = 8080;

  @IsString()
  HOST = '0.0.0.0';

  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(10 * 1024 * 1024)
  BODY_LIMIT_BYTES = 65536;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  DISCOVERY_CACHE_MS = 5000;

  /** `Retry-After` (seconds) of every 503 the suite answers that does not name its own (RFC 9110 §10.2.3). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3600)
  RETRY_AFTER_SECONDS = 1;

  /** Trust X-Forwarded-* from a reverse proxy in front (RFC 9700 §4.13: only when that proxy sanitises them). */
  @IsIn(['true', 'false'])
  TRUST_PROXY = 'false';
}
