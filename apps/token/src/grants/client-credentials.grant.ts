import { Injectable } from '@nestjs/common';
import type { TokenResponseBody } from '#contracts';
import { InvalidClient, UnauthorizedClient } from '#oauth';
import { TokenConfig } from '../config/token.config.js';
import { AccessTokenIssuer } from '../tokens/access-token.issuer.js';
import { GrantedScopeCache } from './granted-scope.cache.js';
import { dpopBindingFor, tokenTypeFor } from '../dpop/dpop-binding.rule.js';
import { narrowToRegisteredScope } from './registered-scope.js';
import type { GrantContext, GrantHandler } from './grant-handler.js';

/** RFC 6749 §4.4 client credentials; SMART Backend Services when the scopes are `system/`. */
@Injectable()
export class ClientCredentialsGrant implements GrantHandler {
  readonly grantType = 'client_credentials';
  readonly parameters = ['scope'] as const;
  readonly requiresClientAuthentication = true;
  private readonly scopes = new GrantedScopeCache();

  constructor(
    private readonly issuer: AccessTokenIssuer,
    private readonly config: TokenConfig,
  ) {}

  async handle({ params, client, proof, requestId }: GrantContext): Promise<TokenResponseBody> {
    if (!client) throw new InvalidClient('client authentication required');
    // RFC 6749 §4.4: confidential clients only.
    if (client.metadata.token_endpoint_auth_method === 'none') {
      throw new UnauthorizedClient('public clients cannot use client_credentials');
    }
    if (!client.metadata.grant_types.includes(this.grantType)) {
      throw new UnauthorizedClient('this client is not registered for client_credentials');
    }
    const jkt = dpopBindingFor(client, proof);
    const scope = this.scopes.granted(client, params.scope, () => narrowToRegisteredScope(client, params.scope, 'machine'));
    const issued = await this.issuer.issue({
      clientId: client.client_id,
      subject: client.client_id,
      scope,
      grantType: this.grantType,
      ttlSeconds: this.config.CLIENT_CREDENTIALS_TTL_SECONDS,
      requestId,
      jkt,
    });
    // SMART Backend Services: no refresh token.
    return { access_token: issued.token, token_type: tokenTypeFor(jkt), expires_in: issued.expiresIn, scope };
  }
}
