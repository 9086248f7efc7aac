import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { eventSubject, type TokenRevokedData } from '#contracts';
import { EventBus } from '#nest';
import { RevocationStore } from '../persistence/revocation.store.js';
import { RevocationList } from './revocation-list.js';

/**
 * This replica's revoked set: loaded from the table at start, kept current by
 * every replica's `token.revoked` events (fan-out), purged as tokens expire.
 */
@Injectable()
export class TokenStateService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('TokenState');
  readonly revoked = new RevocationList();
  private unsubscribe: () => void = () => undefined;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly store: RevocationStore,
    @Inject(EventBus) private readonly events: EventBus,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Subscribe first so nothing revoked while loading is missed.
    this.unsubscribe = this.events.subscribe(eventSubject('token.revoked'), (event) => {
      const data = event.data as Partial<TokenRevokedData>;
      if (typeof data.jti === 'string' && typeof data.exp === 'number') this.revoked.add(data.jti, data.exp);
    });
    for (const row of await this.store.live()) this.revoked.add(row.jti, Math.floor(row.expiresAt.getTime() / 1000));
    this.logger.log(`${this.revoked.size} live revocations loaded`);
    this.timer = setInterval(() => {
      this.revoked.purge(Math.floor(Date.now() / 1000));
      this.store.purgeExpired().catch((err: unknown) => this.logger.warn(`purge failed: ${(err as Error).message}`));
    }, 60_000);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    this.unsubscribe();
    if (this.timer) clearInterval(this.timer);
  }
}
