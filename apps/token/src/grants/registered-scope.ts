import type { ClientRecord } from '#contracts';
import { InvalidScope, negotiateScopes, ScopeSet } from '#oauth';

/**
 * RFC 6749 §3.3: the requested scopes narrowed to what the client
 * registered; none requested means all of those. Nothing left is `invalid_scope`.
 */
export function narrowToRegisteredScope(client: ClientRecord, requestedParam: string | undefined): string {
  const requested = ScopeSet.parse(requestedParam);
  const registered = ScopeSet.parse(client.metadata.scope);
  const granted = requested.isEmpty() ? registered : negotiateScopes(requested, registered).granted;
  if (granted.isEmpty()) {
    throw new InvalidScope(requested.isEmpty() ? 'this client has no registered scope' : 'none of the requested scopes is allowed for this client');
  }
  return granted.toString();
}
