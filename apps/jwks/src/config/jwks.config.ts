import { Transform } from 'class-transformer';
import { IsInt, Matches, Max, Min } from 'class-validator';
import { DatabaseConfig, IsKeyEncryptionKey, toInt } from '#nest';

const ALG = '(RS256|RS384|RS512|ES256|ES384|ES512)';

/** `ES256, RS256` reads as `ES256,RS256`. */
const compactList = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.replace(/\s+/g, '') : value);

export class JwksConfig extends DatabaseConfig {
  /**
   * Key-encryption key ring: comma separated 32-byte keys, base64 or
   * base64url. The first encrypts, all decrypt. No default: a secret.
   */
  @IsKeyEncryptionKey()
  KEY_ENCRYPTION_KEY: string;

  /** Cache-Control max-age of /jwks, in seconds. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(86400)
  JWKS_MAX_AGE_SECONDS = 300;

  /** Algorithms that always have an active signing key. */
  @Transform(compactList)
  @Matches(new RegExp(`^${ALG}(,${ALG})*$`), { message: 'must be a comma separated list of RS256 RS384 RS512 ES256 ES384 ES512' })
  SIGNING_ALGS = 'ES256,RS256';
}
