import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  Rpc,
  type DiscoveryFragment,
  type FormParams,
  type IntrospectionRequest,
  type IntrospectionResponseBody,
  type RevocationRequest,
  type TokenVerification,
} from '#contracts';
import { CLIENT_ASSERTION_ALGS } from '#nest';
import { InvalidRequest } from '#oauth';
import { IntrospectionService } from './introspection.service.js';

/** The payload is JSON from the bus: form parameters must be strings, credentials an object. */
function checked<T extends { params: FormParams; requestId?: string }>(payload: unknown, credentials: 'caller' | 'auth'): T {
  const p = payload as Record<string, unknown> | null;
  const params = p?.params;
  const paramsOk = typeof params === 'object' && params !== null && !Array.isArray(params) && Object.values(params).every((v) => typeof v === 'string');
  const presented = p?.[credentials] as { method?: unknown } | null | undefined;
  const credentialsOk = typeof presented === 'object' && presented !== null && typeof presented.method === 'string';
  if (!paramsOk || !credentialsOk || (p?.requestId !== undefined && typeof p?.requestId !== 'string')) throw new InvalidRequest('malformed request');
  return p as unknown as T;
}

@Controller()
export class IntrospectionController {
  constructor(private readonly introspection: IntrospectionService) {}

  @MessagePattern(Rpc.introspection.introspect.subject)
  async introspect(@Payload() payload: unknown): Promise<IntrospectionResponseBody> {
    return this.introspection.introspect(checked<IntrospectionRequest>(payload, 'caller'));
  }

  @MessagePattern(Rpc.introspection.revoke.subject)
  async revoke(@Payload() payload: unknown): Promise<{ revoked: boolean }> {
    return this.introspection.revoke(checked<RevocationRequest>(payload, 'auth'));
  }

  /** Internal: whether a bearer token is one of our active access tokens (for /userinfo, /launch, admin APIs). */
  @MessagePattern(Rpc.introspection.verify.subject)
  async verify(@Payload() payload: unknown): Promise<TokenVerification> {
    const p = payload as { token?: unknown } | null;
    if (typeof p !== 'object' || p === null || typeof p.token !== 'string') throw new InvalidRequest('malformed request');
    return this.introspection.verify(p.token);
  }

  @MessagePattern(Rpc.service.introspection.metadata.subject)
  metadata(): DiscoveryFragment {
    return {
      service: 'introspection',
      endpoints: { introspection_endpoint: '/introspect', revocation_endpoint: '/revoke' },
      lists: {
        introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
        introspection_endpoint_auth_signing_alg_values_supported: [...CLIENT_ASSERTION_ALGS],
        revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
        revocation_endpoint_auth_signing_alg_values_supported: [...CLIENT_ASSERTION_ALGS],
      },
    };
  }
}
