import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { PublicJwk } from '#contracts';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

export interface GeneratedKey {
  kid: string;
  alg: string;
  publicJwk: PublicJwk;
  privateJwk: JWK;
}

/** Strips every private member of a JWK (RFC 7517 §4, RFC 7518 §6). */
export function publicPart(jwk: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(jwk).filter(([k]) => !PRIVATE_MEMBERS.includes(k)));
}

/** A new signing key pair; `kid` is the RFC 7638 thumbprint of the public key. */
export async function generateSigningKey(alg: string): Promise<GeneratedKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true, modulusLength: 2048 });
  const pub = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(pub);
  const publicJwk = { ...pub, kid, alg, use: 'sig' } as PublicJwk;
  const privateJwk: JWK = { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' };
  return { kid, alg, publicJwk, privateJwk };
}
