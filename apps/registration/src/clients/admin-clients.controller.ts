import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Rpc, type AdminClientDetail, type AdminClientView, type ClientInformationResponse, type ClientListResponse, type RotatedClientSecret } from '#contracts';
import { parseAdminClientRequest, parseAdminRegisterRequest, parseAdminUpdateRequest, parseDecidePrivilegesRequest, parseListClientsRequest } from './admin-clients-requests.js';
import { AdminClientChanges } from './admin-client-changes.service.js';
import { AdminClientsService } from './admin-clients.service.js';

/** The admin client directory over NATS (/admin/clients at the gateway, and the /admin/apps pages of the authorization service). */
@Controller()
export class AdminClientsController {
  constructor(
    private readonly clients: AdminClientsService,
    private readonly changes: AdminClientChanges,
  ) {}

  @MessagePattern(Rpc.registration.listClients.subject)
  list(@Payload() payload: unknown): Promise<ClientListResponse> {
    return this.clients.list(parseListClientsRequest(payload));
  }

  @MessagePattern(Rpc.registration.getClient.subject)
  get(@Payload() payload: unknown): Promise<AdminClientDetail> {
    return this.clients.get(parseAdminClientRequest(payload));
  }

  @MessagePattern(Rpc.registration.approveClient.subject)
  approve(@Payload() payload: unknown): Promise<AdminClientView> {
    return this.clients.approve(parseDecidePrivilegesRequest(payload));
  }

  @MessagePattern(Rpc.registration.rejectClient.subject)
  reject(@Payload() payload: unknown): Promise<AdminClientView> {
    return this.clients.reject(parseDecidePrivilegesRequest(payload));
  }

  @MessagePattern(Rpc.registration.deleteClient.subject)
  delete(@Payload() payload: unknown): Promise<{ deleted: true }> {
    return this.clients.delete(parseAdminClientRequest(payload));
  }

  @MessagePattern(Rpc.registration.createClient.subject)
  create(@Payload() payload: unknown): Promise<ClientInformationResponse> {
    return this.changes.create(parseAdminRegisterRequest(payload));
  }

  @MessagePattern(Rpc.registration.updateClient.subject)
  update(@Payload() payload: unknown): Promise<AdminClientView & { client_secret?: string }> {
    return this.changes.update(parseAdminUpdateRequest(payload));
  }

  @MessagePattern(Rpc.registration.disableClient.subject)
  disable(@Payload() payload: unknown): Promise<AdminClientView> {
    return this.changes.disable(parseAdminClientRequest(payload));
  }

  @MessagePattern(Rpc.registration.enableClient.subject)
  enable(@Payload() payload: unknown): Promise<AdminClientView> {
    return this.changes.enable(parseAdminClientRequest(payload));
  }

  @MessagePattern(Rpc.registration.rotateSecret.subject)
  rotateSecret(@Payload() payload: unknown): Promise<RotatedClientSecret> {
    return this.changes.rotateSecret(parseAdminClientRequest(payload));
  }
}
