import { Injectable } from '@nestjs/common';
import type { AdminClientDetail, AdminClientRequest, AdminClientView, ClientListResponse, ClientPrivileges, ClientStatus, ClientTrust, DecidePrivilegesRequest, ListClientsRequest } from '#contracts';
import { hasPrivileges, InvalidRequest, NotFound, OAuthError, parsePrivileges, privilegesOf, TemporarilyUnavailable, unionPrivileges, withoutPrivileges } from '#oauth';
import { ClientEntity } from '../persistence/entities/client.entity.js';
import { ClientStore, type ClientFilter } from '../persistence/client.store.js';
import { AdminAccess } from './admin-access.js';
import { DEFAULT_CLIENT_PAGE, MAX_CLIENT_PAGE, pagingNumber } from './admin-clients-requests.js';
import { ClientEventPublisher } from './client-events.publisher.js';
import { ClientInsight } from './client-insight.js';
import { decidePending, withheldPrivileges } from './client-trust.js';

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
    status: client.disabledAt ? 'disabled' : client.approvalStatus,
    approval_status: client.approvalStatus,
    ...(client.disabledAt ? { disabled_at: client.disabledAt.toISOString() } : {}),
    trust: client.trust,
    ...(client.softwareStatementIssuer ? { software_statement_issuer: client.softwareStatementIssuer } : {}),
    ...(client.udapIssuer
      ? {
          udap: {
            issuer: client.udapIssuer,
            ...(client.udapCommunity ? { community: client.udapCommunity } : {}),
            anchor_sha256: client.udapAnchorSha256!,
            certificate_sha256: client.udapCertificateSha256!,
          },
        }
      : {}),
    privileges_approved: withoutPrivileges(privilegesOf(client.metadata), unionPrivileges(pending, rejected)),
    privileges_pending: pending,
    privileges_rejected: rejected,
  };
}

/**
 * The client directory for administrators (a bearer token with scope `admin`,
 * or an administrator's session on the /admin/apps pages): the list with
 * search, filters and paging, one client in detail, decisions on pending
 * privileges, and deletion like RFC 7592 §2.3 (same `client.deleted` event, so
 * the client's tokens become inactive) without the registration access token.
 * Clients managed by configuration are shown, never changed here.
 */
@Injectable()
export class AdminClientsService {
  constructor(
    private readonly store: ClientStore,
    private readonly events: ClientEventPublisher,
    private readonly access: AdminAccess,
    private readonly insight: ClientInsight,
  ) {}

  async list(request: ListClientsRequest): Promise<ClientListResponse> {
    await this.access.require(request);
    const limit = pagingNumber('limit', request.limit, DEFAULT_CLIENT_PAGE, 1, MAX_CLIENT_PAGE);
    const offset = pagingNumber('offset', request.offset, 0, 0, 1_000_000);
    const filter: ClientFilter = {
      ...(request.status ? { status: request.status as ClientStatus } : {}),
      ...(request.q?.trim() ? { search: request.q.trim() } : {}),
      ...(request.trust ? { trust: request.trust as ClientTrust } : {}),
      ...(request.grant_type ? { grantType: request.grant_type } : {}),
      ...(request.has_launch_uri ? { hasLaunchUri: request.has_launch_uri === 'true' } : {}),
    };
    const { clients, total } = await this.store.list(limit, offset, filter);
    return { clients: await this.insight.withUsage(clients.map(adminClientView)), limit, offset, total };
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
    const actor = await this.access.require(request);
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
        (await this.store.replace(updated, client.revision, manager)) ? this.events.addDecision(manager, type, updated, outcome.decided, request.requestId, actor) : null,
      );
      if (event) {
        await this.events.committed(event);
        return adminClientView((await this.store.find(updated.clientId)) ?? updated);
      }
      // Changed meanwhile (an RFC 7592 update, another decision): decide again on the current row.
    }
    throw new TemporarilyUnavailable('the client is being changed concurrently; try again');
  }

  async get(request: AdminClientRequest): Promise<AdminClientDetail> {
    await this.access.require(request);
    return this.insight.detail(adminClientView(await this.existing(request.clientId)));
  }

  async delete(request: AdminClientRequest): Promise<{ deleted: true }> {
    const actor = await this.access.require(request);
    const client = await this.existing(request.clientId);
    if (client.managed) throw new InvalidRequest('the client is managed by configuration and cannot be deleted here');
    const event = await this.store.transaction(async (manager) =>
      (await this.store.delete(client.clientId, manager)) ? this.events.add(manager, 'client.deleted', client, request.requestId, actor) : null,
    );
    if (!event) throw new NotFound('no such client');
    await this.events.committed(event);
    return { deleted: true };
  }

  /** The client named, or 404 `not_found`. */
  async existing(clientId: string): Promise<ClientEntity> {
    const client = STORABLE_CLIENT_ID.test(clientId) ? await this.store.find(clientId) : null;
    if (!client) throw new NotFound('no such client');
    return client;
  }
}
