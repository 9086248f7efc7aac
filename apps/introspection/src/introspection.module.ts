import type { DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  ClientAuthenticator,
  clientAssertionVerifierProvider,
  ClientDirectory,
  serviceDatabase,
  EventBus,
  healthControllerFor,
  PublicKeyRing,
  RuntimeModule,
  ServiceBus,
  type SuiteRuntime,
} from '#nest';
import { IntrospectionConfig } from './config/introspection.config.js';
import { RevokedGrantEntity } from './persistence/entities/revoked-grant.entity.js';
import { RevokedTokenEntity } from './persistence/entities/revoked-token.entity.js';
import { CreateRevokedToken1764050200000 } from './persistence/migrations/1764050200000-CreateRevokedToken.js';
import { CreateRevokedGrant1764080000000 } from './persistence/migrations/1764080000000-CreateRevokedGrant.js';
import { RevocationStore } from './persistence/revocation.store.js';
import { RevokedGrantStore } from './persistence/revoked-grant.store.js';
import { IntrospectionController } from './tokens/introspection.controller.js';
import { IntrospectionService } from './tokens/introspection.service.js';
import { TokenStateService } from './tokens/token-state.service.js';

export function introspectionModule(config: IntrospectionConfig, runtime: SuiteRuntime): DynamicModule {
  return {
    module: class IntrospectionModule {},
    imports: [
      RuntimeModule.forService('introspection', runtime, config.RPC_TIMEOUT_MS),
      serviceDatabase('introspection', config, [RevokedTokenEntity, RevokedGrantEntity], [CreateRevokedToken1764050200000, CreateRevokedGrant1764080000000]),
      TypeOrmModule.forFeature([RevokedTokenEntity, RevokedGrantEntity]),
    ],
    controllers: [IntrospectionController, healthControllerFor('introspection')],
    providers: [
      { provide: IntrospectionConfig, useValue: config },
      { provide: PublicKeyRing, inject: [ServiceBus, EventBus], useFactory: (bus: ServiceBus, events: EventBus) => PublicKeyRing.create(bus, events) },
      ClientDirectory,
      clientAssertionVerifierProvider(config),
      ClientAuthenticator,
      RevocationStore,
      RevokedGrantStore,
      TokenStateService,
      IntrospectionService,
    ],
  };
}
