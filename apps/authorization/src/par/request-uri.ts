import { generateOpaqueToken, sha256Hex } from '#oauth';

/** RFC 9126 §2.2: a `request_uri` this server issues is this URN followed by a random value. */
export const REQUEST_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:';

/** 32 random bytes, base64url (256 bits, RFC 9126 §7.1: the reference must not be guessable). */
const RANDOM_PART = /^[A-Za-z0-9_-]{43}$/;

/** A new `request_uri` and the hash it is stored under (RFC 9126 §2.2; the value itself is never stored). */
export function newRequestUri(): { requestUri: string; idHash: string } {
  const random = generateOpaqueToken(32);
  return { requestUri: `${REQUEST_URI_PREFIX}${random}`, idHash: hashOf(random) };
}

/** Whether a `request_uri` is in the form of a pushed request's reference (RFC 9126 §2.2), whether or not it is known. */
export function isPushedRequestUri(requestUri: string): boolean {
  return requestUri.startsWith(REQUEST_URI_PREFIX);
}

/** The hash a `request_uri` of ours is stored under; null when it cannot be one this server issued. */
export function requestUriHash(requestUri: string): string | null {
  if (!isPushedRequestUri(requestUri)) return null;
  const random = requestUri.slice(REQUEST_URI_PREFIX.length);
  return RANDOM_PART.test(random) ? hashOf(random) : null;
}

function hashOf(random: string): string {
  return sha256Hex(`par:${random}`);
}
