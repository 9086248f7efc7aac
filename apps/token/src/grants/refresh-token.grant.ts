import { Injectable } from '@nestjs/common';
import { Rpc, type TokenResponseBody } from '#contracts';
import { ServiceBus } from '#nest';
import { InvalidRequest } from '#oauth';
import { GrantTokenResponse } from '../tokens/grant-token.response.js';
import { clientRegisteredFor, type GrantContext, type GrantHandler } from './grant-handler.js';

/**
 * RFC 6749 §6 refresh. The authorization service checks the refresh token's
 * binding to the client, narrows `scope` (never widens it: `invalid_scope`),
 * rotates the token and detects reuse (RFC 9700 §4.14.2); its OAuth errors
 * reach the client unchanged.
 */
@Injectable()
export class RefreshTokenGrant implements GrantHandler {
  readonly grantType = 'refresh_token';
  readonly parameters = ['refresh_token', 'scope'] as const;
  /** RFC 6749 §6: the client authenticates by its registered method (public clients: `none`). */
  readonly requiresClientAuthentication = true;

  constructor(
    private readonly bus: ServiceBus,
    private readonly response: GrantTokenResponse,
  ) {}

  async handle({ params, client: authenticated, requestId }: GrantContext): Promise<TokenResponseBody> {
    const client = clientRegisteredFor(authenticated, this.grantType);
    const refreshToken = params.refresh_token;
    if (!refreshToken) throw new InvalidRequest('refresh_token is required');
    this.response.checkIssuable(client);
    const grant = await this.bus.request(Rpc.authorization.refresh, {
      refresh_token: refreshToken,
      client_id: client.client_id,
      // RFC 6749 §6: an omitted (or empty) scope means the scope originally granted.
      ...(params.scope ? { scope: params.scope } : {}),
      requestId,
    });
    return this.response.issue(client, grant, this.grantType, requestId);
  }
}
