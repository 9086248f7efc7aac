import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A server-generated secret with `bytes * 8` bits of entropy, base64url encoded. */
export function generateOpaqueToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * SHA-256 of a high-entropy secret, hex encoded. Client secrets, registration
 * access tokens and refresh tokens are server-generated with ≥ 256 bits of
 * entropy, so a fast hash is safe and keeps the token path cheap (a password
 * hash would cap throughput at a few hundred requests per second).
 */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Constant-time check of a presented secret against a stored SHA-256 hex hash. */
export function secretMatchesHash(presented: string, storedHashHex: string): boolean {
  const actual = Buffer.from(sha256Hex(presented), 'hex');
  const expected = Buffer.from(storedHashHex, 'hex');
  return expected.length === actual.length && timingSafeEqual(actual, expected);
}
