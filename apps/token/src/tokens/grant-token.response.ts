import { Injectable } from '@nestjs/common';
import { launchContextClaimsOf, mistypedLaunchContextClaims, type AuthorizedGrant, type ClientRecord, type TokenResponseBody } from '#contracts';
import { ScopeSet, ServerError } from '#oauth';
import { TokenConfig } from '../config/token.config.js';
import { tokenTypeFor } from '../dpop/dpop-binding.rule.js';
import { accessTokenLifetime } from '../udap/udap-token-lifetime.rule.js';
import { AccessTokenIssuer, type AccessTokenContext } from './access-token.issuer.js';
import { IdTokenIssuer } from './id-token.issuer.js';

const OPTIONAL_STRINGS = ['name', 'nonce', 'refresh_token'] as const;

const isNonEmptyString = (v: unknown): v is string => typeof v === 'string' && v !== '';

/**
 * The token response of a user's grant, for both the `authorization_code`
 * and the `refresh_token` grant (RFC 6749 §5.1, SMART App Launch 2.2, OIDC
 * Core §3.1.3.3): an access token carrying `grant_id` and the launch context,
 * the refresh token the authorization service issued, and an ID token when
 * `openid` was granted.
 */
@Injectable()
export class GrantTokenResponse {
  constructor(
    private readonly config: TokenConfig,
    private readonly accessTokens: AccessTokenIssuer,
    private readonly idTokens: IdTokenIssuer,
  ) {}

  /**
   * Called before the code or refresh token is spent: a response that could
   * not be signed fails now, not after the grant was redeemed or rotated.
   */
  checkIssuable(client: ClientRecord): void {
    this.idTokens.checkSignable(client);
    this.accessTokens.checkSignable();
  }

  async issue(client: ClientRecord, grant: AuthorizedGrant, grantType: string, requestId?: string, jkt?: string): Promise<TokenResponseBody> {
    assertAuthorizedGrant(grant, client.client_id);
    // SMART App Launch 2.2 §"Launch context arrives with your access_token": returned beside the access token and
    // signed into it, so that introspection echoes what the token response said (token-introspection IN-03/IN-04).
    const context: AccessTokenContext = launchContextClaimsOf(grant);
    const granted = ScopeSet.parse(grant.scope);
    const issued = await this.accessTokens.issue({
      clientId: client.client_id,
      subject: grant.sub,
      scope: grant.scope,
      grantType,
      ttlSeconds: accessTokenLifetime(client, this.config.ACCESS_TOKEN_TTL_SECONDS),
      requestId,
      extraClaims: context,
      grantId: grant.grant_id,
      jkt,
    });
    const body: TokenResponseBody = { access_token: issued.token, token_type: tokenTypeFor(jkt), expires_in: issued.expiresIn, scope: grant.scope };
    if (grant.refresh_token !== undefined) body.refresh_token = grant.refresh_token;
    // OIDC Core §3.1.3.3 and §12.2: an ID token whenever openid was granted.
    if (granted.has('openid')) body.id_token = await this.idTokens.issue(client, grant, granted, issued.token);
    return Object.assign(body, context);
  }
}

/** The grant is JSON from the bus (STYLE pattern 5): a malformed one, or one of another client, is our fault. */
function assertAuthorizedGrant(grant: AuthorizedGrant, clientId: string): void {
  const g = grant as unknown as Record<string, unknown> | null;
  const problems: string[] = [];
  if (typeof g !== 'object' || g === null) throw new ServerError('the authorization service answered no grant');
  for (const name of ['grant_id', 'sub', 'client_id'] as const) if (!isNonEmptyString(g[name])) problems.push(name);
  if (typeof g.scope !== 'string') problems.push('scope');
  if (typeof g.auth_time !== 'number' || !Number.isFinite(g.auth_time)) problems.push('auth_time');
  for (const name of OPTIONAL_STRINGS) if (g[name] !== undefined && typeof g[name] !== 'string') problems.push(name);
  problems.push(...mistypedLaunchContextClaims(g));
  if (problems.length > 0) throw new ServerError(`malformed grant from the authorization service: ${problems.join(', ')}`);
  if (g.client_id !== clientId) throw new ServerError(`the authorization service answered a grant of client ${String(g.client_id)} to ${clientId}`);
}
