import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Rpc, type DiscoveryFragment, type FormParams, type IntrospectionRequest, type IntrospectionResponseBody, type RevocationRequest } from '#contracts';
import { InvalidRequest } from '#oauth';
import { IntrospectionService } from './introspection.service.js';

function params(payload: unknown): FormParams {
  const p = (payload as { params?: unknown } | null)?.params;
  if (typeof p !== 'object' || p === null || !Object.values(p).every((v) => typeof v === 'string')) throw new InvalidRequest('malformed request');
  return p as FormParams;
}

@Controller()
export class IntrospectionController {
  constructor(private readonly introspection: IntrospectionService) {}

  @MessagePattern(Rpc.introspection.introspect.subject)
  introspect(@Payload() payload: unknown): Promise<IntrospectionResponseBody> {
    const request = payload as IntrospectionRequest;
    return this.introspection.introspect({ params: params(payload), caller: request.caller, requestId: request.requestId });
  }

  @MessagePattern(Rpc.introspection.revoke.subject)
  revoke(@Payload() payload: unknown): Promise<{ revoked: boolean }> {
    const request = payload as RevocationRequest;
    return this.introspection.revoke({ params: params(payload), auth: request.auth, requestId: request.requestId });
  }

  @MessagePattern(Rpc.service.introspection.metadata.subject)
  metadata(): DiscoveryFragment {
    return {
      service: 'introspection',
      endpoints: { introspection_endpoint: '/introspect', revocation_endpoint: '/revoke' },
      lists: {
        introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
      },
    };
  }
}
