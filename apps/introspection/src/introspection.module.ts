import type { DynamicModule } from '@nestjs/common';
import {
  ClientAuthenticator,
  clientAssertionVerifierProvider,
  ClientDirectory,
  healthControllerFor,
  janitorProvider,
  Outbox,
  outboxProvider,
  PUBLIC_KEY_RING_PROVIDER,
  ReadinessCondition,
  RuntimeModule,
  serviceTables,
  type SuiteRuntime,
} from '#nest';
import { IntrospectionConfig } from './config/introspection.config.js';
import { RevokedGrantEntity } from './persistence/entities/revoked-grant.entity.js';
import { RevokedTokenEntity } from './persistence/entities/revoked-token.entity.js';
import { RevocationStore } from './persistence/revocation.store.js';
import { RevokedGrantStore } from './persistence/revoked-grant.store.js';
import { IntrospectionController } from './tokens/introspection.controller.js';
import { IntrospectionService } from './tokens/introspection.service.js';
import { RefreshTokenFilter } from './tokens/refresh-token-filter.js';
import { TokenStateService } from './tokens/token-state.service.js';
import { INTROSPECTION_MIGRATIONS } from './persistence/migrations/index.js';

/** Key of the introspection service's housekeeping advisory lock ("hkin" in ASCII). */
export const INTROSPECTION_HOUSEKEEPING_LOCK = 0x686b696e;

export function introspectionModule(config: IntrospectionConfig, runtime: SuiteRuntime): DynamicModule {
  return {
    module: class IntrospectionModule {},
    imports: [
      RuntimeModule.forService('introspection', runtime, config.RPC_TIMEOUT_MS),
      ...serviceTables('introspection', config, [RevokedTokenEntity, RevokedGrantEntity], INTROSPECTION_MIGRATIONS),
    ],
    controllers: [IntrospectionController, healthControllerFor('introspection')],
    providers: [
      { provide: IntrospectionConfig, useValue: config },
      outboxProvider('introspection'),
      PUBLIC_KEY_RING_PROVIDER,
      ClientDirectory,
      clientAssertionVerifierProvider(config),
      ClientAuthenticator,
      RevocationStore,
      RevokedGrantStore,
      // Revocations whose tokens have all expired, and published outbox rows (issue #20): one replica at a time, in batches.
      janitorProvider({
        service: 'introspection',
        lockKey: INTROSPECTION_HOUSEKEEPING_LOCK,
        config,
        inject: [RevocationStore, RevokedGrantStore, Outbox],
        tasks: (tokens, grants, outbox) => [tokens.expiredRows(), grants.expiredRows(), outbox.expiredRows()],
      }),
      TokenStateService,
      // Not ready while the revocation state is catching up (issue #13).
      { provide: ReadinessCondition, useExisting: TokenStateService },
      IntrospectionService,
      RefreshTokenFilter,
    ],
  };
}
