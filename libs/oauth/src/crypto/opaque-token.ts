import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A server-generated secret with `bytes * 8` bits of entropy, base64url encoded. */
export function generateOpaqueToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** Identifiers drawn from one pool at a time: 256 of 16 bytes. */
const ID_POOL_BYTES = 4096;
let idPool = Buffer.alloc(0);
let idOffset = 0;

/**
 * A unique identifier of `bytes * 8` random bits, base64url encoded (a `jti`).
 * The bytes come from the CSPRNG 4 KiB at a time and each is used once, as
 * `crypto.randomUUID` does: one call into OpenSSL per identifier cost about
 * 6% of the token service's CPU. Not for secrets (they stay out of any pool
 * kept in memory): use generateOpaqueToken.
 */
export function uniqueId(bytes = 16): string {
  if (bytes > ID_POOL_BYTES) return randomBytes(bytes).toString('base64url');
  if (idOffset + bytes > idPool.length) {
    idPool = randomBytes(ID_POOL_BYTES);
    idOffset = 0;
  }
  const id = idPool.toString('base64url', idOffset, idOffset + bytes);
  idOffset += bytes;
  return id;
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
