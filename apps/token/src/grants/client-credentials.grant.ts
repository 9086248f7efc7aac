import { Injectable } from '@nestjs/common';
import type { TokenResponseBody } from '#contracts';
import { InvalidScope, negotiateScopes, ScopeSet, UnauthorizedClient } from '#oauth';
import { TokenConfig } from '../config/token.config.js';
import { AccessTokenIssuer } from '../tokens/access-token.issuer.js';
import type { GrantContext, GrantHandler } from './grant-handler.js';

/** RFC 6749 §4.4 client credentials; SMART Backend Services when scopes are `system/`. */
@Injectable()
export class ClientCredentialsGrant implements GrantHandler {
  readonly grantType = 'client_credentials';
  readonly parameters = ['scope'] as const;

  constructor(
    private readonly issuer: AccessTokenIssuer,
    private readonly config: TokenConfig,
  ) {}

  async handle({ params, client, requestId }: GrantContext): Promise<TokenResponseBody> {
    if (client.metadata.token_endpoint_auth_method === 'none') {
      throw new UnauthorizedClient('public clients cannot use client_credentials');
    }
    if (!client.metadata.grant_types.includes(this.grantType)) {
      throw new UnauthorizedClient('this client is not registered for client_credentials');
    }
    const registered = ScopeSet.parse(client.metadata.scope);
    const requested = ScopeSet.parse(params.scope);
    // RFC 6749 §3.3: no scope requested means the pre-registered set.
    const granted = requested.isEmpty() ? registered : negotiateScopes(requested, registered).granted;
    if (granted.isEmpty()) throw new InvalidScope('none of the requested scopes is allowed for this client');
    const scope = granted.toString();
    const ttl = this.config.CLIENT_CREDENTIALS_TTL_SECONDS;
    const issued = await this.issuer.issue({ clientId: client.client_id, subject: client.client_id, scope, grantType: this.grantType, ttlSeconds: ttl, requestId });
    return { access_token: issued.token, token_type: 'Bearer', expires_in: issued.expiresIn, scope };
  }
}
