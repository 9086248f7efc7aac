import { KeyObject, sign as signWithNode } from 'node:crypto';
import { compactVerify, decodeProtectedHeader, importJWK, type CryptoKey, type JWK } from 'jose';

/**
 * Compact JWS (RFC 7515 §7.1) for the tokens this suite issues and checks.
 * Only asymmetric algorithms exist here, and every key is bound to one
 * algorithm when it is imported, so a token can never choose how it is
 * checked (RFC 8725 §3.1). Keys are imported, and every signature verified,
 * by jose; the signature of the tokens this suite issues is made by
 * node:crypto's synchronous `sign()` with the same key (see {@link signCompact}).
 */

/** The JWS algorithms the suite signs and verifies with (RFC 7518 §3.1). */
export const JWS_ALGORITHMS: readonly string[] = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512'];

const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
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

/** What a key must be for each algorithm (RFC 7518 §3.3, §3.4): WebCrypto's name, the hash, and the curve of EC keys. */
const SIGNATURES: Readonly<Record<string, { name: string; hash: string; curve?: string }>> = {
  RS256: { name: 'RSASSA-PKCS1-v1_5', hash: 'sha256' },
  RS384: { name: 'RSASSA-PKCS1-v1_5', hash: 'sha384' },
  RS512: { name: 'RSASSA-PKCS1-v1_5', hash: 'sha512' },
  ES256: { name: 'ECDSA', hash: 'sha256', curve: 'P-256' },
  ES384: { name: 'ECDSA', hash: 'sha384', curve: 'P-384' },
  ES512: { name: 'ECDSA', hash: 'sha512', curve: 'P-521' },
};

/** Each imported private key as node:crypto's KeyObject, made once. */
const nodeKeys = new WeakMap<CryptoKey, KeyObject>();

function nodeKeyFor(key: CryptoKey, alg: string): KeyObject {
  const wanted = SIGNATURES[alg];
  const algorithm = key.algorithm as { name: string; namedCurve?: string; hash?: { name: string } };
  const fits =
    wanted !== undefined &&
    key.type === 'private' &&
    key.usages.includes('sign') &&
    algorithm.name === wanted.name &&
    (wanted.curve ? algorithm.namedCurve === wanted.curve : algorithm.hash?.name.replace('-', '').toLowerCase() === wanted.hash);
  if (!fits) throw new InvalidJwt(`the key cannot sign ${alg}`);
  let nodeKey = nodeKeys.get(key);
  if (!nodeKey) nodeKeys.set(key, (nodeKey = KeyObject.from(key)));
  return nodeKey;
}

/**
 * Signs `payload` as a compact JWS with the protected header given, with a
 * private key jose imported. The signature itself is node:crypto's
 * synchronous `sign()` (ECDSA as R‖S, RFC 7518 §3.4; RSASSA-PKCS1-v1_5,
 * §3.3) on the same key: 2.5 times jose's rate through WebCrypto on the
 * reference machine (27,100 against 10,900 ES256 signatures a second, issue
 * #20), and the access token's signature is the token path's largest cost.
 * jose checks every signature made here in the specs.
 */
export async function signCompact(header: JwsHeader, payload: Record<string, unknown>, key: CryptoKey): Promise<string> {
  const nodeKey = nodeKeyFor(key, header.alg);
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  const signature = signWithNode(SIGNATURES[header.alg]!.hash, Buffer.from(input), { key: nodeKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
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
