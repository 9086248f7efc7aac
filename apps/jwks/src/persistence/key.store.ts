import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { PublicJwk } from '#contracts';
import { SigningKeyEntity } from './entities/signing-key.entity.js';

/** Lock id serialising key generation across jwks replicas ("jwks" in ASCII). */
const KEY_GENERATION_LOCK = 0x6a776b73;

/** A freshly generated key, private half already sealed. */
export interface NewSigningKey {
  kid: string;
  alg: string;
  publicJwk: PublicJwk;
  encryptedPrivateJwk: string;
  kekId: string;
}

/**
 * The key ring's table. Keys move next → active → retired; rotation (issue #5)
 * adds the transitions, today the store only guarantees an active key per
 * algorithm.
 */
@Injectable()
export class KeyStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Every key, oldest first. */
  async all(): Promise<SigningKeyEntity[]> {
    return this.dataSource.getRepository(SigningKeyEntity).find({ order: { createdAt: 'ASC', kid: 'ASC' } });
  }

  /**
   * Makes sure each algorithm has an active key, generating the missing ones
   * with `generate`. Runs in one transaction holding an advisory lock, so two
   * replicas starting together generate one key, not two. Returns the keys it
   * created.
   */
  async ensureActive(algs: readonly string[], generate: (alg: string) => Promise<NewSigningKey>): Promise<SigningKeyEntity[]> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [KEY_GENERATION_LOCK]);
      const repo = manager.getRepository(SigningKeyEntity);
      const created: SigningKeyEntity[] = [];
      for (const alg of algs) {
        // Another replica may have generated it while we waited for the lock.
        if (await repo.exists({ where: { alg, state: 'active' } })) continue;
        const key = await generate(alg);
        created.push(await repo.save(repo.create({ ...key, state: 'active', activatedAt: new Date(), retiredAt: null })));
      }
      return created;
    });
  }
}
