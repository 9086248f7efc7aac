import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { eventSubject, type GrantRevokedData, type TokenRevokedData } from '#contracts';
import { EventBus } from '#nest';
import { RevocationStore } from '../persistence/revocation.store.js';
import { RevokedGrantStore } from '../persistence/revoked-grant.store.js';
import { GRANT_REVOCATION_KEEP_SECONDS, GrantRevocationList } from './grant-revocation-list.js';
import { RevocationList } from './revocation-list.js';

const MAX_GRANT_ID_LENGTH = 128;

/**
 * This replica's revocation state: revoked token ids (`token.revoked`) and
 * revoked grants (`grant.revoked`). Loaded from the tables at start, kept
 * current by every replica's events (fan-out), purged as tokens expire.
 */
@Injectable()
export class TokenStateService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('TokenState');
  readonly revoked = new RevocationList();
  readonly revokedGrants = new GrantRevocationList();
  private unsubscribe: Array<() => void> = [];
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly store: RevocationStore,
    private readonly grantStore: RevokedGrantStore,
    @Inject(EventBus) private readonly events: EventBus,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Subscribe first so nothing revoked while loading is missed.
    this.unsubscribe = [
      this.events.subscribe(eventSubject('token.revoked'), (event) => {
        const data = event.data as Partial<TokenRevokedData>;
        if (typeof data.jti === 'string' && typeof data.exp === 'number') this.revoked.add(data.jti, data.exp);
      }),
      this.events.subscribe(eventSubject('grant.revoked'), (event) => this.grantRevoked(event.data as Partial<GrantRevokedData>)),
    ];
    for (const row of await this.store.live()) this.revoked.add(row.jti, Math.floor(row.expiresAt.getTime() / 1000));
    for (const row of await this.grantStore.live()) {
      this.revokedGrants.add(row.grantId, Math.floor(row.revokedAt.getTime() / 1000), Math.floor(row.keepUntil.getTime() / 1000));
    }
    this.logger.log(`${this.revoked.size} live token revocations and ${this.revokedGrants.size} grant revocations loaded`);
    this.timer = setInterval(() => {
      const now = Math.floor(Date.now() / 1000);
      this.revoked.purge(now);
      this.revokedGrants.purge(now);
      this.store.purgeExpired().catch((err: unknown) => this.logger.warn(`purge failed: ${(err as Error).message}`));
      this.grantStore.purgeExpired().catch((err: unknown) => this.logger.warn(`grant revocation purge failed: ${(err as Error).message}`));
    }, 60_000);
    this.timer.unref();
  }

  /**
   * In force here at once; recorded so a replica that restarts still knows.
   * Every replica records it (idempotently): the table does not depend on any
   * one of them having been up.
   */
  private grantRevoked(data: Partial<GrantRevokedData>): void {
    const { grant_id: grantId, client_id: clientId, revoked_at: revokedAt } = data;
    const wellFormed =
      typeof grantId === 'string' &&
      grantId !== '' &&
      grantId.length <= MAX_GRANT_ID_LENGTH &&
      typeof clientId === 'string' &&
      typeof revokedAt === 'number' &&
      Number.isFinite(revokedAt);
    if (!wellFormed) {
      this.logger.warn('ignored a malformed grant.revoked event');
      return;
    }
    const keepUntil = revokedAt + GRANT_REVOCATION_KEEP_SECONDS;
    this.revokedGrants.add(grantId, revokedAt, keepUntil);
    this.grantStore
      .add(grantId, clientId, new Date(revokedAt * 1000), new Date(keepUntil * 1000))
      .catch((err: unknown) => this.logger.error(`grant revocation ${grantId} not recorded: ${(err as Error).message}`));
  }

  onModuleDestroy(): void {
    for (const unsubscribe of this.unsubscribe) unsubscribe();
    if (this.timer) clearInterval(this.timer);
  }
}
