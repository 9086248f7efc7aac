import { ScopeSet } from '#oauth';

/**
 * An `online_access` grant without `offline_access`: its refresh tokens live
 * only as long as the login session they were issued in (SMART App Launch
 * 2.2 §"Scopes for requesting a refresh token").
 */
export function isOnlineOnly(scope: string): boolean {
  const scopes = ScopeSet.parse(scope);
  return scopes.has('online_access') && !scopes.has('offline_access');
}
