import type { ClientRecord } from '#contracts';
import { assertRequestedScopesUsable, InvalidScope, isPersonGrantable, isPrivilegedScope, negotiateScopes, ScopeSet, usableScopes } from '#oauth';

/**
 * Which registered scopes a grant with no person at the moment of use may carry:
 * - `machine` (client_credentials, SMART Backend Services): only privileges
 *   (`system/…`, `introspect`, `launch`, `admin`); `patient/…`, `user/…` and
 *   identity scopes need a person's consent at /authorize, so they are never
 *   granted here;
 * - `delegated` (the RFC 7523 §2.1 JWT bearer grant, for a user an
 *   administrator allowed): what a person could grant (no `system/…`,
 *   `introspect` or `admin`).
 */
export type ScopeAudience = 'machine' | 'delegated';

/**
 * RFC 6749 §3.3: the requested scopes narrowed to what the client
 * registered and may use (trust tiers: a privilege awaiting approval is
 * `invalid_scope` saying so); none requested means all of those. Nothing
 * left is `invalid_scope`.
 */
export function narrowToRegisteredScope(client: ClientRecord, requestedParam: string | undefined, audience: ScopeAudience): string {
  const requested = ScopeSet.parse(requestedParam);
  const fits = audience === 'machine' ? isPrivilegedScope : isPersonGrantable;
  const usable = usableScopes(client).filter(fits);
  // RFC 6749 §3.3: no scope asked means the usable default; only when nothing is usable is a pending privilege the reason given.
  if (!requested.isEmpty()) assertRequestedScopesUsable(client, requested, usable);
  else if (usable.isEmpty()) assertRequestedScopesUsable(client, ScopeSet.parse(client.metadata.scope).filter(fits), usable);
  const granted = requested.isEmpty() ? usable : negotiateScopes(requested, usable).granted;
  if (granted.isEmpty()) {
    throw new InvalidScope(requested.isEmpty() ? 'this client has no registered scope it may use with this grant' : 'none of the requested scopes is allowed for this client with this grant');
  }
  return granted.toString();
}
