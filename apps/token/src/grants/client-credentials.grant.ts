import { Injectable } from '@nestjs/common';
import type { TokenResponseBody } from '#contracts';
import { authorizationExtensionPolicy, type AuthorizationExtensionPolicy } from '#nest';
import { InvalidClient, UnauthorizedClient } from '#oauth';
import { TokenConfig } from '../config/token.config.js';
import { AccessTokenIssuer } from '../tokens/access-token.issuer.js';
import { GrantedScopeCache } from './granted-scope.cache.js';
import { dpopBindingFor, tokenTypeFor } from '../dpop/dpop-binding.rule.js';
import { narrowToRegisteredScope } from './registered-scope.js';
import { authorizationContextOf } from '../udap/authorization-extensions.rule.js';
import { accessTokenLifetime } from '../udap/udap-token-lifetime.rule.js';
import type { GrantContext, GrantHandler } from './grant-handler.js';

/**
 * RFC 6749 §4.4 client credentials; SMART Backend Services when the scopes
 * are `system/`; UDAP B2B (UDAP Security 2.0 §5.2) for a UDAP client: its
 * Authorization Extension Objects checked and carried into the token.
 */
@Injectable()
export class ClientCredentialsGrant implements GrantHandler {
  readonly grantType = 'client_credentials';
  readonly parameters = ['scope'] as const;
  readonly requiresClientAuthentication = true;
  private readonly scopes = new GrantedScopeCache();
  private readonly extensions: AuthorizationExtensionPolicy;

  constructor(
    private readonly issuer: AccessTokenIssuer,
    private readonly config: TokenConfig,
  ) {
    this.extensions = authorizationExtensionPolicy(config);
  }

  async handle({ params, client, proof, requestId, assertion }: GrantContext): Promise<TokenResponseBody> {
    if (!client) throw new InvalidClient('client authentication required');
    // RFC 6749 §4.4: confidential clients only.
    if (client.metadata.token_endpoint_auth_method === 'none') {
      throw new UnauthorizedClient('public clients cannot use client_credentials');
    }
    if (!client.metadata.grant_types.includes(this.grantType)) {
      throw new UnauthorizedClient('this client is not registered for client_credentials');
    }
    const jkt = dpopBindingFor(client, proof);
    // UDAP Security 2.0 §5.2.1: a UDAP client's asserted authorization context (hl7-b2b, …).
    const context = client.udap ? authorizationContextOf(assertion?.claims.extensions, this.extensions) : undefined;
    const scope = this.scopes.granted(client, params.scope, () => narrowToRegisteredScope(client, params.scope, 'machine'));
    const issued = await this.issuer.issue({
      clientId: client.client_id,
      subject: client.client_id,
      scope,
      grantType: this.grantType,
      ttlSeconds: accessTokenLifetime(client, this.config.CLIENT_CREDENTIALS_TTL_SECONDS),
      requestId,
      jkt,
      ...(context ? { extensions: context.claim, authorizationExtensions: context.summary } : {}),
    });
    // SMART Backend Services: no refresh token.
    return { access_token: issued.token, token_type: tokenTypeFor(jkt), expires_in: issued.expiresIn, scope };
  }
}
