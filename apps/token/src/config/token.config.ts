import { Transform } from 'class-transformer';
import { IsIn, IsInt, Max, Min } from 'class-validator';
import { CommonConfig, IsKeyEncryptionKey, toInt } from '#nest';

export class TokenConfig extends CommonConfig {
  @IsKeyEncryptionKey()
  KEY_ENCRYPTION_KEY: string;

  @IsIn(['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512'])
  ACCESS_TOKEN_ALG = 'ES256';

  /** SMART App Launch 2.2: access tokens should live no longer than an hour. */
  @Transform(toInt)
  @IsInt()
  @Min(30)
  @Max(3600)
  ACCESS_TOKEN_TTL_SECONDS = 3600;

  /** SMART Backend Services: tokens should not live longer than five minutes. */
  @Transform(toInt)
  @IsInt()
  @Min(30)
  @Max(3600)
  CLIENT_CREDENTIALS_TTL_SECONDS = 300;
}
