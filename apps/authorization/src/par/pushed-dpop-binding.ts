import { InvalidDpopProof } from '#oauth';

/**
 * RFC 9449 §10.1: a pushed request's code is bound to the key of the push's DPoP proof, as `dpop_jkt` would bind
 * it; with both, they must name the same key. Returns the thumbprint to bind (or none).
 * @throws InvalidDpopProof when `dpop_jkt` names another key than the proof's.
 */
export function pushedDpopJkt(dpopJktParam: string | undefined, proofJkt: string | undefined): string | undefined {
  if (proofJkt === undefined) return dpopJktParam;
  if (dpopJktParam !== undefined && dpopJktParam !== proofJkt) throw new InvalidDpopProof('dpop_jkt does not match the key of the DPoP proof');
  return proofJkt;
}
