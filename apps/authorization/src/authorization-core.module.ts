import { Global, Module, type DynamicModule } from '@nestjs/common';
import { BearerTokens, ClientDirectory, outboxProvider, PUBLIC_KEY_RING_PROVIDER } from '#nest';
import { AuthorizationConfig } from './config/authorization.config.js';
import { EventRecorder } from './grants/event-recorder.js';

/** What every submodule of the authorization service uses: its configuration, the outbox and its events, the client directory, bearer-token checks. */
@Global()
@Module({})
export class AuthorizationCoreModule {
  static forRoot(config: AuthorizationConfig): DynamicModule {
    const providers = [
      { provide: AuthorizationConfig, useValue: config },
      outboxProvider('authorization'),
      PUBLIC_KEY_RING_PROVIDER,
      ClientDirectory,
      EventRecorder,
      BearerTokens,
    ];
    return { module: AuthorizationCoreModule, providers, exports: providers.map((p) => ('provide' in p ? p.provide : p)) };
  }
}
