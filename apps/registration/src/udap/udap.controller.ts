import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Rpc, type UdapMetadataAnswer, type UdapRegistrationAnswer } from '#contracts';
import { UdapMetadata, parseUdapMetadataRequest } from './udap-metadata.service.js';
import { UdapRegistration } from './udap-registration.service.js';

/** UDAP Security 2.0 over NATS: trusted dynamic registration, and the UDAP part of `.well-known/udap`. */
@Controller()
export class UdapController {
  constructor(
    private readonly registration: UdapRegistration,
    private readonly metadata: UdapMetadata,
  ) {}

  @MessagePattern(Rpc.registration.udapRegister.subject)
  register(@Payload() payload: unknown): Promise<UdapRegistrationAnswer> {
    const { body, requestId } = (typeof payload === 'object' && payload !== null ? payload : {}) as { body?: unknown; requestId?: unknown };
    return this.registration.register({ body, ...(typeof requestId === 'string' ? { requestId } : {}) });
  }

  @MessagePattern(Rpc.registration.udapMetadata.subject)
  udapMetadata(@Payload() payload: unknown): Promise<UdapMetadataAnswer> {
    return this.metadata.answer(parseUdapMetadataRequest(payload));
  }
}
