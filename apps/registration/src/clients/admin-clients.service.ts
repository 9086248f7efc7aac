import { Injectable } from '@nestjs/common';
import type { AdminClientRequest, AdminClientView, ClientListResponse, ListClientsRequest } from '#contracts';
import { BearerTokens } from '#nest';
import { InvalidRequest, NotFound } from '#oauth';
import type { ClientEntity } from '../persistence/entities/client.entity.js';
import { ClientStore } from '../persistence/client.store.js';
import { DEFAULT_CLIENT_PAGE, MAX_CLIENT_PAGE, pagingNumber } from './admin-clients-requests.js';
import { ClientEventPublisher } from './client-events.publisher.js';

/** The scope of an administrator's access token. */
const ADMIN_SCOPE = 'admin';

/** Characters a stored client_id can have (see RegistrationService). */
const STORABLE_CLIENT_ID = /^[A-Za-z0-9._~-]{1,128}$/;

/** What an administrator sees of a client: never the secret hash or the registration token hash. */
export function adminClientView(client: ClientEntity): AdminClientView {
  return {
    ...client.metadata,
    client_id: client.clientId,
    client_id_issued_at: Number(client.clientIdIssuedAt),
    managed: client.managed,
    managed_by: client.managedBy ?? null,
    created_at: client.createdAt.toISOString(),
    updated_at: client.updatedAt.toISOString(),
  };
}

/**
 * The client directory for administrators (bearer token with scope `admin`):
 * GET /admin/clients, GET /admin/clients/:client_id and DELETE
 * /admin/clients/:client_id, which deletes like RFC 7592 §2.3 (same
 * `client.deleted` event, so the client's tokens become inactive) without the
 * registration access token. Clients managed by configuration are not deleted.
 */
@Injectable()
export class AdminClientsService {
  constructor(
    private readonly store: ClientStore,
    private readonly events: ClientEventPublisher,
    private readonly bearer: BearerTokens,
  ) {}

  async list(request: ListClientsRequest): Promise<ClientListResponse> {
    await this.bearer.requireScope(request, [ADMIN_SCOPE]);
    const limit = pagingNumber('limit', request.limit, DEFAULT_CLIENT_PAGE, 1, MAX_CLIENT_PAGE);
    const offset = pagingNumber('offset', request.offset, 0, 0, 1_000_000);
    const clients = await this.store.list(limit, offset);
    return { clients: clients.map(adminClientView), limit, offset };
  }

  async get(request: AdminClientRequest): Promise<AdminClientView> {
    await this.bearer.requireScope(request, [ADMIN_SCOPE]);
    return adminClientView(await this.existing(request.clientId));
  }

  async delete(request: AdminClientRequest): Promise<{ deleted: true }> {
    await this.bearer.requireScope(request, [ADMIN_SCOPE]);
    const client = await this.existing(request.clientId);
    if (client.managed) throw new InvalidRequest('the client is managed by configuration and cannot be deleted here');
    const event = await this.store.transaction(async (manager) =>
      (await this.store.delete(client.clientId, manager)) ? this.events.add(manager, 'client.deleted', client, request.requestId) : null,
    );
    if (!event) throw new NotFound('no such client');
    await this.events.committed(event);
    return { deleted: true };
  }

  private async existing(clientId: string): Promise<ClientEntity> {
    const client = STORABLE_CLIENT_ID.test(clientId) ? await this.store.find(clientId) : null;
    if (!client) throw new NotFound('no such client');
    return client;
  }
}
