import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, Repository } from 'typeorm';

/** TypeORM's deep-partial typing does not follow jsonb columns typed with interfaces. */
type Values = Parameters<Repository<ClientEntity>['insert']>[0];
import { ClientEntity } from './entities/client.entity.js';

/** Lock id serialising the admin bootstrap across replicas ("regi"). */
const BOOTSTRAP_LOCK = 0x72656769;

@Injectable()
export class ClientStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(ClientEntity);
  }

  find(clientId: string): Promise<ClientEntity | null> {
    return this.repo.findOneBy({ clientId });
  }

  /** Inserts a new client; false when the client_id is taken. */
  async insert(client: ClientEntity): Promise<boolean> {
    try {
      await this.repo.insert(client as unknown as Values);
      return true;
    } catch (err: unknown) {
      const code = (err as { code?: string; driverError?: { code?: string } }).driverError?.code ?? (err as { code?: string }).code;
      if (code === '23505') return false; // unique_violation
      throw err;
    }
  }

  /** Replaces a client if its revision is still `expectedRevision` (optimistic concurrency). */
  async replace(client: ClientEntity, expectedRevision: number): Promise<boolean> {
    const result = await this.repo
      .createQueryBuilder()
      .update(ClientEntity)
      .set(({
        metadata: client.metadata,
        clientSecretHash: client.clientSecretHash,
        clientSecretExpiresAt: client.clientSecretExpiresAt,
        registrationTokenHash: client.registrationTokenHash,
        registrationTokenEncrypted: client.registrationTokenEncrypted,
        revision: client.revision,
        updatedAt: () => 'now()',
      } as unknown as Values) as never)
      .where('client_id = :id AND revision = :rev', { id: client.clientId, rev: expectedRevision })
      .execute();
    return (result.affected ?? 0) === 1;
  }

  async delete(clientId: string): Promise<boolean> {
    const result = await this.repo.delete({ clientId, managed: false });
    return (result.affected ?? 0) === 1;
  }

  async markManaged(clientId: string): Promise<void> {
    await this.repo.update({ clientId }, { managed: true });
  }

  async underBootstrapLock<T>(work: () => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('SELECT pg_advisory_lock($1)', [BOOTSTRAP_LOCK]);
      return await work();
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [BOOTSTRAP_LOCK]).catch(() => undefined);
      await runner.release();
    }
  }
}
