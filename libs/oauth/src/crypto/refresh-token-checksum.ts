import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { isOpaqueTokenShaped } from './opaque-token.js';

/** Random bytes of a refresh token: 192 bits, above RFC 6749 §10.10's 2^-160 guessing bound. */
export const REFRESH_TOKEN_RANDOM_BYTES = 24;
/** Bytes of the keyed checksum that follow them: a forger's guess passes once in 2^64. */
export const REFRESH_TOKEN_CHECKSUM_BYTES = 8;
/** The whole token: 32 bytes, 43 base64url characters, the shape refresh tokens have always had. */
const TOKEN_BYTES = REFRESH_TOKEN_RANDOM_BYTES + REFRESH_TOKEN_CHECKSUM_BYTES;

/**
 * Refresh tokens that say themselves whether this server made them (issue #14:
 * introspection must answer forged and garbage tokens as fast as valid ones,
 * and a refresh token is otherwise known only by a database lookup).
 *
 * A token is 24 random bytes followed by the first 8 bytes of
 * HMAC-SHA-256(key, those bytes), base64url encoded: 43 characters, as
 * before. Text without a matching checksum was not issued here and is
 * answered without asking the database; text with one is looked up as
 * always, so the checksum only filters, it never vouches: the key lets no one
 * use a token, only skip the filter (a leaked key costs lookups, not access).
 * The comparison is constant-time all the same, so the filter does not tell
 * a forger how close a guess came.
 */
export class RefreshTokenChecksum {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('a refresh-token checksum key must be exactly 32 bytes');
    this.key = Buffer.from(key);
  }

  /** A new key for a deployment (kept by the authorization service, shared with introspection). */
  static generateKey(): Buffer {
    return randomBytes(32);
  }

  private checksum(random: Buffer): Buffer {
    return createHmac('sha256', this.key).update(random).digest().subarray(0, REFRESH_TOKEN_CHECKSUM_BYTES);
  }

  /** A new refresh token. */
  issue(): string {
    const random = randomBytes(REFRESH_TOKEN_RANDOM_BYTES);
    return Buffer.concat([random, this.checksum(random)]).toString('base64url');
  }

  /** Whether `token` is of the refresh-token shape and carries this key's checksum. */
  carries(token: string): boolean {
    if (!isOpaqueTokenShaped(token, TOKEN_BYTES)) return false;
    const bytes = Buffer.from(token, 'base64url');
    const random = bytes.subarray(0, REFRESH_TOKEN_RANDOM_BYTES);
    return timingSafeEqual(bytes.subarray(REFRESH_TOKEN_RANDOM_BYTES), this.checksum(random));
  }
}

/**
 * The rule a service applies before looking a presented refresh token up:
 * refresh tokens issued before the checksum existed (an upgraded database)
 * carry none and stay in force until `legacyUntil`, the latest expiry among
 * them, recorded when the checksum was introduced; until then every token
 * of the right shape is looked up, afterwards only those with the checksum.
 */
export function mayBeIssuedRefreshToken(token: string, checksum: RefreshTokenChecksum, legacyUntil: number | null, now = Date.now()): boolean {
  if (legacyUntil !== null && now < legacyUntil) return isOpaqueTokenShaped(token, TOKEN_BYTES);
  return checksum.carries(token);
}
