// The URIs a client registers: redirect URIs (RFC 6749 §3.1.2, RFC 9700 §2.1,
// RFC 8252 §7), informational URIs and jwks_uri (RFC 7591 §2), and SMART's launch_uri.
import { InvalidClientMetadata, InvalidRedirectUri } from '../errors/oauth-errors.js';
import type { OAuthError } from '../errors/oauth-error.js';

/** RFC 8252 §7.3 loopback redirect: `http://127.0.0.1`, `http://[::1]` or `http://localhost`, any port. */
const LOOPBACK_HTTP_URI = /^http:\/\/(?:127\.0\.0\.1|\[::1\]|localhost)(?::\d{1,5})?(?:[/?]|$)/i;

/** RFC 3986 §3.1 scheme. */
const URI_SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;

/** Anything outside printable ASCII, plus the backslash that WHATWG URL parsing treats as `/`. */
const UNSAFE_URI_CHARACTER = /[^\x21-\x7e]|\\/;

/**
 * A redirect URI (RFC 6749 §3.1.2), registered for exact matching (RFC 9700 §2.1):
 * absolute, no fragment, no wildcard, `https` except RFC 8252 native-app
 * loopback (§7.3) and private-use schemes (§7.1).
 *
 * Problems in `redirect_uris` are `invalid_redirect_uri`; the same rules applied
 * to `post_logout_redirect_uris` give `invalid_client_metadata` (RFC 7591 §3.2.2
 * reserves `invalid_redirect_uri` for the former).
 */
export function checkRedirectUri(field: 'redirect_uris' | 'post_logout_redirect_uris', index: number, uri: string): void {
  const fail = (reason: string): OAuthError => {
    const description = `${field}[${index}] ${reason}`;
    return field === 'redirect_uris' ? new InvalidRedirectUri(description) : new InvalidClientMetadata(description);
  };
  if (uri.length === 0) throw fail('must not be empty');
  if (UNSAFE_URI_CHARACTER.test(uri)) throw fail('must contain only printable ASCII characters and no backslash (RFC 3986 §2)');
  if (uri.includes('*')) throw fail('must not contain wildcards: redirect URIs are matched exactly (RFC 9700 §2.1)');
  if (uri.includes('#')) throw fail('must not contain a fragment (RFC 6749 §3.1.2)');
  const scheme = URI_SCHEME.exec(uri)?.[1]?.toLowerCase();
  const url = parseUrl(uri);
  if (scheme === undefined || url === undefined) throw fail('must be an absolute URI (RFC 6749 §3.1.2)');

  if (scheme === 'https') {
    if (!/^https:\/\/[^/?]/i.test(uri) || url.hostname === '') throw fail('must be an absolute https URI with a host');
    if (url.username !== '' || url.password !== '') throw fail('must not contain user information');
    return;
  }
  if (scheme === 'http') {
    if (LOOPBACK_HTTP_URI.test(uri)) return; // RFC 8252 §7.3 (any port is matched at authorization time)
    throw fail(
      'must use https; http is allowed only for loopback URIs (127.0.0.1, [::1], localhost) of native apps ' +
        '(RFC 9700 §2.6, RFC 8252 §7.3)',
    );
  }
  if (scheme.includes('.')) return; // RFC 8252 §7.1 private-use (reverse domain name) scheme
  throw fail(
    `uses the scheme "${scheme}"; only https, loopback http and private-use schemes such as ` +
      'com.example.app: are allowed (RFC 8252 §7.1)',
  );
}

/** An informational URI (RFC 7591 §2 `client_uri`, `logo_uri`, `tos_uri`, `policy_uri`): absolute http(s). */
export function checkWebUri(field: string, uri: string): void {
  const url = parseUrl(uri);
  if (UNSAFE_URI_CHARACTER.test(uri) || url === undefined || !/^https?:\/\/[^/?#]/i.test(uri) || url.hostname === '') {
    throw new InvalidClientMetadata(`${field} must be an absolute http or https URI (RFC 7591 §2)`);
  }
}

/** RFC 7591 §2 `jwks_uri`: absolute https; http only for loopback hosts (local testing). */
export function checkJwksUri(uri: string): void {
  const url = parseUrl(uri);
  if (UNSAFE_URI_CHARACTER.test(uri) || url === undefined || !/^https?:\/\/[^/?#]/i.test(uri) || url.hostname === '') {
    throw new InvalidClientMetadata('jwks_uri must be an absolute https URI (RFC 7591 §2)');
  }
  if (url.protocol === 'http:' && !LOOPBACK_HTTP_URI.test(uri)) {
    throw new InvalidClientMetadata('jwks_uri must use https (RFC 7591 §2); http is allowed only for loopback hosts');
  }
}

/**
 * SMART App Launch 2.2 §"EHR Launch" `launch_uri`: the URL the EHR opens with
 * `iss` and `launch` appended, so it follows the redirect URI rules for web
 * apps (RFC 6749 §3.1.2): absolute, no fragment (the query is extended), no
 * user information, https; http only on a loopback host (RFC 8252 §7.3, local testing).
 */
export function checkLaunchUri(uri: string): void {
  const fail = (reason: string) => new InvalidClientMetadata(`launch_uri ${reason}`);
  const url = parseUrl(uri);
  if (UNSAFE_URI_CHARACTER.test(uri) || url === undefined || !/^https?:\/\/[^/?#]/i.test(uri) || url.hostname === '') {
    throw fail('must be an absolute https URI (SMART App Launch 2.2 §"EHR Launch")');
  }
  if (uri.includes('#')) throw fail('must not contain a fragment: the EHR appends iss and launch to its query (RFC 6749 §3.1.2)');
  if (url.username !== '' || url.password !== '') throw fail('must not contain user information');
  if (url.protocol === 'http:' && !LOOPBACK_HTTP_URI.test(uri)) {
    throw fail('must use https; http is allowed only for loopback hosts (127.0.0.1, [::1], localhost)');
  }
}

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}
