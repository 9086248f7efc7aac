import { createPublicKey, type JsonWebKey as NodeJwk } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { JsonWebKeySet } from '#contracts';
import { InvalidClientMetadata } from '#oauth';

/** Members of a public JWK worth keeping (RFC 7517 §4, RFC 7518 §6). */
const PUBLIC_MEMBERS = ['kty', 'crv', 'x', 'y', 'n', 'e', 'kid', 'alg', 'use', 'key_ops', 'x5c', 'x5t', 'x5t#S256'];
/** Members only a private key has. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];

/**
 * The app directory's "public key" paste (issue #16): a PEM public key
 * (SPKI, `-----BEGIN PUBLIC KEY-----`), a JWK, or a JWK Set, as the JWK Set
 * to register as `jwks` (RFC 7591 §2). Keys without a `kid` get their RFC
 * 7638 thumbprint. A private key is refused, never stored.
 *
 * @throws InvalidClientMetadata when the text is none of these.
 */
export async function jwksOfPastedKey(text: string): Promise<JsonWebKeySet> {
  const trimmed = text.trim();
  if (/PRIVATE KEY-----/.test(trimmed)) throw new InvalidClientMetadata('public_key: paste the public key, never the private key');
  let keys: Array<Record<string, unknown>>;
  if (trimmed.startsWith('-----BEGIN')) {
    try {
      keys = [createPublicKey({ key: trimmed, format: 'pem' }).export({ format: 'jwk' }) as NodeJwk as Record<string, unknown>];
    } catch {
      throw new InvalidClientMetadata('public_key: the PEM text is not a public key');
    }
  } else {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new InvalidClientMetadata('public_key must be a PEM public key, a JWK or a JWK Set');
    }
    const set = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && Array.isArray((parsed as { keys?: unknown }).keys) ? (parsed as { keys: unknown[] }).keys : [parsed];
    if (set.length === 0 || set.length > 10) throw new InvalidClientMetadata('public_key: give 1 to 10 keys');
    keys = set.map((key) => {
      if (typeof key !== 'object' || key === null || Array.isArray(key) || typeof (key as { kty?: unknown }).kty !== 'string') {
        throw new InvalidClientMetadata('public_key: every key must be a JWK object with "kty"');
      }
      return key as Record<string, unknown>;
    });
  }
  return { keys: await Promise.all(keys.map(publicJwk)) };
}

async function publicJwk(key: Record<string, unknown>): Promise<Record<string, unknown>> {
  if (PRIVATE_MEMBERS.some((m) => key[m] !== undefined)) throw new InvalidClientMetadata('public_key: paste the public key, never the private key');
  if (key.kty !== 'EC' && key.kty !== 'RSA' && key.kty !== 'OKP') throw new InvalidClientMetadata('public_key: only EC, RSA and OKP keys can sign client assertions');
  const kept: Record<string, unknown> = {};
  for (const member of PUBLIC_MEMBERS) if (key[member] !== undefined) kept[member] = key[member];
  if (typeof kept.kid !== 'string') {
    try {
      kept.kid = await calculateJwkThumbprint(kept as JWK, 'sha256');
    } catch {
      throw new InvalidClientMetadata('public_key: the key is incomplete');
    }
  }
  return kept;
}
