import type { JWK } from 'jose';
import { DPOP_SIGNING_ALGS } from './dpop-signing-algs.js';
import { DpopProofRejected } from './dpop-proof.rejected.js';

/** RFC 7517/7518: members that make a JWK private (or symmetric). */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const ASYMMETRIC_KTYS = ['EC', 'RSA', 'OKP'];

export interface ProofHeader {
  alg: string;
  jwk: JWK;
}

/**
 * RFC 9449 §4.3 items 4–7 on the protected header: `typ` is `dpop+jwt`,
 * `alg` an asymmetric algorithm we support (not `none`, not a MAC), and `jwk`
 * a public key (no private members).
 */
export function checkProofHeader(header: Record<string, unknown>): ProofHeader {
  // §4.3 item 4 (§4.2: typ is exactly dpop+jwt).
  if (header.typ !== 'dpop+jwt') throw new DpopProofRejected('typ must be dpop+jwt');
  const alg = header.alg;
  // §4.3 item 5.
  if (typeof alg !== 'string' || !DPOP_SIGNING_ALGS.includes(alg)) {
    throw new DpopProofRejected(`alg must be one of ${DPOP_SIGNING_ALGS.join(', ')}`);
  }
  const jwk = header.jwk;
  // §4.3 item 7: a public key.
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw new DpopProofRejected('the header must carry the public key as jwk');
  const members = jwk as Record<string, unknown>;
  if (typeof members.kty !== 'string' || !ASYMMETRIC_KTYS.includes(members.kty)) throw new DpopProofRejected('jwk must be an asymmetric public key');
  if (PRIVATE_JWK_MEMBERS.some((m) => m in members)) throw new DpopProofRejected('jwk must not carry private key members');
  return { alg, jwk: members as JWK };
}
