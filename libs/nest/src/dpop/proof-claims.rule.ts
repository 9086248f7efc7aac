import { DPOP_IAT_MAX_AGE_SECONDS, DPOP_IAT_MAX_AHEAD_SECONDS } from './dpop-signing-algs.js';
import { DpopProofRejected } from './dpop-proof.rejected.js';
import { htuMatches } from './htu-match.rule.js';

const MAX_JTI_LENGTH = 256;

/** The request a proof must be for: its method and the public URL of the endpoint. */
export interface ProofTarget {
  method: string;
  url: string;
}

/**
 * RFC 9449 §4.3 items 3, 8–9, 11–12 on the (verified) payload: the claims are
 * there (`jti`, `htm`, `htu`, `iat`), `htm` is the method, `htu` the
 * endpoint's URL, `iat` within the window. Returns the `jti`.
 */
export function checkProofClaims(claims: Record<string, unknown>, target: ProofTarget, now = Math.floor(Date.now() / 1000)): string {
  const { jti, htm, htu, iat } = claims;
  // §4.2: jti, htm, htu, iat are required.
  if (typeof jti !== 'string' || jti === '' || jti.length > MAX_JTI_LENGTH) throw new DpopProofRejected(`jti is required (at most ${MAX_JTI_LENGTH} characters)`);
  // §4.3 item 8.
  if (htm !== target.method) throw new DpopProofRejected(`htm must be ${target.method}`);
  // §4.3 item 9.
  if (!htuMatches(htu, target.url)) throw new DpopProofRejected(`htu must be ${target.url}`);
  // §4.3 item 11: iat within an acceptable window (§11.1).
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw new DpopProofRejected('iat is required');
  if (iat < now - DPOP_IAT_MAX_AGE_SECONDS) throw new DpopProofRejected('the proof is too old (iat)');
  if (iat > now + DPOP_IAT_MAX_AHEAD_SECONDS) throw new DpopProofRejected('iat is in the future');
  return jti;
}
