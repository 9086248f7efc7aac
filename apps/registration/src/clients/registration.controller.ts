import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Rpc, type ClientInformationResponse, type ClientRecord, type DiscoveryFragment, type LaunchableApp } from '#contracts';
import { parseLookupRequest, parseManageRequest, parseRegisterRequest, parseUpdateRequest } from './registration-requests.js';
import { RegistrationService } from './registration.service.js';

/** RFC 7591/7592 over NATS; the gateway maps HTTP onto these and renders the results and OAuth errors. */
@Controller()
export class RegistrationController {
  constructor(private readonly registration: RegistrationService) {}

  @MessagePattern(Rpc.registration.register.subject)
  register(@Payload() payload: unknown): Promise<ClientInformationResponse> {
    return this.registration.register(parseRegisterRequest(payload));
  }

  @MessagePattern(Rpc.registration.read.subject)
  read(@Payload() payload: unknown): Promise<ClientInformationResponse> {
    return this.registration.read(parseManageRequest(payload));
  }

  @MessagePattern(Rpc.registration.update.subject)
  update(@Payload() payload: unknown): Promise<ClientInformationResponse> {
    return this.registration.update(parseUpdateRequest(payload));
  }

  @MessagePattern(Rpc.registration.delete.subject)
  delete(@Payload() payload: unknown): Promise<{ deleted: true }> {
    return this.registration.delete(parseManageRequest(payload));
  }

  @MessagePattern(Rpc.registration.lookup.subject)
  lookup(@Payload() payload: unknown): Promise<ClientRecord | null> {
    return this.registration.lookup(parseLookupRequest(payload).clientId);
  }

  @MessagePattern(Rpc.registration.launchableApps.subject)
  launchable(): Promise<LaunchableApp[]> {
    return this.registration.launchable();
  }

  @MessagePattern(Rpc.service.registration.metadata.subject)
  metadata(): DiscoveryFragment {
    return { service: 'registration', endpoints: { registration_endpoint: '/register' } };
  }
}
