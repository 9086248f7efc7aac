import { Transform } from 'class-transformer';
import { Matches } from 'class-validator';
import { HousekeepingConfig, IsKeyEncryptionKey, IntegerSetting } from '#nest';
import { DURATION } from './duration.js';

const ALG = '(RS256|RS384|RS512|ES256|ES384|ES512)';

/** `ES256, RS256` reads as `ES256,RS256`. */
const compactList = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.replace(/\s+/g, '') : value);

export class JwksConfig extends HousekeepingConfig {
  /**
   * Key-encryption key ring: comma separated 32-byte keys, base64 or
   * base64url. The first encrypts, all decrypt. No default: a secret.
   */
  @IsKeyEncryptionKey()
  KEY_ENCRYPTION_KEY: string;

  /**
   * Cache-Control max-age of /jwks, in seconds, and so the pre-publication
   * window: a `next` key is in /jwks at least this long before it signs.
   */
  @IntegerSetting(0, 86400)
  JWKS_MAX_AGE_SECONDS = 300;

  /** Algorithms that always have an active signing key. */
  @Transform(compactList)
  @Matches(new RegExp(`^${ALG}(,${ALG})*$`), { message: 'must be a comma separated list of RS256 RS384 RS512 ES256 ES384 ES512' })
  SIGNING_ALGS = 'ES256,RS256';

  /** How long a key signs before the scheduled rotation replaces it: `30d`, `12h`, `15m`, `90s` or seconds. */
  @Matches(DURATION, { message: 'must be a duration: seconds, or a number followed by s, m, h or d (30d, 12h, 90s)' })
  KEY_ROTATION_INTERVAL = '30d';

  /** How often a replica checks whether a rotation or a removal is due, in milliseconds (also sooner when one is due sooner). */
  @IntegerSetting(100, 3_600_000)
  KEY_ROTATION_CHECK_MS = 60_000;

  /**
   * The longest lifetime of a token signed with a ring key, in seconds (access
   * tokens and ID tokens: the token service's *_TTL_SECONDS). A retired key
   * stays published this long plus CLOCK_SKEW_SECONDS.
   */
  @IntegerSetting(1, 86400)
  MAX_TOKEN_LIFETIME_SECONDS = 3600;

  /** Clock skew verifiers allow on `exp` (PublicKeyRing allows 30 s), in seconds. */
  @IntegerSetting(0, 3600)
  CLOCK_SKEW_SECONDS = 60;
}
