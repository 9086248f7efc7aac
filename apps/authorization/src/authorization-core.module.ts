import { Global, Module, type DynamicModule } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { BearerTokens, ClientDirectory, EventBus, Outbox, PublicKeyRing, ServiceBus } from '#nest';
import { AuthorizationConfig } from './config/authorization.config.js';
import { EventRecorder } from './grants/event-recorder.js';

/** What every submodule of the authorization service uses: its configuration, the outbox and its events, the client directory, bearer-token checks. */
@Global()
@Module({})
export class AuthorizationCoreModule {
  static forRoot(config: AuthorizationConfig): DynamicModule {
    const providers = [
      { provide: AuthorizationConfig, useValue: config },
      { provide: Outbox, inject: [getDataSourceToken(), EventBus], useFactory: (ds: DataSource, events: EventBus) => new Outbox(ds, events, 'authorization') },
      { provide: PublicKeyRing, inject: [ServiceBus, EventBus], useFactory: (bus: ServiceBus, events: EventBus) => PublicKeyRing.create(bus, events) },
      ClientDirectory,
      EventRecorder,
      BearerTokens,
    ];
    return { module: AuthorizationCoreModule, providers, exports: providers.map((p) => ('provide' in p ? p.provide : p)) };
  }
}
