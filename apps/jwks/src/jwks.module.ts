import type { DynamicModule } from '@nestjs/common';
import { BearerTokens, healthControllerFor, outboxJanitorProvider, outboxProvider, RuntimeModule, serviceTables, type SuiteRuntime } from '#nest';
import { JwksConfig } from './config/jwks.config.js';
import { JwksController } from './jwks.controller.js';
import { KeyRingService } from './keys/key-ring.service.js';
import { KeyRotationService } from './keys/key-rotation.service.js';
import { SigningKeyEntity } from './persistence/entities/signing-key.entity.js';
import { KeyStore } from './persistence/key.store.js';
import { JWKS_MIGRATIONS } from './persistence/migrations/index.js';

/** Key of the jwks service's housekeeping advisory lock ("hkjw" in ASCII). */
export const JWKS_HOUSEKEEPING_LOCK = 0x686b6a77;

export function jwksModule(config: JwksConfig, runtime: SuiteRuntime): DynamicModule {
  return {
    module: class JwksModule {},
    imports: [RuntimeModule.forService('jwks', runtime, config.RPC_TIMEOUT_MS), ...serviceTables('jwks', config, [SigningKeyEntity], JWKS_MIGRATIONS)],
    controllers: [JwksController, healthControllerFor('jwks')],
    providers: [{ provide: JwksConfig, useValue: config }, outboxProvider('jwks'), outboxJanitorProvider('jwks', JWKS_HOUSEKEEPING_LOCK, config), KeyStore, KeyRingService, KeyRotationService, BearerTokens],
  };
}
