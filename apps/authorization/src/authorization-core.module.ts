import { Global, Module, type DynamicModule } from '@nestjs/common';
import { BearerTokens, clientAssertionVerifierProvider, ClientAuthenticator, ClientDirectory, outboxProvider, PUBLIC_KEY_RING_PROVIDER } from '#nest';
import { AuthorizationConfig } from './config/authorization.config.js';
import { EventRecorder } from './grants/event-recorder.js';

/**
 * What every submodule of the authorization service uses: its configuration, the outbox and its events, the client
 * directory, client authentication as at /token (for pushed authorization requests, RFC 9126 §2), bearer-token checks.
 */
@Global()
@Module({})
export class AuthorizationCoreModule {
  static forRoot(config: AuthorizationConfig): DynamicModule {
    const providers = [
      { provide: AuthorizationConfig, useValue: config },
      outboxProvider('authorization'),
      PUBLIC_KEY_RING_PROVIDER,
      ClientDirectory,
      clientAssertionVerifierProvider(config),
      ClientAuthenticator,
      EventRecorder,
      BearerTokens,
    ];
    return { module: AuthorizationCoreModule, providers, exports: providers.map((p) => ('provide' in p ? p.provide : p)) };
  }
}
