import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { PublicJwk } from '#contracts';
import type { KeyEncryption } from '#oauth';
import { UndecryptableKeyError } from './undecryptable-key.error.js';

/** Algorithms the ring can hold (RFC 7518 §3.1: RSASSA-PKCS1-v1_5 and ECDSA). */
export const SIGNING_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

/** Private (and symmetric) members of a JWK: RFC 7518 §6.2.2, §6.3.2, §6.4.1. */
const PRIVATE_MEMBERS = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']);

/** RFC 7518 §3.3: RSA keys of at least 2048 bits. */
const RSA_MODULUS_BITS = 2048;

export interface GeneratedKey {
  kid: string;
  alg: SigningAlgorithm;
  publicJwk: PublicJwk;
  privateJwk: JWK;
}

/** What is needed to open a stored private key. */
export interface SealedKey {
  kid: string;
  kekId: string;
  encryptedPrivateJwk: string;
}

/** Strips every private member of a JWK (RFC 7517 §4, RFC 7518 §6). */
export function publicPart(jwk: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(jwk).filter(([member]) => !PRIVATE_MEMBERS.has(member)));
}

/** The JWK as published: bare public members plus `kid`, `alg`, `use` (OIDC Core §10.1, RFC 7517 §4.2). */
export function publishedJwk(jwk: Record<string, unknown>, kid: string, alg: string): PublicJwk {
  return { ...publicPart(jwk), kid, alg, use: 'sig' } as PublicJwk;
}

/** A new signing key pair; `kid` is the RFC 7638 thumbprint of the public key. */
export async function generateSigningKey(alg: SigningAlgorithm): Promise<GeneratedKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true, modulusLength: RSA_MODULUS_BITS });
  const pub = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(pub);
  return {
    kid,
    alg,
    publicJwk: publishedJwk(pub as Record<string, unknown>, kid, alg),
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' },
  };
}

/** The private JWK as stored and distributed: an AES-256-GCM envelope under the primary key-encryption key. */
export function sealPrivateJwk(privateJwk: JWK, encryption: KeyEncryption): { encryptedPrivateJwk: string; kekId: string } {
  return { encryptedPrivateJwk: encryption.encrypt(JSON.stringify(privateJwk)), kekId: encryption.primaryKeyId };
}

/**
 * Opens a stored private key. Throws `UndecryptableKeyError` (naming the kid)
 * when no configured key-encryption key opens it, or when what it holds is not
 * the private half of that kid.
 */
export function openPrivateJwk(key: SealedKey, encryption: KeyEncryption): JWK {
  let jwk: JWK;
  try {
    jwk = JSON.parse(encryption.decrypt(key.encryptedPrivateJwk)) as JWK;
  } catch (err: unknown) {
    throw new UndecryptableKeyError(key.kid, key.kekId, (err as Error).message);
  }
  if (typeof jwk !== 'object' || jwk === null || jwk.kid !== key.kid || typeof jwk.d !== 'string') {
    throw new UndecryptableKeyError(key.kid, key.kekId, 'the envelope does not hold the private key of this kid');
  }
  return jwk;
}
