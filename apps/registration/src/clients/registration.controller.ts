import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  Rpc,
  type ClientInformationResponse,
  type ClientLookupRequest,
  type ClientRecord,
  type DiscoveryFragment,
  type ManageClientRequest,
  type RegisterClientRequest,
  type UpdateClientRequest,
} from '#contracts';
import { InvalidRequest } from '#oauth';
import { RegistrationService } from './registration.service.js';

function asObject<T>(payload: unknown): T {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new InvalidRequest('malformed request');
  return payload as T;
}

@Controller()
export class RegistrationController {
  constructor(private readonly registration: RegistrationService) {}

  @MessagePattern(Rpc.registration.register.subject)
  register(@Payload() payload: unknown): Promise<ClientInformationResponse> {
    return this.registration.register(asObject<RegisterClientRequest>(payload));
  }

  @MessagePattern(Rpc.registration.read.subject)
  read(@Payload() payload: unknown): Promise<ClientInformationResponse> {
    return this.registration.read(asObject<ManageClientRequest>(payload));
  }

  @MessagePattern(Rpc.registration.update.subject)
  update(@Payload() payload: unknown): Promise<ClientInformationResponse> {
    return this.registration.update(asObject<UpdateClientRequest>(payload));
  }

  @MessagePattern(Rpc.registration.delete.subject)
  delete(@Payload() payload: unknown): Promise<{ deleted: true }> {
    return this.registration.delete(asObject<ManageClientRequest>(payload));
  }

  @MessagePattern(Rpc.registration.lookup.subject)
  lookup(@Payload() payload: unknown): Promise<ClientRecord | null> {
    return this.registration.lookup(asObject<ClientLookupRequest>(payload).clientId);
  }

  @MessagePattern(Rpc.service.registration.metadata.subject)
  metadata(): DiscoveryFragment {
    return { service: 'registration', endpoints: { registration_endpoint: '/register' } };
  }
}
