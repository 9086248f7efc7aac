import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { inTransaction } from '#nest';
import type { DataSource, EntityManager, Repository } from 'typeorm';
import type { ClientStatus, ClientTrust } from '#contracts';
import { CLIENTS_FILE_MANAGER, ClientEntity } from './entities/client.entity.js';

/** TypeORM's deep-partial typing does not follow jsonb columns typed with interfaces. */
type Values = Parameters<Repository<ClientEntity>['insert']>[0];

/** Transaction-scoped advisory lock serialising the admin bootstrap and the clients-file reconcile across replicas ("regi"). */
const BOOTSTRAP_LOCK = 0x72656769;


/** The directory's search and filters (GET /admin/clients, /admin/apps). */
export interface ClientFilter {
  status?: ClientStatus;
  /** Text found in the client id or name, case-insensitive. */
  search?: string;
  trust?: ClientTrust;
  grantType?: string;
  hasLaunchUri?: boolean;
}

/** What {@link ClientStore.reconcileManaged} did. */
export type ManagedChange = { kind: 'created' | 'updated'; client: ClientEntity } | { kind: 'unchanged' };

/** The `client` table: registered clients, secrets only as hashes. */
@Injectable()
export class ClientStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private repo(manager: EntityManager = this.dataSource.manager): Repository<ClientEntity> {
    return manager.getRepository(ClientEntity);
  }

  /** One primary-key read. */
  find(clientId: string): Promise<ClientEntity | null> {
    return this.repo().findOneBy({ clientId });
  }

  /** The UDAP registration of `iss` in the community of `anchorSha256` (UDAP Security 2.0 §3.4), if any. */
  findUdap(anchorSha256: string, iss: string): Promise<ClientEntity | null> {
    return this.repo().findOneBy({ udapAnchorSha256: anchorSha256, udapIssuer: iss });
  }

  /**
   * A page of the directory, oldest first (client_id breaks ties, so pages do
   * not overlap), of the clients matching `filter`, and how many match.
   */
  async list(limit: number, offset: number, filter: ClientFilter = {}): Promise<{ clients: ClientEntity[]; total: number }> {
    const query = this.repo().createQueryBuilder('c');
    if (filter.status === 'disabled') query.andWhere('c.disabled_at IS NOT NULL');
    else if (filter.status) query.andWhere('c.approval_status = :status AND c.disabled_at IS NULL', { status: filter.status });
    if (filter.search) {
      const like = `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query.andWhere(`(c.client_id ILIKE :like OR c.metadata->>'client_name' ILIKE :like)`, { like });
    }
    if (filter.trust) query.andWhere('c.trust = :trust', { trust: filter.trust });
    if (filter.grantType) query.andWhere(`jsonb_exists(c.metadata->'grant_types', :grantType)`, { grantType: filter.grantType });
    if (filter.hasLaunchUri !== undefined) query.andWhere(`(c.metadata->>'launch_uri') IS ${filter.hasLaunchUri ? 'NOT NULL' : 'NULL'}`);
    const [clients, total] = await query.orderBy('c.created_at', 'ASC').addOrderBy('c.client_id', 'ASC').take(limit).skip(offset).getManyAndCount();
    return { clients, total };
  }

  /**
   * The clients an EHR launcher may offer (issue #16): nothing pending or
   * refused, not disabled, a `launch_uri`, and the scope token `launch`
   * registered; by name, at most `limit`.
   */
  launchable(limit: number): Promise<ClientEntity[]> {
    return this.repo()
      .createQueryBuilder('c')
      .where(`c.approval_status = 'approved' AND c.disabled_at IS NULL AND (c.metadata->>'launch_uri') IS NOT NULL`)
      .andWhere(`' ' || (c.metadata->>'scope') || ' ' LIKE '% launch %'`)
      .orderBy(`lower(coalesce(c.metadata->>'client_name', c.client_id))`, 'ASC')
      .addOrderBy('c.client_id', 'ASC')
      .take(limit)
      .getMany();
  }

  /** Inserts a new client; false when the client_id is taken (ON CONFLICT DO NOTHING, so a transaction stays usable). */
  async insert(client: ClientEntity, manager?: EntityManager): Promise<boolean> {
    const result = await this.repo(manager).createQueryBuilder().insert().into(ClientEntity).values(client as unknown as Values).orIgnore().returning('client_id').execute();
    return Array.isArray(result.raw) && result.raw.length === 1;
  }

  /** Runs `work` in one transaction (a change and its outbox event). */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return inTransaction(this.dataSource, work);
  }

  /**
   * Replaces a client's metadata, secret hash and registration token hash if
   * its revision is still `expectedRevision` (optimistic concurrency); false
   * when it changed or disappeared meanwhile.
   */
  async replace(client: ClientEntity, expectedRevision: number, manager?: EntityManager): Promise<boolean> {
    const result = await this.repo(manager)
      .createQueryBuilder()
      .update(ClientEntity)
      .set({
        metadata: client.metadata,
        clientSecretHash: client.clientSecretHash,
        clientSecretExpiresAt: client.clientSecretExpiresAt,
        registrationTokenHash: client.registrationTokenHash,
        revision: client.revision,
        managed: client.managed,
        managedBy: client.managedBy,
        trust: client.trust,
        softwareStatementIssuer: client.softwareStatementIssuer,
        approvedPrivileges: client.approvedPrivileges,
        rejectedPrivileges: client.rejectedPrivileges,
        approvalStatus: client.approvalStatus,
        disabledAt: client.disabledAt ?? null,
        udapIssuer: client.udapIssuer ?? null,
        udapAnchorSha256: client.udapAnchorSha256 ?? null,
        udapCommunity: client.udapCommunity ?? null,
        udapCertificateSha256: client.udapCertificateSha256 ?? null,
        udapPublicKey: client.udapPublicKey ?? null,
        updatedAt: () => 'now()',
      } as unknown as Values as never)
      .where('client_id = :id AND revision = :rev', { id: client.clientId, rev: expectedRevision })
      .execute();
    return (result.affected ?? 0) === 1;
  }

  /** Deletes a client registered through /register (never a managed one); false when it was not there. */
  async delete(clientId: string, manager?: EntityManager): Promise<boolean> {
    const result = await this.repo(manager).delete({ clientId, managed: false });
    return (result.affected ?? 0) === 1;
  }

  /**
   * For reconciling the clients file, inside `manager`'s transaction: takes
   * the managed-client advisory lock (so replicas reconcile one at a time)
   * and returns, locked FOR UPDATE, every client the file declared before
   * plus those stored under the ids it declares now.
   */
  async lockDeclared(manager: EntityManager, clientIds: readonly string[]): Promise<ClientEntity[]> {
    await manager.query('SELECT pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK]);
    return this.repo(manager)
      .createQueryBuilder('c')
      .setLock('pessimistic_write')
      .where('c.client_id = ANY(:ids) OR c.managed_by = :owner', { ids: [...clientIds], owner: CLIENTS_FILE_MANAGER })
      .orderBy('c.client_id')
      .getMany();
  }

  /** Deletes a client the clients file declared (never another); false when it was not there. */
  async deleteDeclared(clientId: string, manager: EntityManager): Promise<boolean> {
    const result = await this.repo(manager).delete({ clientId, managed: true, managedBy: CLIENTS_FILE_MANAGER });
    return (result.affected ?? 0) === 1;
  }

  /**
   * Brings a configuration-managed client to the state `decide` asks for, in
   * one transaction under `pg_advisory_xact_lock`, so replicas starting
   * together apply it once. `decide` sees the current row (or null) and
   * returns the row to write, or null when nothing needs to change.
   */
  reconcileManaged(
    clientId: string,
    decide: (existing: ClientEntity | null) => ClientEntity | null,
    /** Called in the same transaction when something changed (the outbox event). */
    onChange: (manager: EntityManager, change: Exclude<ManagedChange, { kind: 'unchanged' }>) => Promise<unknown> = async () => undefined,
  ): Promise<ManagedChange> {
    return inTransaction(this.dataSource, async (manager): Promise<ManagedChange> => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK]);
      // FOR UPDATE: an RFC 7592 update racing a takeover of its row waits, then fails its revision check.
      const existing = await this.repo(manager).findOne({ where: { clientId }, lock: { mode: 'pessimistic_write' } });
      const wanted = decide(existing);
      if (!wanted) return { kind: 'unchanged' };
      let change: Exclude<ManagedChange, { kind: 'unchanged' }>;
      if (!existing) {
        await this.repo(manager).insert(wanted as unknown as Values);
        change = { kind: 'created', client: wanted };
      } else {
        if (!(await this.replace(wanted, existing.revision, manager))) throw new Error(`client ${clientId} changed during the bootstrap`);
        change = { kind: 'updated', client: wanted };
      }
      await onChange(manager, change);
      return change;
    });
  }
}

