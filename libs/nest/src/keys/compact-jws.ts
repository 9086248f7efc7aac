import type { KeyObject } from 'node:crypto';
import { CompactSign, compactVerify, decodeProtectedHeader, importJWK, type CryptoKey, type JWK } from 'jose';

/**
 * Compact JWS (RFC 7515 §7.1) for the tokens this suite issues and checks,
 * through jose. Only asymmetric algorithms exist here, and every key is bound
 * to one algorithm when it is imported, so a token can never choose how it is
 * checked (RFC 8725 §3.1).
 */

/** The JWS algorithms the suite signs and verifies with (RFC 7518 §3.1). */
export const JWS_ALGORITHMS: readonly string[] = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512'];

const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A token that is not a well-formed compact JWS, or whose signature or claims do not hold. */
export class InvalidJwt extends Error {
  override readonly name = 'InvalidJwt';
  /**
   * Whether the same text might verify later: a `kid` not (yet) in the ring,
   * an `nbf` or `iat` ahead of the clock. Otherwise (a bad signature, a wrong
   * `alg`, `typ` or `iss`, an expired or malformed token) it never will, and
   * a verifier may remember the refusal.
   */
  readonly transient: boolean;

  constructor(message: string, options: { transient?: boolean } = {}) {
    super(message);
    this.transient = options.transient === true;
  }
}

export interface JwsHeader {
  alg: string;
  kid?: string;
  typ?: string;
  [member: string]: unknown;
}

export function isJwsAlgorithm(alg: unknown): alg is string {
  return typeof alg === 'string' && JWS_ALGORITHMS.includes(alg);
}

function checkAlgorithm(jwk: Record<string, unknown>, alg: string): void {
  if (!isJwsAlgorithm(alg)) throw new InvalidJwt(`unsupported algorithm ${String(alg)}`);
  if (jwk.alg !== undefined && jwk.alg !== alg) throw new InvalidJwt(`the key is for ${String(jwk.alg)}, not ${alg}`);
}

/** A private key for `alg` only (jose refuses the wrong key type, curve, or an RSA key under 2048 bits). */
export async function importPrivateJwk(jwk: Record<string, unknown>, alg: string): Promise<CryptoKey> {
  checkAlgorithm(jwk, alg);
  if (typeof jwk.d !== 'string') throw new InvalidJwt('not a private key');
  return (await importJWK({ ...jwk, alg } as JWK, alg)) as CryptoKey;
}

/** A public key for `alg` only; a JWK carrying private members is refused. */
export async function importPublicJwk(jwk: Record<string, unknown>, alg: string): Promise<CryptoKey> {
  checkAlgorithm(jwk, alg);
  if (PRIVATE_JWK_MEMBERS.some((m) => m in jwk)) throw new InvalidJwt('a public JWK must not carry private members');
  return (await importJWK({ ...jwk, alg } as JWK, alg)) as CryptoKey;
}

/** Signs `payload` as a compact JWS with the protected header given. */
export async function signCompact(header: JwsHeader, payload: Record<string, unknown>, key: CryptoKey): Promise<string> {
  return new CompactSign(encoder.encode(JSON.stringify(payload))).setProtectedHeader(header).sign(key);
}

/** The protected header of a compact JWS, unverified (to pick the key by `kid`). */
export function headerOf(token: string): JwsHeader {
  if (typeof token !== 'string' || token.split('.').length !== 3) throw new InvalidJwt('not a compact JWS');
  try {
    const header = decodeProtectedHeader(token) as JwsHeader;
    if (typeof header.alg !== 'string') throw new InvalidJwt('the header has no alg');
    return header;
  } catch (err: unknown) {
    throw err instanceof InvalidJwt ? err : new InvalidJwt('malformed protected header');
  }
}

/** The payload of a compact JWS whose signature verifies with `key` (imported, or a certificate's public key) under `alg` exactly. */
export async function verifiedPayload(token: string, alg: string, key: CryptoKey | KeyObject): Promise<Record<string, unknown>> {
  let bytes: Uint8Array;
  try {
    ({ payload: bytes } = await compactVerify(token, key, { algorithms: [alg] }));
  } catch {
    throw new InvalidJwt('signature verification failed');
  }
  let payload: unknown;
  try {
    payload = JSON.parse(decoder.decode(bytes));
  } catch {
    throw new InvalidJwt('the payload is not JSON');
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new InvalidJwt('the payload is not a JSON object');
  return payload as Record<string, unknown>;
}

/** Media type comparison of `typ` (RFC 7515 §4.1.9): case-insensitive, `application/` optional. */
export function typMatches(actual: string | undefined, expected: string): boolean {
  if (typeof actual !== 'string') return false;
  const normalise = (t: string) => t.toLowerCase().replace(/^application\//, '');
  return normalise(actual) === normalise(expected);
}
