import type { FactoryProvider } from '@nestjs/common';
import { janitorProvider, Outbox, type Janitor } from '#nest';
import { reuseDetectionSeconds, type AuthorizationConfig } from './config/authorization.config.js';
import { InteractionStore } from './flow/interaction.store.js';
import { LaunchService } from './launch/launch.service.js';
import { PushedRequestStore } from './par/pushed-request.store.js';
import { AuthorizationCodeStore } from './persistence/authorization-code.store.js';
import { RefreshTokenStore } from './persistence/refresh-token.store.js';
import { LoginThrottle } from './users/login-throttle.js';
import { SessionService } from './users/session.service.js';

/** Key of the authorization service's housekeeping advisory lock ("hkau" in ASCII). */
export const AUTHORIZATION_HOUSEKEEPING_LOCK = 0x686b6175;

/**
 * The authorization service's janitor (issue #20): expired interactions,
 * codes, refresh tokens (and rotated ones past the reuse-detection horizon),
 * launch contexts, throttle windows, sessions, pushed requests and published
 * outbox rows, each store
 * saying what its horizon is (see docs/operations.md, housekeeping).
 */
export function authorizationJanitor(config: AuthorizationConfig): FactoryProvider<Janitor> {
  return janitorProvider({
    service: 'authorization',
    lockKey: AUTHORIZATION_HOUSEKEEPING_LOCK,
    config,
    inject: [InteractionStore, AuthorizationCodeStore, RefreshTokenStore, LaunchService, LoginThrottle, SessionService, PushedRequestStore, Outbox],
    tasks: (interactions, codes, refreshTokens, launches, throttle, sessions, pushedRequests, outbox) => [
      interactions.expiredRows(),
      codes.expiredRows(),
      ...refreshTokens.expiredRows(reuseDetectionSeconds(config)),
      launches.expiredRows(),
      throttle.expiredRows(),
      sessions.expiredRows(),
      pushedRequests.expiredRows(),
      outbox.expiredRows(),
    ],
  });
}
