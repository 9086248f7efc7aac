import { readFileSync } from 'node:fs';
import { importJWK, type JWK } from 'jose';
import type * as oidc from 'openid-client';
import { UsageError } from './usage-error.js';

const EC_ALGS: Record<string, string> = { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' };

/** The private JWK in a file's text: a JWK, or a JWK Set whose first private key is taken. */
export function privateJwkOf(text: string, path: string): JWK & { alg: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(`${path} is not JSON (a private JWK or JWK Set is expected)`);
  }
  const candidates: unknown[] = typeof parsed === 'object' && parsed !== null && Array.isArray((parsed as { keys?: unknown }).keys) ? (parsed as { keys: unknown[] }).keys : [parsed];
  const jwk = candidates.find((k): k is JWK => typeof k === 'object' && k !== null && typeof (k as JWK).d === 'string');
  if (!jwk) throw new UsageError(`${path} holds no private key (a JWK with "d")`);
  const alg = jwk.alg ?? (jwk.kty === 'EC' && jwk.crv ? EC_ALGS[jwk.crv] : undefined);
  if (!alg) throw new UsageError(`${path}: the key needs an "alg" (RS384, ES384, …)`);
  return { ...jwk, alg };
}

/** A private key file for private_key_jwt (RFC 7523 §2.2), as openid-client takes it (`kid` from the JWK). */
export async function loadClientKey(path: string): Promise<oidc.PrivateKey> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err: unknown) {
    throw new UsageError(`--private-key ${path} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const jwk = privateJwkOf(text, path);
  let key: Awaited<ReturnType<typeof importJWK>>;
  try {
    key = await importJWK(jwk, jwk.alg);
  } catch (err: unknown) {
    throw new UsageError(`--private-key ${path}: ${(err as Error).message}`);
  }
  if (key instanceof Uint8Array) throw new UsageError(`--private-key ${path}: a symmetric key cannot sign a client assertion`);
  return { key, ...(jwk.kid ? { kid: jwk.kid } : {}) };
}
