import type { WebResponse } from '#contracts';
import type { OAuthError } from '#oauth';

/** A JSON answer of a forwarded web request (`authorization.v1.web`, `audit.v1.web`), never cached. */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): WebResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', pragma: 'no-cache', ...headers },
    body: JSON.stringify(body),
  };
}

/** An OAuth error (RFC 6749 §5.2, RFC 6750 §3.1) as such an answer: its status, body and headers. */
export function oauthErrorJson(error: OAuthError): WebResponse {
  return jsonResponse(error.status, error.toBody(), error.options.headers ?? {});
}
