import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Rpc, type AdminClientView, type ClientListResponse } from '#contracts';
import { parseAdminClientRequest, parseDecidePrivilegesRequest, parseListClientsRequest } from './admin-clients-requests.js';
import { AdminClientsService } from './admin-clients.service.js';

/** The admin client directory over NATS (GET/DELETE /admin/clients[/:client_id], POST …/approve|reject at the gateway). */
@Controller()
export class AdminClientsController {
  constructor(private readonly clients: AdminClientsService) {}

  @MessagePattern(Rpc.registration.listClients.subject)
  list(@Payload() payload: unknown): Promise<ClientListResponse> {
    return this.clients.list(parseListClientsRequest(payload));
  }

  @MessagePattern(Rpc.registration.getClient.subject)
  get(@Payload() payload: unknown): Promise<AdminClientView> {
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
}
