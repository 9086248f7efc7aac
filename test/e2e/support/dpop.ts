import { createHmac, randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { RunningSuite } from '#testing';
import { tokenRequest, type Reply } from './http.js';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

/**
 * Hand-made DPoP proofs (RFC 9449 §4.2), for the cases a strict client library refuses to make: each can be
 * bent in one way (header, claims, key, algorithm) so a test shows the server refuses exactly that.
 */
export class ProofMaker {
  private constructor(
    readonly publicJwk: JWK,
    readonly privateJwk: JWK,
    private readonly privateKey: CryptoKey,
    private readonly htu: string,
  ) {}

  static async create(suite: RunningSuite): Promise<ProofMaker> {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    return new ProofMaker(await exportJWK(publicKey), await exportJWK(privateKey), privateKey, `${suite.issuer}/token`);
  }

  /** The claims of a fresh proof for POST /token. */
  claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return { jti: randomUUID(), htm: 'POST', htu: this.htu, iat: now(), ...overrides };
  }

  /** A proof signed with ES256, its header and claims overridden as given. */
  proof(options: { header?: Record<string, unknown>; claims?: Record<string, unknown> } = {}): Promise<string> {
    return new SignJWT(this.claims(options.claims)).setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: this.publicJwk, ...options.header }).sign(this.privateKey);
  }

  /** `alg: none`: no signature at all. */
  unsigned(): string {
    return `${b64({ alg: 'none', typ: 'dpop+jwt', jwk: this.publicJwk })}.${b64(this.claims())}.`;
  }

  /** HS256 with a symmetric key in the header. */
  hmac(): string {
    const input = `${b64({ alg: 'HS256', typ: 'dpop+jwt', jwk: { kty: 'oct', k: Buffer.from('secret').toString('base64url') } })}.${b64(this.claims())}`;
    return `${input}.${createHmac('sha256', 'secret').update(input).digest('base64url')}`;
  }
}

/** POST /token with the `DPoP` header given (none when undefined). */
export function dpopTokenRequest(suite: RunningSuite, params: Record<string, string>, proof: string | undefined, headers: Record<string, string> = {}): Promise<Reply> {
  return tokenRequest(suite, params, { ...headers, ...(proof === undefined ? {} : { dpop: proof }) });
}

/**
 * POST /token with each proof in a `DPoP` header of its own (fetch would join them into one): node:http sends
 * a header given as an array as repeated header lines.
 */
export function tokenRequestWithHeaders(suite: RunningSuite, params: Record<string, string>, proofs: string[], authorization: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const body = new URLSearchParams(params).toString();
  return new Promise((resolve, reject) => {
    const req = request(`${suite.baseUrl}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), authorization, dpop: proofs } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
