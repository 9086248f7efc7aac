// RFC 7591 §2 `jwks`: the public keys a private_key_jwt client registers (RFC 7517).
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import type { JsonWebKeySet } from '#contracts';
import { InvalidClientMetadata } from '../errors/oauth-errors.js';
import { REGISTRATION_LIMITS } from './client-metadata.constants.js';

/** JWK members that only private or symmetric keys carry (RFC 7518 §6.2.2, §6.3.2, §6.4.1; RFC 8037 §2). */
const PRIVATE_JWK_MEMBERS: readonly string[] = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/** Asymmetric key types usable for `private_key_jwt` (RFC 7518 §6.1, RFC 8037 §2). */
const ASYMMETRIC_KEY_TYPES: readonly string[] = ['RSA', 'EC', 'OKP'];

/**
 * RFC 7591 §2 `jwks`: a JWK Set (RFC 7517 §5) of public, asymmetric keys with
 * unique `kid`s, each of which must import as a public key. Returns the set
 * reduced to its `keys` member.
 */
export function checkJwks(jwks: Record<string, unknown>): JsonWebKeySet {
  const keys = jwks['keys'];
  if (!Array.isArray(keys)) throw new InvalidClientMetadata('jwks must be a JWK Set with a "keys" array (RFC 7517 §5)');
  if (keys.length === 0) throw new InvalidClientMetadata('jwks.keys must contain at least one key');
  if (keys.length > REGISTRATION_LIMITS.jwksKeys) {
    throw new InvalidClientMetadata(`jwks.keys must have at most ${REGISTRATION_LIMITS.jwksKeys} entries`);
  }
  if (JSON.stringify(jwks).length > REGISTRATION_LIMITS.jwksJsonLength) {
    throw new InvalidClientMetadata(`jwks must be at most ${REGISTRATION_LIMITS.jwksJsonLength} characters of JSON`);
  }
  const kids = new Set<string>();
  const checked = keys.map((key: unknown, i): Record<string, unknown> => {
    const where = `jwks.keys[${i}]`;
    if (typeof key !== 'object' || key === null || Array.isArray(key)) throw new InvalidClientMetadata(`${where} must be a JSON object (a JWK, RFC 7517 §4)`);
    const jwk = Object.fromEntries(Object.entries(key));
    const { kty, kid } = jwk;
    if (typeof kty !== 'string' || kty === '') throw new InvalidClientMetadata(`${where} must have a "kty" (RFC 7517 §4.1)`);
    if (kty === 'oct') throw new InvalidClientMetadata(`${where} is a symmetric ("oct") key; private_key_jwt needs a public key`);
    if (!ASYMMETRIC_KEY_TYPES.includes(kty)) throw new InvalidClientMetadata(`${where} has an unsupported kty "${kty}"; use RSA, EC or OKP`);
    if (typeof kid !== 'string' || kid === '') throw new InvalidClientMetadata(`${where} must have a "kid" (SMART App Launch: kid is required)`);
    if (kid.length > REGISTRATION_LIMITS.kidLength) throw new InvalidClientMetadata(`${where} "kid" must be at most ${REGISTRATION_LIMITS.kidLength} characters`);
    if (kids.has(kid)) throw new InvalidClientMetadata(`${where} repeats the kid "${kid}"; kids must be unique`);
    kids.add(kid);
    const privateMember = PRIVATE_JWK_MEMBERS.find((member) => Object.hasOwn(jwk, member));
    if (privateMember !== undefined) throw new InvalidClientMetadata(`${where} contains the private key member "${privateMember}"; register public keys only`);
    try {
      createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    } catch {
      throw new InvalidClientMetadata(`${where} (kid "${kid}") is not a valid ${kty} public key`);
    }
    return jwk;
  });
  return { keys: checked };
}
