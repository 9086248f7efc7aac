import type { AuthorizedGrant } from '#contracts';
import { InvalidGrant } from '#oauth';
import type { GrantEntity } from '../persistence/entities/grant.entity.js';
import type { GrantUser } from '../persistence/grant.store.js';
import { grantContextClaims } from './grant-context.js';

/** What a redeemed code or a rotated refresh token stands for, before it is said to the token service. */
export interface GrantUse {
  grant: Pick<GrantEntity, 'id' | 'clientId' | 'context'>;
  user: GrantUser | null;
  /** What the tokens grant: the grant's scope, or less on a narrowed refresh (RFC 6749 §6). */
  scope: string;
  authTime: Date;
  /** OIDC `nonce` of the authorization request (code redemption only). */
  nonce?: string;
  refresh?: { refresh_token: string; refresh_token_expires_in: number };
}

/**
 * The `AuthorizedGrant` the token service mints its tokens from (the answer of
 * `authorization.v1.code.redeem` and `authorization.v1.refresh`): the grant,
 * its user's identity, the launch context (SMART App Launch 2.2), and the
 * refresh token when one was issued. A grant whose user is gone or disabled
 * authorizes nothing.
 */
export function authorizedGrant(use: GrantUse, fhirBaseUrl: string): AuthorizedGrant {
  const { grant, user, scope } = use;
  if (!user || user.disabled) throw new InvalidGrant('the user of this grant is no longer active');
  const answer: AuthorizedGrant = {
    grant_id: grant.id,
    client_id: grant.clientId,
    sub: user.id,
    scope,
    name: user.displayName,
    auth_time: Math.floor(use.authTime.getTime() / 1000),
    ...grantContextClaims(grant.context, scope, user.fhirUser, fhirBaseUrl),
  };
  if (use.nonce !== undefined) answer.nonce = use.nonce;
  if (use.refresh) Object.assign(answer, use.refresh);
  return answer;
}
