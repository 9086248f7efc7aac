import type { DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { RuntimeModule, type SuiteRuntime } from '#nest';
import { GatewayConfig } from './config/gateway.config.js';
import { DiscoveryController } from './discovery/discovery.controller.js';
import { DiscoveryService } from './discovery/discovery.service.js';
import { UdapDiscovery } from './discovery/udap-discovery.service.js';
import { AdminClientsController } from './endpoints/admin-clients.controller.js';
import { AdminAuditController } from './endpoints/admin-audit.controller.js';
import { AdminKeysController } from './endpoints/admin-keys.controller.js';
import { HealthController } from './endpoints/health.controller.js';
import { IntrospectionController } from './endpoints/introspection.controller.js';
import { JwksController } from './endpoints/jwks.controller.js';
import { ParController } from './endpoints/par.controller.js';
import { RegistrationController } from './endpoints/registration.controller.js';
import { TokenController } from './endpoints/token.controller.js';
import { WebController } from './endpoints/web.controller.js';
import { EdgePolicy } from './http/edge-policy.js';
import { OAuthErrorFilter } from './http/oauth-error.filter.js';
import { ServingState } from './http/serving-state.js';

export function gatewayModule(config: GatewayConfig, runtime: SuiteRuntime, policy: EdgePolicy, serving: ServingState): DynamicModule {
  return {
    module: class GatewayModule {},
    imports: [RuntimeModule.forService('gateway', runtime, config.RPC_TIMEOUT_MS)],
    controllers: [
      DiscoveryController,
      TokenController,
      ParController,
      IntrospectionController,
      RegistrationController,
      JwksController,
      AdminKeysController,
      AdminClientsController,
      AdminAuditController,
      HealthController,
      WebController,
    ],
    providers: [{ provide: GatewayConfig, useValue: config }, { provide: EdgePolicy, useValue: policy },
      { provide: ServingState, useValue: serving },
      { provide: APP_FILTER, useClass: OAuthErrorFilter }, DiscoveryService, UdapDiscovery],
  };
}
