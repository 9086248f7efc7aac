import { InvalidRequest } from '#oauth';

/** RFC 7638 SHA-256 thumbprint, base64url without padding: 43 characters. */
const JWK_THUMBPRINT = /^[A-Za-z0-9_-]{43}$/;

/**
 * RFC 9449 §10: `dpop_jkt` at the authorization endpoint (or in a pushed
 * request) binds the code to the key with that thumbprint; the code's
 * redemption needs a proof made with that key (§10.1).
 * @throws InvalidRequest (redirectable) for a value that is not a thumbprint.
 */
export function dpopJktOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!JWK_THUMBPRINT.test(value)) throw new InvalidRequest('dpop_jkt must be the base64url SHA-256 JWK thumbprint (RFC 7638) of the DPoP key');
  return value;
}
