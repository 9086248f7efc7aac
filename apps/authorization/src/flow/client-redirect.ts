/**
 * The answers an authorization request sends back to the client's verified
 * redirect URI: the code (RFC 6749 §4.1.2) or the error (§4.1.2.1), both with
 * `state` and `iss` (RFC 9207). The one place either URI is built.
 */

/** An OAuth error as it goes back to the client: `error` and, when there is one, `error_description`. */
export interface ClientError {
  readonly error: string;
  readonly description?: string;
}

/** RFC 6749 §4.1.2: the code, `state` as the client sent it, `iss` (RFC 9207 §2). */
export function codeRedirect(redirectUri: string, code: string, state: string | undefined, issuer: string): string {
  return withQuery(redirectUri, { code, state, iss: issuer });
}

/** RFC 6749 §4.1.2.1: `error`, `error_description`, `state` as the client sent it, `iss` (RFC 9207 §2). */
export function errorRedirect(redirectUri: string, error: ClientError, state: string | undefined, issuer: string): string {
  return withQuery(redirectUri, { error: error.error, error_description: error.description, state, iss: issuer });
}

/**
 * `url` with the given query parameters appended. The existing query is kept
 * exactly as registered (RFC 6749 §3.1.2), not re-encoded: clients that
 * rebuild their redirect URI from the callback URL must get it back byte for byte.
 */
export function withQuery(url: string, params: Record<string, string | undefined>): string {
  const added = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) added.append(name, value);
  const target = new URL(url);
  const extra = added.toString();
  if (extra === '') return target.toString();
  const existing = target.search.slice(1);
  target.search = existing === '' ? extra : `${existing}&${extra}`;
  return target.toString();
}
