import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { SigningKeyEntity } from './entities/signing-key.entity.js';

/** Lock id serialising key generation across jwks replicas ("jwks" in ASCII). */
const KEY_GENERATION_LOCK = 0x6a776b73;

@Injectable()
export class KeyStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async all(): Promise<SigningKeyEntity[]> {
    return this.dataSource.getRepository(SigningKeyEntity).find({ order: { createdAt: 'ASC' } });
  }

  /** Runs `work` in a transaction holding the key-generation advisory lock. */
  async underGenerationLock<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [KEY_GENERATION_LOCK]);
      return work(manager);
    });
  }
}
