import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** scrypt parameters (RFC 7914); N=2^15, r=8, p=1 is OWASP's minimum recommendation for scrypt. */
const N = 32768;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;
const MAX_MEMORY = 64 * 1024 * 1024;

function derive(password: string, salt: Buffer, options: ScryptOptions, keyLength = KEY_LENGTH): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, keyLength, { ...options, maxmem: MAX_MEMORY }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** `scrypt$N$r$p$salt$hash` (base64url), so parameters can be raised later without breaking old hashes. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, { N, r: R, p: P });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

const B64URL = /^[A-Za-z0-9_-]+$/;

/**
 * True when `password` matches `stored`. A stored value that is not a hash of
 * ours (wrong format, parameters scrypt refuses or that exceed the memory
 * bound) never matches and never throws.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = typeof stored === 'string' ? stored.split('$') : [];
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = parts.slice(1, 4).map((v) => (/^\d{1,10}$/.test(v!) ? Number(v) : NaN));
  const [salt, hash] = [parts[4]!, parts[5]!];
  // Bounds keep a corrupted row from costing more than a few logins' worth of CPU.
  if (!(n! >= 2 && r! >= 1 && r! <= 32 && p! >= 1 && p! <= 16) || !B64URL.test(salt) || !B64URL.test(hash)) return false;
  const expected = Buffer.from(hash, 'base64url');
  if (expected.length < 16 || expected.length > 64) return false;
  let key: Buffer;
  try {
    key = await derive(password, Buffer.from(salt, 'base64url'), { N: n!, r: r!, p: p! }, expected.length);
  } catch {
    // RFC 7914 §2: N a power of two > 1, r·p < 2^30; and within MAX_MEMORY.
    return false;
  }
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** Spent on unknown usernames so that a miss takes as long as a wrong password (no user enumeration by timing). */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(16).toString('hex'));
  return decoy;
}
