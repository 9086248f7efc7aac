import type { ClientRecord } from '#contracts';

/**
 * Whether a client may start an authorization request only with a pushed one (`request_uri` at `/authorize`):
 * when the server requires it of every client (RFC 9126 §5 `require_pushed_authorization_requests`, `REQUIRE_PAR`)
 * or the client registered it for itself (RFC 9126 §6).
 */
export function pushRequired(client: Pick<ClientRecord, 'metadata'>, serverRequires: boolean): boolean {
  return serverRequires || client.metadata.require_pushed_authorization_requests === true;
}
