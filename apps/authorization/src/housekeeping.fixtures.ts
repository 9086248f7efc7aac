import type { DataSource } from 'typeorm';
import { ClientDirectory, InProcessEventBus, Outbox, type Janitor, type ServiceBus } from '#nest';
import type { AuthorizationConfig } from './config/authorization.config.js';
import { InteractionStore } from './flow/interaction.store.js';
import { authorizationJanitor } from './housekeeping.js';
import { LaunchService } from './launch/launch.service.js';
import { PushedRequestStore } from './par/pushed-request.store.js';
import { AuthorizationCodeStore } from './persistence/authorization-code.store.js';
import { RefreshTokenStore } from './persistence/refresh-token.store.js';
import { LoginThrottle } from './users/login-throttle.js';
import { SessionService } from './users/session.service.js';

/** The stores the authorization service's janitor is made of, as its module injects them, over `dataSource`. */
function housekeepingStores(dataSource: DataSource, config: AuthorizationConfig) {
  const directory = new ClientDirectory({ request: async () => null } as unknown as ServiceBus, new InProcessEventBus());
  return [
    new InteractionStore(dataSource, config),
    new AuthorizationCodeStore(),
    new RefreshTokenStore(dataSource),
    new LaunchService(dataSource, config, directory),
    new LoginThrottle(dataSource, config),
    new SessionService(dataSource, config),
    new PushedRequestStore(dataSource),
    new Outbox(dataSource, new InProcessEventBus(), 'authorization'),
  ] as const;
}

/** The authorization service's janitor (its own wiring and settings; the database of `config.DATABASE_URL`) over `dataSource`'s stores. */
export function authorizationJanitorOn(dataSource: DataSource, config: AuthorizationConfig): Janitor {
  return authorizationJanitor(config).useFactory(...housekeepingStores(dataSource, config)) as Janitor;
}
