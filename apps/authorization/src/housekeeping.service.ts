import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InteractionStore } from './flow/interaction.store.js';
import { LaunchService } from './launch/launch.service.js';
import { PushedRequestStore } from './par/pushed-request.store.js';
import { AuthorizationCodeStore } from './persistence/authorization-code.store.js';
import { RefreshTokenStore } from './persistence/refresh-token.store.js';
import { LoginThrottle } from './users/login-throttle.js';
import { SessionService } from './users/session.service.js';

/** Deletes expired interactions, sessions, codes, refresh tokens, launches, pushed authorization requests and throttle windows every minute. */
@Injectable()
export class Housekeeping implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Housekeeping');
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly interactions: InteractionStore,
    private readonly codes: AuthorizationCodeStore,
    private readonly refreshTokens: RefreshTokenStore,
    private readonly launches: LaunchService,
    private readonly throttle: LoginThrottle,
    private readonly sessions: SessionService,
    private readonly pushedRequests: PushedRequestStore,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      Promise.all([
        this.interactions.purgeExpired(),
        this.codes.purgeExpired(),
        this.refreshTokens.purgeExpired(),
        this.launches.purgeExpired(),
        this.throttle.purgeExpired(),
        this.sessions.purgeExpired(),
        this.pushedRequests.purgeExpired(),
      ]).catch(
        (err: unknown) => this.logger.warn(`purge failed: ${(err as Error).message}`),
      );
    }, 60_000);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
