import { Global, Module, type DynamicModule } from '@nestjs/common';
import { AssertionReplayStore } from '../messaging/assertion-replay.store.js';
import { EventBus } from '../messaging/event-bus.js';
import { ServiceBus } from '../messaging/service-bus.js';
import type { SuiteRuntime } from '../messaging/suite-runtime.js';

/** Injection token of the running service's name (`token`, `jwks`, …). */
export const SERVICE_NAME = 'SERVICE_NAME';

/**
 * Makes the process's transport available to a service's providers: the
 * event bus, a typed request client and the service's name.
 */
@Global()
@Module({})
export class RuntimeModule {
  static forService(service: string, runtime: SuiteRuntime, rpcTimeoutMs: number): DynamicModule {
    return {
      module: RuntimeModule,
      providers: [
        { provide: SERVICE_NAME, useValue: service },
        { provide: EventBus, useValue: runtime.events },
        { provide: AssertionReplayStore, useValue: runtime.assertionReplays },
        { provide: ServiceBus, useFactory: () => runtime.serviceBus(rpcTimeoutMs) },
      ],
      exports: [SERVICE_NAME, EventBus, AssertionReplayStore, ServiceBus],
    };
  }
}
