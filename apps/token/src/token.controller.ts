import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Rpc, type DiscoveryFragment, type FormParams, type TokenRequest, type TokenResponseBody } from '#contracts';
import { ClientAuthenticator } from '#nest';
import { InvalidRequest } from '#oauth';
import { GrantRegistry } from './grants/grant.registry.js';

function assertTokenRequest(payload: unknown): asserts payload is TokenRequest {
  const p = payload as Partial<TokenRequest> | null;
  const paramsOk =
    typeof p?.params === 'object' && p.params !== null && Object.values(p.params as FormParams).every((v) => typeof v === 'string');
  if (!paramsOk || typeof p?.auth !== 'object' || p.auth === null) throw new InvalidRequest('malformed token request');
}

@Controller()
export class TokenController {
  constructor(
    private readonly grants: GrantRegistry,
    private readonly authenticator: ClientAuthenticator,
  ) {}

  @MessagePattern(Rpc.token.issue.subject)
  async issue(@Payload() payload: unknown): Promise<TokenResponseBody> {
    assertTokenRequest(payload);
    // The grant type is checked before the client: an unknown grant_type is exactly 400 (SMART/ONC).
    const handler = this.grants.resolve(payload.params.grant_type);
    const client = await this.authenticator.authenticate(payload.auth);
    const params: FormParams = {};
    for (const name of handler.parameters) if (payload.params[name] !== undefined) params[name] = payload.params[name]!;
    return handler.handle({ params, client, requestId: payload.requestId });
  }

  @MessagePattern(Rpc.service.token.metadata.subject)
  metadata(): DiscoveryFragment {
    return {
      service: 'token',
      endpoints: { token_endpoint: '/token' },
      lists: {
        grant_types_supported: this.grants.grantTypes,
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        code_challenge_methods_supported: ['S256'],
        scopes_supported: ['system/*.cruds', 'system/*.rs', 'system/*.read', 'introspect'],
      },
      capabilities: ['permission-v1', 'permission-v2'],
    };
  }
}
