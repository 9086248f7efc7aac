/**
 * RFC 9449 §5.1 `dpop_signing_alg_values_supported`: asymmetric JWS
 * algorithms only (§4.3 item 5: never `none`, never a MAC).
 */
export const DPOP_SIGNING_ALGS: readonly string[] = ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];

/** RFC 9449 §4.3 items 11–12: how far back, and ahead, a proof's `iat` may be. */
export const DPOP_IAT_MAX_AGE_SECONDS = 60;
export const DPOP_IAT_MAX_AHEAD_SECONDS = 5;
