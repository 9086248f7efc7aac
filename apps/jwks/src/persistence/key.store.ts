import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { inTransaction } from '#nest';
import type { DataSource, EntityManager } from 'typeorm';
import type { PublicJwk } from '#contracts';
import { SigningKeyEntity } from './entities/signing-key.entity.js';
import { LockedKeyRing } from './locked-key-ring.js';

/** Lock id serialising changes of the ring across jwks replicas ("jwks" in ASCII). */
const KEY_RING_LOCK = 0x6a776b73;

/** A freshly generated key, private half already sealed. */
export interface NewSigningKey {
  kid: string;
  alg: string;
  publicJwk: PublicJwk;
  encryptedPrivateJwk: string;
  kekId: string;
}

/**
 * `wait`: block until the lock is free (start-up, forced rotation).
 * `try`: give up at once when another replica holds it (the scheduler: that
 * replica is doing the work).
 */
export type RingLockMode = 'wait' | 'try';

export type LockedOutcome<T> = { acquired: true; value: T } | { acquired: false };

/** The key ring's table. Keys move next → active → retired → removed (see keys/rotation-schedule.ts). */
@Injectable()
export class KeyStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Every key, oldest first. */
  async all(): Promise<SigningKeyEntity[]> {
    return this.dataSource.getRepository(SigningKeyEntity).find({ order: { createdAt: 'ASC', kid: 'ASC' } });
  }

  /**
   * Runs `work` in one transaction holding a PostgreSQL advisory lock
   * (released at commit or rollback), so that only one jwks replica at a time
   * reads the ring, decides and changes it: two replicas starting or ticking
   * together make one change, not two. `work` gets the transaction's manager
   * too, for the events of the change (transactional outbox).
   */
  async withRingLock<T>(mode: RingLockMode, work: (ring: LockedKeyRing, manager: EntityManager) => Promise<T>): Promise<LockedOutcome<T>> {
    return inTransaction(this.dataSource, async (manager) => {
      if (mode === 'wait') {
        await manager.query('SELECT pg_advisory_xact_lock($1)', [KEY_RING_LOCK]);
      } else {
        const [row] = (await manager.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [KEY_RING_LOCK])) as Array<{ locked: boolean }>;
        if (!row?.locked) return { acquired: false };
      }
      return { acquired: true, value: await work(new LockedKeyRing(manager), manager) };
    });
  }
}
