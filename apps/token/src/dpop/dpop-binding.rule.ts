import type { ClientRecord } from '#contracts';
import type { VerifiedProof } from '#nest';
import { InvalidDpopProof } from '#oauth';

/**
 * RFC 9449 §5 and §5.2: the key an access token is bound to (`cnf.jkt`), or
 * none for a Bearer token. A client registered with
 * `dpop_bound_access_tokens` never gets a Bearer token: its request without a
 * proof is refused.
 */
export function dpopBindingFor(client: ClientRecord, proof: VerifiedProof | undefined): string | undefined {
  if (proof) return proof.jkt;
  if (client.metadata.dpop_bound_access_tokens === true) {
    throw new InvalidDpopProof('this client is registered with dpop_bound_access_tokens: a DPoP proof is required');
  }
  return undefined;
}

/** RFC 9449 §5 `token_type`. */
export function tokenTypeFor(jkt: string | undefined): 'DPoP' | 'Bearer' {
  return jkt === undefined ? 'Bearer' : 'DPoP';
}
