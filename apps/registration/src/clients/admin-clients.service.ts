import { Injectable } from '@nestjs/common';
import type { AdminClientRequest, AdminClientView, ClientApprovalStatus, ClientListResponse, ClientPrivileges, DecidePrivilegesRequest, ListClientsRequest } from '#contracts';
import { BearerTokens } from '#nest';
import { hasPrivileges, InvalidRequest, NotFound, OAuthError, parsePrivileges, privilegesOf, TemporarilyUnavailable, unionPrivileges, withoutPrivileges } from '#oauth';
import { ClientEntity } from '../persistence/entities/client.entity.js';
import { decidePending, withheldPrivileges } from './client-trust.js';
import { ClientStore } from '../persistence/client.store.js';
import { DEFAULT_CLIENT_PAGE, MAX_CLIENT_PAGE, pagingNumber } from './admin-clients-requests.js';
import { ClientEventPublisher } from './client-events.publisher.js';

/** The scope of an administrator's access token. */
const ADMIN_SCOPE = 'admin';

/** Characters a stored client_id can have (see RegistrationService). */
const STORABLE_CLIENT_ID = /^[A-Za-z0-9._~-]{1,128}$/;

/** What an administrator sees of a client: never the secret hash or the registration token hash. */
export function adminClientView(client: ClientEntity): AdminClientView {
  const { pending, rejected } = withheldPrivileges(client);
  return {
    ...client.metadata,
    client_id: client.clientId,
    client_id_issued_at: Number(client.clientIdIssuedAt),
    managed: client.managed,
    managed_by: client.managedBy ?? null,
    created_at: client.createdAt.toISOString(),
    updated_at: client.updatedAt.toISOString(),
    status: client.approvalStatus,
    trust: client.trust,
    ...(client.softwareStatementIssuer ? { software_statement_issuer: client.softwareStatementIssuer } : {}),
    privileges_approved: withoutPrivileges(privilegesOf(client.metadata), unionPrivileges(pending, rejected)),
    privileges_pending: pending,
    privileges_rejected: rejected,
  };
}

/** The `status` filter of GET /admin/clients. */
const STATUSES: readonly ClientApprovalStatus[] = ['pending', 'approved', 'rejected'];

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
    const status = STATUSES.find((s) => s === request.status);
    if (request.status !== undefined && !status) throw new InvalidRequest(`status must be one of: ${STATUSES.join(', ')}`);
    const clients = await this.store.list(limit, offset, status);
    return { clients: clients.map(adminClientView), limit, offset };
  }

  /** POST /admin/clients/:client_id/approve: the pending privileges named (default all) become usable. */
  approve(request: DecidePrivilegesRequest): Promise<AdminClientView> {
    return this.decide(request, 'approve');
  }

  /** POST /admin/clients/:client_id/reject: the pending privileges named (default all) are refused for good. */
  reject(request: DecidePrivilegesRequest): Promise<AdminClientView> {
    return this.decide(request, 'reject');
  }

  /**
   * Trust tiers: an administrator's decision, stored with its `client.approved`
   * / `client.rejected` event in one transaction (outbox); caches drop the
   * client on the event, so the decision holds on every replica. Deciding
   * again on nothing pending changes nothing and emits nothing.
   */
  private async decide(request: DecidePrivilegesRequest, decision: 'approve' | 'reject'): Promise<AdminClientView> {
    await this.bearer.requireScope(request, [ADMIN_SCOPE]);
    let chosen: ClientPrivileges | 'all' = 'all';
    if (request.privileges !== undefined) {
      try {
        chosen = parsePrivileges(request.privileges);
      } catch (err: unknown) {
        throw new InvalidRequest(`privileges: ${err instanceof OAuthError ? err.description : 'malformed'}`);
      }
    }
    for (let attempt = 1; attempt <= 3; attempt++) {
      const client = await this.existing(request.clientId);
      if (client.managed) throw new InvalidRequest('the client is managed by configuration; its privileges are what the configuration says');
      const outcome = decidePending(client, decision, chosen);
      if ('notPending' in outcome) throw new InvalidRequest(`'${outcome.notPending}' is not a privilege awaiting approval for this client`);
      if (!hasPrivileges(outcome.decided)) return adminClientView(client);
      const updated = Object.assign(new ClientEntity(), client, outcome.fields, { revision: client.revision + 1 });
      const type = decision === 'approve' ? 'client.approved' : 'client.rejected';
      const event = await this.store.transaction(async (manager) =>
        (await this.store.replace(updated, client.revision, manager)) ? this.events.addDecision(manager, type, updated, outcome.decided, request.requestId) : null,
      );
      if (event) {
        await this.events.committed(event);
        return adminClientView((await this.store.find(updated.clientId)) ?? updated);
      }
      // Changed meanwhile (an RFC 7592 update, another decision): decide again on the current row.
    }
    throw new TemporarilyUnavailable('the client is being changed concurrently; try again');
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
