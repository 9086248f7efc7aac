import { Logger } from '@nestjs/common';
import { connect, nanos, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { ALL_EVENTS_SUBJECT, EVENT_STREAM, type EventEnvelope } from '#contracts';
import { EventBus, type BatchHandler, type EventListener } from './event-bus.js';

const decoder = new TextDecoder();

/**
 * Events on NATS JetStream. Owns the process's NATS connection, which the
 * NestJS request/reply transport shares (see SharedNatsServer).
 */
export class NatsEventBus extends EventBus {
  private readonly logger = new Logger('NatsEventBus');
  private readonly js: JetStreamClient;
  private readonly subscriptions = new Set<Subscription>();

  private constructor(
    readonly connection: NatsConnection,
    private readonly jsm: JetStreamManager,
  ) {
    super();
    this.js = jetstream(connection);
  }

  static async connect(servers: string, name: string): Promise<NatsEventBus> {
    const connection = await connect({
      servers: servers.split(',').map((s) => s.trim()),
      name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      timeout: 5000,
      // No stack trace captured for every request: it cost ~7% of the gateway's CPU under load.
      noAsyncTraces: true,
    });
    const jsm = await jetstreamManager(connection);
    const bus = new NatsEventBus(connection, jsm);
    await bus.ensureStream();
    return bus;
  }

  /** Creates the installation's stream when it does not exist (idempotent). */
  private async ensureStream(): Promise<void> {
    const config = {
      name: EVENT_STREAM,
      subjects: [ALL_EVENTS_SUBJECT],
      storage: StorageType.File,
      duplicate_window: nanos(2 * 60 * 1000),
      max_age: nanos(30 * 24 * 3600 * 1000),
    };
    try {
      await this.jsm.streams.info(EVENT_STREAM);
    } catch {
      try {
        await this.jsm.streams.add(config);
        this.logger.log(`created JetStream stream ${EVENT_STREAM} on ${ALL_EVENTS_SUBJECT}`);
      } catch (err: unknown) {
        // Another service may have created it between our two calls.
        await this.jsm.streams.info(EVENT_STREAM).catch(() => {
          throw err;
        });
      }
    }
  }

  async publishEnvelope(envelope: EventEnvelope): Promise<void> {
    await this.js.publish(EventBus.subjectOf(envelope), JSON.stringify(envelope), { msgID: envelope.id, timeout: 5000 });
  }

  subscribe(subjectPattern: string, listener: EventListener): () => void {
    const sub = this.connection.subscribe(subjectPattern, {
      callback: (err, msg) => {
        if (err) return this.logger.warn(`subscription ${subjectPattern}: ${err.message}`);
        try {
          listener(JSON.parse(decoder.decode(msg.data)) as EventEnvelope);
        } catch (e: unknown) {
          this.logger.error(`listener on ${subjectPattern} failed: ${(e as Error).message}`);
        }
      },
    });
    this.subscriptions.add(sub);
    return () => {
      this.subscriptions.delete(sub);
      sub.unsubscribe();
    };
  }

  async consume(durableName: string, filterSubject: string, handler: BatchHandler): Promise<() => Promise<void>> {
    try {
      await this.jsm.consumers.info(EVENT_STREAM, durableName);
    } catch {
      await this.jsm.consumers.add(EVENT_STREAM, {
        durable_name: durableName,
        ack_policy: AckPolicy.All,
        deliver_policy: DeliverPolicy.All,
        filter_subject: filterSubject,
        ack_wait: nanos(30_000),
        max_ack_pending: 10_000,
      });
    }
    const consumer = await this.js.consumers.get(EVENT_STREAM, durableName);
    let stopped = false;
    const loop = async () => {
      while (!stopped) {
        try {
          const batch = await consumer.fetch({ max_messages: 500, expires: 1000 });
          const messages = [];
          for await (const m of batch) messages.push(m);
          if (messages.length === 0) continue;
          // A message that is not JSON is logged and skipped (still acknowledged with the batch), never a poison pill.
          const events: EventEnvelope[] = [];
          for (const m of messages) {
            try {
              events.push(JSON.parse(decoder.decode(m.data)) as EventEnvelope);
            } catch {
              this.logger.warn(`consumer ${durableName}: skipped a message that is not JSON (stream sequence ${m.seq})`);
            }
          }
          try {
            await handler(events);
            // AckPolicy.All: acknowledging the last message acknowledges the batch.
            await messages[messages.length - 1]!.ackAck();
          } catch (err: unknown) {
            this.logger.warn(`consumer ${durableName}: batch failed, will be redelivered: ${(err as Error).message}`);
            for (const m of messages) m.nak(1000);
            await new Promise((r) => setTimeout(r, 500));
          }
        } catch (err: unknown) {
          if (stopped) break;
          this.logger.warn(`consumer ${durableName}: ${(err as Error).message}`);
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
    };
    const running = loop();
    return async () => {
      stopped = true;
      await running;
    };
  }

  async isHealthy(): Promise<boolean> {
    if (this.connection.isClosed()) return false;
    try {
      await this.connection.flush();
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    for (const sub of this.subscriptions) sub.unsubscribe();
    if (!this.connection.isClosed()) await this.connection.drain().catch(() => undefined);
  }
}
