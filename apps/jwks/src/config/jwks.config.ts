import { Transform } from 'class-transformer';
import { IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { DatabaseConfig, toInt } from '#nest';

export class JwksConfig extends DatabaseConfig {
  /** Key-encryption key ring (comma separated 32-byte keys): the first encrypts, all decrypt. */
  @IsString({ message: 'is required: 32-byte key(s), base64 or base64url, comma separated' })
  KEY_ENCRYPTION_KEY: string;

  /** Cache-Control max-age of /jwks. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(86400)
  JWKS_MAX_AGE_SECONDS = 300;

  /** Algorithms that always have an active signing key. */
  @Matches(/^(RS256|RS384|RS512|ES256|ES384|ES512)(,(RS256|RS384|RS512|ES256|ES384|ES512))*$/, {
    message: 'must be a comma separated list of RS256 RS384 RS512 ES256 ES384 ES512',
  })
  SIGNING_ALGS = 'ES256,RS256';
}
