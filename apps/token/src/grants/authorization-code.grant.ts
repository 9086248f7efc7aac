import { Injectable } from '@nestjs/common';
import { Rpc, type TokenResponseBody } from '#contracts';
import { ServiceBus } from '#nest';
import { InvalidRequest } from '#oauth';
import { dpopBindingFor } from '../dpop/dpop-binding.rule.js';
import { GrantTokenResponse } from '../tokens/grant-token.response.js';
import { clientRegisteredFor, type GrantContext, type GrantHandler } from './grant-handler.js';

/**
 * RFC 6749 §4.1.3 authorization code grant with PKCE (RFC 7636 §4.5), the
 * token side: the client is authenticated and registered for the grant, the
 * response must be signable, and the code is presented to the authorization
 * service, which owns codes. The rules of the code itself (single use and
 * replay, expiry, client binding, `redirect_uri`, `code_verifier`) live there,
 * in `apps/authorization/src/grants/code-redemption.ts`, where they are
 * checked in the transaction that spends the code; its OAuth errors
 * (`invalid_grant`, …) reach the client unchanged.
 */
@Injectable()
export class AuthorizationCodeGrant implements GrantHandler {
  readonly grantType = 'authorization_code';
  readonly parameters = ['code', 'redirect_uri', 'code_verifier'] as const;
  /** RFC 6749 §4.1.3: confidential clients authenticate; public clients identify themselves (`none`). */
  readonly requiresClientAuthentication = true;

  constructor(
    private readonly bus: ServiceBus,
    private readonly response: GrantTokenResponse,
  ) {}

  async handle({ params, client: authenticated, proof, requestId }: GrantContext): Promise<TokenResponseBody> {
    const client = clientRegisteredFor(authenticated, this.grantType);
    const code = params.code;
    if (!code) throw new InvalidRequest('code is required');
    const jkt = dpopBindingFor(client, proof);
    this.response.checkIssuable(client);
    const grant = await this.bus.request(Rpc.authorization.redeemCode, {
      code,
      client_id: client.client_id,
      redirect_uri: params.redirect_uri,
      code_verifier: params.code_verifier,
      // RFC 9449 §10.1 (a code bound with dpop_jkt) and §5 (a public client's refresh token bound to the key).
      ...(jkt === undefined ? {} : { dpop_jkt: jkt }),
      requestId,
    });
    return this.response.issue(client, grant, this.grantType, requestId, jkt);
  }
}
