import { Injectable, Logger } from '@nestjs/common';
import { Rpc, type ClientRecord, type TokenResponseBody } from '#contracts';
import { ClientAuthenticator, ServiceBus } from '#nest';
import { InvalidClient, InvalidGrant, InvalidRequest } from '#oauth';
import { dpopBindingFor } from '../dpop/dpop-binding.rule.js';
import { GrantTokenResponse } from '../tokens/grant-token.response.js';
import { openRefreshResponse, sealRefreshResponse } from '../tokens/refresh-replay.seal.js';
import { clientRegisteredFor, type GrantContext, type GrantHandler } from './grant-handler.js';

/**
 * RFC 6749 §6 refresh, the token side: client authentication (a public client
 * may send none), the response must be signable, and the refresh grace
 * window's sealing and opening of responses (the seal key derives from the
 * refresh token, which only this side sees). The rules of the refresh token
 * itself (binding to the client, rotation, reuse revoking the grant, the
 * grace window, online/offline, narrowing `scope`) live in the authorization
 * service, which owns refresh tokens: `apps/authorization/src/grants/refresh-rotation.ts`
 * and `refresh-grace.ts`; its OAuth errors reach the client unchanged.
 */
@Injectable()
export class RefreshTokenGrant implements GrantHandler {
  readonly grantType = 'refresh_token';
  readonly parameters = ['refresh_token', 'scope'] as const;
  /**
   * RFC 6749 §6: a confidential client authenticates (by its registered method); a public one need not identify
   * itself at all (SMART App Launch 2.2 §"Refresh access token": "For public apps, authentication is not possible
   * (and thus not required)"), so a request without credentials is let through to {@link handle}, which finds
   * the client the token was issued to and lets it in only when that client is public. Credentials that are
   * presented (a public client's `client_id` included) are checked as always.
   */
  readonly requiresClientAuthentication = false;
  private readonly logger = new Logger('RefreshTokenGrant');

  constructor(
    private readonly bus: ServiceBus,
    private readonly response: GrantTokenResponse,
    private readonly authenticator: ClientAuthenticator,
  ) {}

  async handle({ params, client: authenticated, proof, requestId }: GrantContext): Promise<TokenResponseBody> {
    const refreshToken = params.refresh_token;
    if (!refreshToken) throw new InvalidRequest('refresh_token is required');
    const client = clientRegisteredFor(authenticated ?? (await this.publicOwnerOf(refreshToken, requestId)), this.grantType);
    const jkt = dpopBindingFor(client, proof);
    this.response.checkIssuable(client);
    const grant = await this.bus.request(Rpc.authorization.refresh, {
      refresh_token: refreshToken,
      client_id: client.client_id,
      // RFC 6749 §6: an omitted (or empty) scope means the scope originally granted.
      ...(params.scope ? { scope: params.scope } : {}),
      // RFC 9449 §5: a refresh token bound to a DPoP key needs a proof with that key.
      ...(jkt === undefined ? {} : { dpop_jkt: jkt }),
      requestId,
    });
    if ('replay' in grant) {
      // Refresh grace: the token just rotated, presented again inside the window: the very same response.
      const replayed = openRefreshResponse(refreshToken, grant.replay);
      if (!replayed) throw new InvalidGrant('the refresh token is invalid, expired or revoked');
      return replayed;
    }
    const body = await this.response.issue(client, grant, this.grantType, requestId, jkt);
    if (grant.seal_response) await this.seal(refreshToken, body, requestId);
    return body;
  }

  /**
   * Refresh grace: the response goes back to the authorization service sealed
   * before the client hears it, so a retry with the same refresh token finds
   * it. If it cannot be kept, the client still gets its tokens; a retry then
   * gets `invalid_grant` (and revokes nothing) instead of the same response.
   */
  private async seal(refreshToken: string, body: TokenResponseBody, requestId: string | undefined): Promise<void> {
    try {
      await this.bus.request(Rpc.authorization.sealRefresh, { refresh_token: refreshToken, sealed: sealRefreshResponse(refreshToken, body), requestId });
    } catch (err: unknown) {
      this.logger.warn(`the refresh response could not be kept for the grace window: ${(err as Error).message}`);
    }
  }

  /**
   * A refresh with no client identification: the client the token was issued to, if it is public (RFC 6749 §6,
   * §2.1). A confidential client's token is refused with `invalid_client` before anything is spent (RFC 6749 §5.2),
   * so whoever holds it without the client's credentials can neither use nor burn it.
   */
  private async publicOwnerOf(refreshToken: string, requestId: string | undefined): Promise<ClientRecord> {
    const { client_id: clientId } = await this.bus.request(Rpc.authorization.refreshTokenClient, { refresh_token: refreshToken, requestId });
    if (typeof clientId !== 'string') throw new InvalidGrant('the refresh token is invalid, expired or revoked');
    try {
      // The registered method must be `none`: the same check as a public client sending its client_id.
      return await this.authenticator.authenticate({ method: 'none', clientId });
    } catch (err: unknown) {
      // Not which method the client registered, nor whether it still exists: only that it must authenticate.
      if (err instanceof InvalidClient) throw new InvalidClient('client authentication required');
      throw err;
    }
  }
}
