import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { inTransaction } from '#nest';
import type { DataSource, EntityManager, Repository } from 'typeorm';
import type { ClientApprovalStatus } from '#contracts';
import { CLIENTS_FILE_MANAGER, ClientEntity } from './entities/client.entity.js';

/** TypeORM's deep-partial typing does not follow jsonb columns typed with interfaces. */
type Values = Parameters<Repository<ClientEntity>['insert']>[0];

/** Transaction-scoped advisory lock serialising the admin bootstrap and the clients-file reconcile across replicas ("regi"). */
const BOOTSTRAP_LOCK = 0x72656769;


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

  /** A page of the directory, oldest first (client_id breaks ties, so pages do not overlap), optionally of one approval status. */
  list(limit: number, offset: number, status?: ClientApprovalStatus): Promise<ClientEntity[]> {
    return this.repo().find({ ...(status ? { where: { approvalStatus: status } } : {}), order: { createdAt: 'ASC', clientId: 'ASC' }, take: limit, skip: offset });
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

