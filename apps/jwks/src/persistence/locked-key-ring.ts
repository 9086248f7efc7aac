import type { EntityManager } from 'typeorm';
import { SigningKeyEntity } from './entities/signing-key.entity.js';
import type { NewSigningKey } from './key.store.js';

/**
 * The key table inside a transaction that holds the ring's advisory lock: the
 * only place keys change state. Each transition names its expected current
 * state, so a step planned on stale data changes nothing rather than the wrong key.
 */
export class LockedKeyRing {
  constructor(private readonly manager: EntityManager) {}

  private get repo() {
    return this.manager.getRepository(SigningKeyEntity);
  }

  /** Every key, oldest first. */
  keys(): Promise<SigningKeyEntity[]> {
    return this.repo.find({ order: { createdAt: 'ASC', kid: 'ASC' } });
  }

  /** Adds a key, published from `at` on: as `next`, or directly `active` (an algorithm without any key). */
  publish(key: NewSigningKey, state: 'next' | 'active', at: Date): Promise<SigningKeyEntity> {
    return this.repo.save(this.repo.create({ ...key, state, createdAt: at, activatedAt: state === 'active' ? at : null, retiredAt: null }));
  }

  /** active → retired: stops signing, stays published. */
  async retire(kid: string, at: Date): Promise<void> {
    await this.transition(kid, 'active', { state: 'retired', retiredAt: at });
  }

  /** next → active: signs from `at` on. Retire the current active key first (one active key per algorithm). */
  async activate(kid: string, at: Date): Promise<void> {
    await this.transition(kid, 'next', { state: 'active', activatedAt: at });
  }

  /** A retired key leaves the ring for good. */
  async remove(kid: string): Promise<void> {
    const result = await this.repo.delete({ kid, state: 'retired' });
    if (result.affected !== 1) throw new Error(`signing key ${kid} is not a retired key`);
  }

  private async transition(kid: string, from: SigningKeyEntity['state'], change: Pick<Partial<SigningKeyEntity>, 'state' | 'activatedAt' | 'retiredAt'>): Promise<void> {
    const result = await this.repo.update({ kid, state: from }, change);
    if (result.affected !== 1) throw new Error(`signing key ${kid} is not ${from}`);
  }
}
