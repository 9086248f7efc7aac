import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A server-generated secret with `bytes * 8` bits of entropy, base64url encoded. */
export function generateOpaqueToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** base64url characters whose low bits are zero: the last character of an encoding whose final group is short (RFC 4648 §5, §3.5). */
const LAST_OF_TWO_BYTES = 'AEIMQUYcgkosw048';
const LAST_OF_ONE_BYTE = 'AQgw';

/**
 * Whether `value` could be {@link generateOpaqueToken}`(bytes)`: exactly the
 * length of `bytes` in unpadded base64url, and a last character that encodes
 * no stray bits (a canonical encoding, RFC 4648 §3.5). A pure check, no
 * lookup: lets a service refuse text that cannot be one of its tokens before
 * it asks anyone.
 */
export function isOpaqueTokenShaped(value: string, bytes = 32): boolean {
  const length = Math.ceil((bytes * 4) / 3);
  if (value.length !== length || !/^[A-Za-z0-9_-]+$/.test(value)) return false;
  const remainder = bytes % 3;
  if (remainder === 0) return true;
  return (remainder === 2 ? LAST_OF_TWO_BYTES : LAST_OF_ONE_BYTE).includes(value[length - 1]!);
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
