import { Logger } from '@nestjs/common';
import { connect, headers as natsHeaders, nanos, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { DeliverPolicy, jetstream, jetstreamManager, StorageType, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { ALL_DEAD_LETTERS_SUBJECT, ALL_EVENTS_SUBJECT, DEAD_LETTER_STREAM, EVENT_STREAM, type EventEnvelope } from '#contracts';
import { EventBus, type BatchHandler, type ConnectionListener, type ConsumeOptions, type DeadLetterPage, type EventListener } from './event-bus.js';
import { ConnectionWatch } from './connection-watch.js';
import { DeadLetterStream } from './dead-letter-stream.js';
import { toNatsHeaders } from './direct-nats.requester.js';
import { DurableConsumers } from './durable-consumers.js';
import { collectWithin, FETCH_WATCHDOG_MS, PUBLISH_TIMEOUT_MS, readEphemeral, REPLAY_BATCH_SIZE, type PubAck } from './jetstream-fetch.js';
import { coalesceWrites } from './write-coalescing.js';
import { ReplyMux } from './reply-mux.js';
import { outgoingHeaders } from '../observability/message-propagation.js';
import { REQUEST_ID_HEADER, RequestContext } from '../observability/request-context.js';

export { DEAD_LETTER_HEADERS } from './dead-letter-stream.js';

const decoder = new TextDecoder();

/** Both streams keep two minutes of message ids for de-duplication and 30 days of messages. */
const STREAM_RETENTION = { storage: StorageType.File, duplicate_window: nanos(2 * 60 * 1000), max_age: nanos(30 * 24 * 3600 * 1000) };

/**
 * Events on NATS JetStream. Owns the process's NATS connection, which the
 * NestJS request/reply transport shares (see SharedNatsServer). Publishing,
 * fan-out subscriptions and replays are here; the connection's ups and downs
 * are `ConnectionWatch`'s, durable consumers `DurableConsumers`' and dead
 * letters `DeadLetterStream`'s.
 */
export class NatsEventBus extends EventBus {
  private readonly logger = new Logger('NatsEventBus');
  private readonly js: JetStreamClient;
  private readonly subscriptions = new Set<Subscription>();
  private readonly watch: ConnectionWatch;
  private readonly deadLetterStream: DeadLetterStream;
  private readonly durableConsumers: DurableConsumers;
  /** Request/reply on one shared reply subscription, for the hot paths (service requests, JetStream publishes). */
  readonly replies: ReplyMux;

  private constructor(
    readonly connection: NatsConnection,
    private readonly jsm: JetStreamManager,
  ) {
    super();
    this.js = jetstream(connection);
    this.replies = new ReplyMux(connection);
    this.watch = new ConnectionWatch(connection);
    this.deadLetterStream = new DeadLetterStream(jsm, this.js, this.replies);
    this.durableConsumers = new DurableConsumers(jsm, this.js, this.deadLetterStream);
  }

  /**
   * Whether the connection is up now. While it is down (the client
   * reconnects by itself, without limit), requests fail at once with 503
   * instead of waiting for their timeout, and health reports the broker down.
   */
  get isConnected(): boolean {
    return this.watch.isConnected;
  }

  onConnectionChange(listener: ConnectionListener): () => void {
    return this.watch.onConnectionChange(listener);
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
    if (!coalesceWrites(connection)) new Logger('NatsEventBus').warn('this nats.js version cannot coalesce socket writes; each message is written on its own');
    const jsm = await jetstreamManager(connection);
    const bus = new NatsEventBus(connection, jsm);
    await bus.ensureStream();
    return bus;
  }

  /** Creates the installation's event and dead-letter streams when they do not exist (idempotent). */
  private async ensureStream(): Promise<void> {
    await this.ensure({ name: EVENT_STREAM, subjects: [ALL_EVENTS_SUBJECT], ...STREAM_RETENTION });
    // Issue #14: what a consumer could not process, kept as long as the events themselves; a dead letter written
    // twice (two replicas, a retry) is one, by its Nats-Msg-Id `<consumer>:<sequence>`.
    await this.ensure({ name: DEAD_LETTER_STREAM, subjects: [ALL_DEAD_LETTERS_SUBJECT], ...STREAM_RETENTION });
  }

  private async ensure(config: { name: string; subjects: string[]; storage: StorageType; duplicate_window: number; max_age: number }): Promise<void> {
    try {
      await this.jsm.streams.info(config.name);
    } catch {
      try {
        await this.jsm.streams.add(config);
        this.logger.log(`created JetStream stream ${config.name} on ${config.subjects.join(', ')}`);
      } catch (err: unknown) {
        // Another service may have created it between our two calls.
        await this.jsm.streams.info(config.name).catch(() => {
          throw err;
        });
      }
    }
  }

  /** The event's request id (and the trace context of the work in progress) go in the message headers too. */
  async publishEnvelope(envelope: EventEnvelope): Promise<void> {
    const headers = outgoingHeaders();
    const requestId = envelope.request_id ?? headers?.[REQUEST_ID_HEADER];
    const carried = requestId === undefined ? headers : { ...headers, [REQUEST_ID_HEADER]: requestId };
    const h = toNatsHeaders(carried) ?? natsHeaders();
    // JetStream's publish protocol: the message id header de-duplicates; the stream answers with a PubAck.
    h.set('Nats-Msg-Id', envelope.id);
    const reply = await this.replies.request(EventBus.subjectOf(envelope), JSON.stringify(envelope), { timeoutMs: PUBLISH_TIMEOUT_MS, headers: h });
    const ack = JSON.parse(decoder.decode(reply.data)) as PubAck;
    if (ack.error) throw new Error(`JetStream refused ${envelope.type} ${envelope.id}: ${ack.error.description ?? ack.error.code}`);
    if (typeof ack.stream !== 'string' || ack.stream === '') throw new Error(`JetStream gave no acknowledgement for ${envelope.type} ${envelope.id}`);
  }

  subscribe(subjectPattern: string, listener: EventListener): () => void {
    const sub = this.connection.subscribe(subjectPattern, {
      callback: (err, msg) => {
        if (err) return this.logger.warn(`subscription ${subjectPattern}: ${err.message}`);
        try {
          const envelope = JSON.parse(decoder.decode(msg.data)) as EventEnvelope;
          RequestContext.run(RequestContext.accept(msg.headers?.get(REQUEST_ID_HEADER)), () => listener(envelope));
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

  consume(durableName: string, filterSubject: string, handler: BatchHandler, options: ConsumeOptions = {}): Promise<() => Promise<void>> {
    return this.durableConsumers.consume(durableName, filterSubject, handler, options);
  }

  /** Reads the dead-letter stream from `after` with an ephemeral consumer (deleted when done), as replay does. */
  deadLetters(query: { consumer?: string; after: number; limit: number }): Promise<DeadLetterPage> {
    return this.deadLetterStream.list(query);
  }

  /**
   * An ephemeral consumer from `since` (no acknowledgements, deleted at the
   * end): as many events as it had pending when created, i.e. those stored
   * before the call; later ones are the subscriptions' business.
   */
  async replay(subjectPattern: string, since: Date, listener: EventListener): Promise<number> {
    const config = { deliver_policy: DeliverPolicy.StartTime, opt_start_time: since.toISOString(), filter_subject: subjectPattern };
    return readEphemeral(this.jsm, this.js, EVENT_STREAM, config, async (pending, consumerOf) => {
      let remaining = pending;
      let handed = 0;
      if (remaining === 0) return 0;
      const consumer = await consumerOf();
      while (remaining > 0) {
        const batch = await consumer.fetch({ max_messages: Math.min(remaining, REPLAY_BATCH_SIZE), expires: 1000 });
        const received = await collectWithin(batch, FETCH_WATCHDOG_MS);
        if (received.length === 0) throw new Error(`replay of ${subjectPattern} stopped with ${remaining} event(s) still to read`);
        for (const m of received) {
          remaining = Math.min(remaining - 1, m.info.pending);
          try {
            const envelope = JSON.parse(decoder.decode(m.data)) as EventEnvelope;
            RequestContext.run(RequestContext.accept(m.headers?.get(REQUEST_ID_HEADER)), () => listener(envelope));
            handed++;
          } catch (e: unknown) {
            this.logger.error(`replay of ${subjectPattern}: stream sequence ${m.seq} skipped: ${(e as Error).message}`);
          }
        }
      }
      return handed;
    });
  }

  async isHealthy(): Promise<boolean> {
    if (!this.isConnected) return false;
    try {
      await this.connection.flush();
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.watch.clear();
    for (const sub of this.subscriptions) sub.unsubscribe();
    if (!this.connection.isClosed()) await this.connection.drain().catch(() => undefined);
    this.replies.close();
  }
}
