import type { DynamicModule } from '@nestjs/common';
import { ClientAuthenticator, ClientDirectory, EventBus, healthControllerFor, RuntimeModule, ServiceBus, SigningKeyRing, type SuiteRuntime } from '#nest';
import { TokenConfig } from './config/token.config.js';
import { ClientCredentialsGrant } from './grants/client-credentials.grant.js';
import { GRANT_HANDLERS, type GrantHandler } from './grants/grant-handler.js';
import { GrantRegistry } from './grants/grant.registry.js';
import { TokenController } from './token.controller.js';
import { AccessTokenIssuer } from './tokens/access-token.issuer.js';

export function tokenModule(config: TokenConfig, runtime: SuiteRuntime): DynamicModule {
  return {
    module: class TokenModule {},
    imports: [RuntimeModule.forService('token', runtime, config.RPC_TIMEOUT_MS)],
    controllers: [TokenController, healthControllerFor('token')],
    providers: [
      { provide: TokenConfig, useValue: config },
      {
        provide: SigningKeyRing,
        inject: [ServiceBus, EventBus],
        useFactory: (bus: ServiceBus, events: EventBus) =>
          SigningKeyRing.create(bus, events, config.KEY_ENCRYPTION_KEY, { requiredAlgs: [config.ACCESS_TOKEN_ALG] }),
      },
      ClientDirectory,
      ClientAuthenticator,
      AccessTokenIssuer,
      ClientCredentialsGrant,
      {
        provide: GRANT_HANDLERS,
        inject: [ClientCredentialsGrant],
        useFactory: (...handlers: GrantHandler[]) => handlers,
      },
      GrantRegistry,
    ],
  };
}
