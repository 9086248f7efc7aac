import type { DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  ClientAuthenticator,
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
import { RevokedTokenEntity } from './persistence/entities/revoked-token.entity.js';
import { CreateRevokedToken1764050200000 } from './persistence/migrations/1764050200000-CreateRevokedToken.js';
import { RevocationStore } from './persistence/revocation.store.js';
import { IntrospectionController } from './tokens/introspection.controller.js';
import { IntrospectionService } from './tokens/introspection.service.js';
import { TokenStateService } from './tokens/token-state.service.js';

export function introspectionModule(config: IntrospectionConfig, runtime: SuiteRuntime): DynamicModule {
  return {
    module: class IntrospectionModule {},
    imports: [
      RuntimeModule.forService('introspection', runtime, config.RPC_TIMEOUT_MS),
      serviceDatabase('introspection', config, [RevokedTokenEntity], [CreateRevokedToken1764050200000]),
      TypeOrmModule.forFeature([RevokedTokenEntity]),
    ],
    controllers: [IntrospectionController, healthControllerFor('introspection')],
    providers: [
      { provide: IntrospectionConfig, useValue: config },
      { provide: PublicKeyRing, inject: [ServiceBus, EventBus], useFactory: (bus: ServiceBus, events: EventBus) => PublicKeyRing.create(bus, events) },
      ClientDirectory,
      ClientAuthenticator,
      RevocationStore,
      TokenStateService,
      IntrospectionService,
    ],
  };
}
