import type { DynamicModule } from '@nestjs/common';
import { AssertionReplayStore, clientAssertionVerifierProvider, ClientAuthenticator, ClientDirectory, DpopNonces, DpopProofVerifier, EventBus, healthControllerFor, RuntimeModule, ServiceBus, SigningKeyRing, type SuiteRuntime } from '#nest';
import { ID_TOKEN_SIGNING_ALGS, TokenConfig } from './config/token.config.js';
import { AuthorizationCodeGrant } from './grants/authorization-code.grant.js';
import { ClientCredentialsGrant } from './grants/client-credentials.grant.js';
import { GRANT_HANDLERS, type GrantHandler } from './grants/grant-handler.js';
import { GrantRegistry } from './grants/grant.registry.js';
import { JwtBearerGrant } from './grants/jwt-bearer.grant.js';
import { RefreshTokenGrant } from './grants/refresh-token.grant.js';
import { TokenController } from './token.controller.js';
import { AccessTokenIssuer } from './tokens/access-token.issuer.js';
import { GrantTokenResponse } from './tokens/grant-token.response.js';
import { IdTokenIssuer } from './tokens/id-token.issuer.js';

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
        // Access tokens, and ID tokens in every algorithm a client may register.
        useFactory: (bus: ServiceBus, events: EventBus) =>
          SigningKeyRing.create(bus, events, config.KEY_ENCRYPTION_KEY, { requiredAlgs: [...new Set([config.ACCESS_TOKEN_ALG, ...ID_TOKEN_SIGNING_ALGS])] }),
      },
      ClientDirectory,
      clientAssertionVerifierProvider(config),
      ClientAuthenticator,
      {
        provide: DpopProofVerifier,
        inject: [AssertionReplayStore],
        useFactory: (replays: AssertionReplayStore) =>
          new DpopProofVerifier(replays, config.DPOP_NONCE_REQUIRED === 'true' ? DpopNonces.derive(config.KEY_ENCRYPTION_KEY, config.DPOP_NONCE_ROTATION_SECONDS) : null),
      },
      AccessTokenIssuer,
      IdTokenIssuer,
      GrantTokenResponse,
      ClientCredentialsGrant,
      AuthorizationCodeGrant,
      RefreshTokenGrant,
      JwtBearerGrant,
      {
        provide: GRANT_HANDLERS,
        inject: [AuthorizationCodeGrant, RefreshTokenGrant, ClientCredentialsGrant, JwtBearerGrant],
        useFactory: (...handlers: GrantHandler[]) => handlers,
      },
      GrantRegistry,
    ],
  };
}
