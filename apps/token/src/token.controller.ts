import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Rpc, type DiscoveryFragment, type FormParams, type TokenRequest, type TokenResponseBody } from '#contracts';
import { CLIENT_ASSERTION_ALGS, ClientAuthenticator, DPOP_SIGNING_ALGS, DpopProofVerifier, metricsExposing } from '#nest';
import { InvalidRequest, OAuthError } from '#oauth';
import { ID_TOKEN_SIGNING_ALGS, TokenConfig } from './config/token.config.js';
import { GrantRegistry } from './grants/grant.registry.js';

/** The payload is JSON from the bus: form parameters must be strings, credentials an object. */
function assertTokenRequest(payload: unknown): asserts payload is TokenRequest {
  const p = payload as Partial<TokenRequest> | null;
  const params = p?.params as unknown;
  const paramsOk = typeof params === 'object' && params !== null && !Array.isArray(params) && Object.values(params).every((v) => typeof v === 'string');
  const authOk = typeof p?.auth === 'object' && p.auth !== null && typeof (p.auth as { method?: unknown }).method === 'string';
  const dpopOk = p?.dpop === undefined || (Array.isArray(p.dpop) && p.dpop.every((v) => typeof v === 'string'));
  if (!paramsOk || !authOk || !dpopOk || (p.requestId !== undefined && typeof p.requestId !== 'string')) throw new InvalidRequest('malformed token request');
}

@Controller()
export class TokenController {
  private readonly metrics = metricsExposing('tokenRequests', 'tokenIssueDuration');

  constructor(
    private readonly grants: GrantRegistry,
    private readonly authenticator: ClientAuthenticator,
    private readonly dpop: DpopProofVerifier,
    private readonly config: TokenConfig,
  ) {}

  /** RFC 6749 §3.2 token endpoint, behind the gateway. */
  @MessagePattern(Rpc.token.issue.subject)
  async issue(@Payload() payload: unknown): Promise<TokenResponseBody> {
    // Labels stay bounded: a grant type we support, or `unsupported`; `success` or an OAuth error code.
    let grantType = 'unsupported';
    const end = this.metrics.tokenIssueDuration.startTimer();
    try {
      const body = await this.handle(payload, (known) => (grantType = known));
      this.metrics.tokenRequests.inc({ grant_type: grantType, result: 'success' });
      // RFC 9449 §8.2: a fresh nonce with every answer while nonces are required (the gateway makes it a header).
      const nonces = this.dpop.nonces;
      return nonces ? { ...body, dpop_nonce: nonces.current() } : body;
    } catch (err: unknown) {
      this.metrics.tokenRequests.inc({ grant_type: grantType, result: err instanceof OAuthError ? err.error : 'server_error' });
      throw err;
    } finally {
      end({ grant_type: grantType });
    }
  }

  private async handle(payload: unknown, known: (grantType: string) => void): Promise<TokenResponseBody> {
    assertTokenRequest(payload);
    // The grant type is checked before the client: an unknown grant_type is exactly 400 (SMART Backend Services, ONC).
    const handler = this.grants.resolve(payload.params.grant_type);
    known(handler.grantType);
    const mustAuthenticate = handler.requiresClientAuthentication || payload.auth.method !== 'absent';
    const authenticated = mustAuthenticate ? await this.authenticator.authenticateRequest(payload.auth) : null;
    const client = authenticated?.client ?? null;
    // RFC 9449 §4.3: the proof is for POST at the issuer's public URL of this endpoint.
    const proof = await this.dpop.verify(payload.dpop, { method: 'POST', url: `${this.config.ISSUER}/token` });
    const params: FormParams = {};
    for (const name of handler.parameters) {
      const value = payload.params[name];
      if (value !== undefined) params[name] = value;
    }
    return handler.handle({ params, client, requestId: payload.requestId, ...(proof ? { proof } : {}), ...(authenticated?.assertion ? { assertion: authenticated.assertion } : {}) });
  }

  @MessagePattern(Rpc.service.token.metadata.subject)
  metadata(): DiscoveryFragment {
    return {
      service: 'token',
      endpoints: { token_endpoint: '/token' },
      lists: {
        grant_types_supported: this.grants.grantTypes,
        // `none`: public clients (SMART App Launch 2.2 §"Public clients") redeem codes with their client_id only.
        // private_key_jwt: RFC 7523 §2.2, SMART client-confidential-asymmetric and Backend Services.
        token_endpoint_auth_methods_supported: ['private_key_jwt', 'client_secret_basic', 'client_secret_post', 'none'],
        token_endpoint_auth_signing_alg_values_supported: [...CLIENT_ASSERTION_ALGS],
        id_token_signing_alg_values_supported: [...ID_TOKEN_SIGNING_ALGS],
        code_challenge_methods_supported: ['S256'],
        // RFC 9449 §5.1: the algorithms a DPoP proof at /token may use.
        dpop_signing_alg_values_supported: [...DPOP_SIGNING_ALGS],
        scopes_supported: ['system/*.cruds', 'system/*.rs', 'system/*.read', 'introspect'],
      },
      capabilities: ['client-confidential-asymmetric', 'permission-v1', 'permission-v2'],
    };
  }
}
