import { Injectable } from '@nestjs/common';
import type { PushedAuthorizationRequest, PushedAuthorizationResponse } from '#contracts';
import { ClientAuthenticator, DpopProofVerifier } from '#nest';
import { RequestParams } from '#oauth';
import { AuthorizationConfig } from '../config/authorization.config.js';
import { validateAuthorizationRequest } from '../flow/authorization-request.js';
import { LaunchService } from '../launch/launch.service.js';
import { PushedRequestStore } from './pushed-request.store.js';
import { verifyPushedRedirect } from './pushed-request-checks.js';
import { pushedDpopJkt } from './pushed-dpop-binding.js';
import { newRequestUri } from './request-uri.js';

/**
 * `POST /par` (RFC 9126 §2): the client authenticates as at `/token` (RFC 9126 §2: every method it registered;
 * a public client by its `client_id`), the request is validated as `/authorize` validates it (RFC 9126 §2.1:
 * redirect URI, scopes, PKCE, `aud`, launch; the launch is resolved and spent now, as `/authorize` would), and
 * is kept for one use under a fresh `request_uri` (RFC 9126 §2.2). Every failure is an OAuth error, which the
 * gateway answers as JSON (RFC 9126 §2.3).
 */
@Injectable()
export class PushedAuthorization {
  constructor(
    private readonly config: AuthorizationConfig,
    private readonly authenticator: ClientAuthenticator,
    private readonly launches: LaunchService,
    private readonly store: PushedRequestStore,
    private readonly dpop: DpopProofVerifier,
  ) {}

  async push(request: PushedAuthorizationRequest): Promise<PushedAuthorizationResponse> {
    const client = await this.authenticator.authenticate(request.auth, '/par');
    const params = new RequestParams(request.params);
    const verified = verifyPushedRedirect(params, client);
    const validated = validateAuthorizationRequest(params, verified, this.config.FHIR_BASE_URL);
    // RFC 9449 §10.1: a proof with the push (checked as at /token, for POST at the PAR endpoint) binds the code.
    const proof = await this.dpop.verify(request.dpop, { method: 'POST', url: `${this.config.ISSUER}/par` });
    const dpopJkt = pushedDpopJkt(validated.dpopJkt, proof?.jkt);
    const launch = validated.launch !== undefined ? await this.launches.consume(validated.launch, client.client_id) : null;
    const { requestUri, idHash } = newRequestUri();
    const lifetime = this.config.PAR_LIFETIME_SECONDS;
    await this.store.insert({
      idHash,
      clientId: client.client_id,
      params: { ...params.toRecord(), ...(dpopJkt === undefined ? {} : { dpop_jkt: dpopJkt }) },
      launch,
      expiresAt: new Date(Date.now() + lifetime * 1000),
    });
    return { request_uri: requestUri, expires_in: lifetime };
  }
}
