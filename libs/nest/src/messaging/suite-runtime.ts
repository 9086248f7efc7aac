import type { CustomTransportStrategy, Server } from '@nestjs/microservices';
import { ASSERTION_JTI_BUCKET, RATE_LIMIT_BUCKET } from '#contracts';
import { AssertionReplayStore, InMemoryAssertionReplayStore } from './assertion-replay.store.js';
import { EventBus } from './event-bus.js';
import { InProcessEventBus } from './in-process-event-bus.js';
import { InProcessRouter, InProcessServer } from './in-process.transport.js';
import { InProcessRequester } from './in-process.requester.js';
import { NatsEventBus } from './nats-event-bus.js';
import { ServiceBus } from './service-bus.js';
import { DirectNatsRequester } from './direct-nats.requester.js';
import { SharedNatsServer } from './shared-nats.transport.js';
import { JetStreamAssertionReplayStore } from './jetstream-assertion-replay.store.js';
import { JetStreamWindowCounterStore } from './jetstream-window-counter.store.js';
import type { WindowCounterStore } from './window-counter.store.js';

/**
 * How a process reaches the rest of the suite: over NATS (one connection per
 * process, shared by request/reply and events), or in process for the
 * embedded development mode.
 */
export interface SuiteRuntime {
  readonly mode: 'nats' | 'in-process';
  readonly events: EventBus;
  /** Single-use assertion ids (`jti`), shared by every replica of every service. */
  readonly assertionReplays: AssertionReplayStore;
  /**
   * Window counters shared by the replicas (the gateway's rate limits), each count kept
   * `maxAgeSeconds`; undefined in process, where one process counts alone anyway.
   */
  windowCounters(maxAgeSeconds: number): WindowCounterStore | undefined;
  /** Transport strategy for a service's message handlers (queue group = service name). */
  serverStrategy(service: string): Server & CustomTransportStrategy;
  /** A typed request/reply client. */
  serviceBus(timeoutMs: number): ServiceBus;
  close(): Promise<void>;
}

export class NatsRuntime implements SuiteRuntime {
  readonly mode = 'nats' as const;

  readonly assertionReplays: AssertionReplayStore;

  private constructor(readonly events: NatsEventBus) {
    this.assertionReplays = new JetStreamAssertionReplayStore(events.connection, ASSERTION_JTI_BUCKET);
  }

  static async connect(natsUrl: string, processName: string): Promise<NatsRuntime> {
    return new NatsRuntime(await NatsEventBus.connect(natsUrl, processName));
  }

  windowCounters(maxAgeSeconds: number): WindowCounterStore {
    return new JetStreamWindowCounterStore(this.events.connection, RATE_LIMIT_BUCKET, maxAgeSeconds, () => this.events.isConnected);
  }

  serverStrategy(service: string): SharedNatsServer {
    return new SharedNatsServer(this.events.connection, service);
  }

  serviceBus(timeoutMs: number): ServiceBus {
    return new ServiceBus(new DirectNatsRequester(this.events.replies, () => this.events.isConnected), timeoutMs);
  }

  async close(): Promise<void> {
    await this.events.close();
  }
}

export class InProcessRuntime implements SuiteRuntime {
  readonly mode = 'in-process' as const;
  readonly events = new InProcessEventBus();
  readonly assertionReplays: AssertionReplayStore = new InMemoryAssertionReplayStore();
  private readonly router = new InProcessRouter();

  windowCounters(): undefined {
    return undefined;
  }

  serverStrategy(): InProcessServer {
    return new InProcessServer(this.router);
  }

  serviceBus(timeoutMs: number): ServiceBus {
    return new ServiceBus(new InProcessRequester(this.router), timeoutMs);
  }

  async close(): Promise<void> {
    await this.events.close();
  }
}
