import type { DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BearerTokens, serviceDatabase, healthControllerFor, RuntimeModule, type SuiteRuntime } from '#nest';
import { JwksConfig } from './config/jwks.config.js';
import { JwksController } from './jwks.controller.js';
import { KeyRingService } from './keys/key-ring.service.js';
import { KeyRotationService } from './keys/key-rotation.service.js';
import { SigningKeyEntity } from './persistence/entities/signing-key.entity.js';
import { CreateSigningKey1764050000000 } from './persistence/migrations/1764050000000-CreateSigningKey.js';
import { OneActiveKeyPerAlg1764060000000 } from './persistence/migrations/1764060000000-OneActiveKeyPerAlg.js';
import { KeyLifecycle1764090000000 } from './persistence/migrations/1764090000000-KeyLifecycle.js';
import { KeyStore } from './persistence/key.store.js';

export function jwksModule(config: JwksConfig, runtime: SuiteRuntime): DynamicModule {
  return {
    module: class JwksModule {},
    imports: [
      RuntimeModule.forService('jwks', runtime, config.RPC_TIMEOUT_MS),
      serviceDatabase('jwks', config, [SigningKeyEntity], [CreateSigningKey1764050000000, OneActiveKeyPerAlg1764060000000, KeyLifecycle1764090000000]),
      TypeOrmModule.forFeature([SigningKeyEntity]),
    ],
    controllers: [JwksController, healthControllerFor('jwks')],
    providers: [{ provide: JwksConfig, useValue: config }, KeyStore, KeyRingService, KeyRotationService, BearerTokens],
  };
}
