import { Logger } from '@nestjs/common';
import { connect, headers as natsHeaders, nanos, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  StorageType,
  type JetStreamClient,
  type ConsumerMessages,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { ALL_EVENTS_SUBJECT, EVENT_STREAM, type EventEnvelope } from '#contracts';
import { EventBus, type BatchHandler, type ConnectionChange, type ConnectionListener, type EventListener } from './event-bus.js';
import { toNatsHeaders } from './direct-nats.requester.js';
import { coalesceWrites } from './write-coalescing.js';
import { ReplyMux } from './reply-mux.js';
import { outgoingHeaders } from '../observability/message-propagation.js';
import { REQUEST_ID_HEADER, RequestContext } from '../observability/request-context.js';

const decoder = new TextDecoder();

/** Longest a fetch of `expires: 1000` may take before it is considered stalled (a dropped connection). */
const FETCH_WATCHDOG_MS = 5_000;

/**
 * Most events a durable consumer takes in one fetch. Smaller batches spread
 * the consumer's work (and its database's) evenly instead of in bursts that
 * hold a core while requests wait: at 5,500 tokens/s on two cores, batches of
 * 500 gave p99 22-26 ms on the token path, batches of 100 19-20 ms, for the
 * same CPU; 50 cost more per event.
 */
const BATCH_SIZE = 100;

/** How long publishing an event waits for the stream's acknowledgement. */
const PUBLISH_TIMEOUT_MS = 5_000;

/** JetStream's answer to a publish (a PubAck, or an error). */
interface PubAck {
  stream?: string;
  seq?: number;
  duplicate?: boolean;
  error?: { code?: number; err_code?: number; description?: string };
}

/** How long a delivered, unacknowledged event waits before JetStream delivers it again (a batch stores in milliseconds). */
const ACK_WAIT_MS = 10_000;

/** Most events one fetch of a replay takes. */
const REPLAY_BATCH_SIZE = 500;

/** A replay's ephemeral consumer is deleted when done; the server drops it after this long if that delete is lost. */
const REPLAY_CONSUMER_INACTIVE_MS = 30_000;

/** How long the round trip that confirms a reconnection may take before it is tried again. */
const RESUME_FLUSH_TIMEOUT_MS = 2_000;

/** The messages of one fetch, or what arrived before the watchdog fired (the fetch is then stopped). */
async function collectWithin(batch: ConsumerMessages, ms: number): Promise<JsMsg[]> {
  const received: JsMsg[] = [];
  let timer: NodeJS.Timeout | undefined;
  const watchdog = new Promise<'stalled'>((resolve) => {
    timer = setTimeout(() => resolve('stalled'), ms);
  });
  const drained = (async () => {
    for await (const m of batch) received.push(m);
    return 'done' as const;
  })();
  try {
    if ((await Promise.race([drained, watchdog])) === 'stalled') {
      batch.stop();
      throw new Error(`a fetch stalled for ${ms} ms; ${received.length} message(s) left unacknowledged for redelivery`);
    }
  } finally {
    clearTimeout(timer);
  }
  return received;
}

/**
 * Events on NATS JetStream. Owns the process's NATS connection, which the
 * NestJS request/reply transport shares (see SharedNatsServer).
 */
export class NatsEventBus extends EventBus {
  private readonly logger = new Logger('NatsEventBus');
  private readonly js: JetStreamClient;
  private readonly subscriptions = new Set<Subscription>();
  private readonly connectionListeners = new Set<ConnectionListener>();
  private connected = true;
  /** Counts connection changes, so a confirmation of a reconnection that was lost again meanwhile is dropped. */
  private epoch = 0;
  /** Request/reply on one shared reply subscription, for the hot paths (service requests, JetStream publishes). */
  readonly replies: ReplyMux;

  private constructor(
    readonly connection: NatsConnection,
    private readonly jsm: JetStreamManager,
  ) {
    super();
    this.js = jetstream(connection);
    this.replies = new ReplyMux(connection);
    void this.watchStatus();
  }

  /**
   * Whether the connection is up now. While it is down (the client
   * reconnects by itself, without limit), requests fail at once with 503
   * instead of waiting for their timeout, and health reports the broker down.
   */
  get isConnected(): boolean {
    return this.connected && !this.connection.isClosed();
  }

  private async watchStatus(): Promise<void> {
    for await (const status of this.connection.status()) {
      if (status.type === 'disconnect') {
        this.epoch++;
        if (this.connected) {
          this.logger.warn(`NATS connection lost (${status.server}); reconnecting`);
          this.connected = false;
          this.tell('lost');
        }
      } else if (status.type === 'reconnect') {
        this.logger.log(`NATS connection back (${status.server})`);
        this.connected = true;
        void this.confirmResumed(++this.epoch);
      }
    }
  }

  /**
   * nats.js sends this connection's subscriptions again before it reports
   * the reconnection; one round trip (PING/PONG, answered in order) proves
   * the server has them, so every event published from then on reaches this
   * process. Only then are listeners told `resumed`, so that what they
   * reload afterwards leaves no gap with what the subscriptions deliver.
   */
  private async confirmResumed(epoch: number): Promise<void> {
    while (epoch === this.epoch && !this.connection.isClosed()) {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          this.connection.flush(),
          new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('no PONG')), RESUME_FLUSH_TIMEOUT_MS))),
        ]);
        if (epoch === this.epoch) this.tell('resumed');
        return;
      } catch {
        // Lost again (the next reconnection confirms itself) or slow: try again while this epoch lasts.
      } finally {
        clearTimeout(timer);
      }
    }
  }

  private tell(change: ConnectionChange): void {
    for (const listener of this.connectionListeners) {
      try {
        listener(change);
      } catch (err: unknown) {
        this.logger.error(`a listener of connection changes failed on ${change}: ${(err as Error).message}`);
      }
    }
  }

  onConnectionChange(listener: ConnectionListener): () => void {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
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

  async consume(durableName: string, filterSubject: string, handler: BatchHandler): Promise<() => Promise<void>> {
    const wanted = {
      durable_name: durableName,
      // Explicit: every stored message is acknowledged on its own. (With AckPolicy.All, acknowledging a later
      // message also acknowledged earlier ones that were delivered to a consumer that died before storing them.)
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: filterSubject,
      ack_wait: nanos(ACK_WAIT_MS),
      max_ack_pending: 10_000,
    };
    let existing: Awaited<ReturnType<typeof this.jsm.consumers.info>> | undefined;
    try {
      existing = await this.jsm.consumers.info(EVENT_STREAM, durableName);
    } catch {
      existing = undefined;
    }
    if (existing && existing.config.ack_policy !== AckPolicy.Explicit) {
      // The ack policy of a consumer cannot be changed: start it over. Consumers are idempotent on the event id.
      this.logger.warn(`consumer ${durableName}: recreated with explicit acknowledgements; stored events are read again and skipped`);
      await this.jsm.consumers.delete(EVENT_STREAM, durableName);
      existing = undefined;
    }
    if (!existing) await this.jsm.consumers.add(EVENT_STREAM, wanted);
    else if (existing.config.ack_wait !== wanted.ack_wait) await this.jsm.consumers.update(EVENT_STREAM, durableName, { ack_wait: wanted.ack_wait });
    const consumer = await this.js.consumers.get(EVENT_STREAM, durableName);
    let stopped = false;
    const loop = async () => {
      while (!stopped) {
        try {
          const batch = await consumer.fetch({ max_messages: BATCH_SIZE, expires: 1000 });
          // A fetch can stall when the connection drops mid-batch: give up on it after a while; what it had
          // handed out is not acknowledged, so it is delivered again after ack_wait.
          const received = await collectWithin(batch, FETCH_WATCHDOG_MS);
          if (received.length === 0) continue;
          // A message that is not JSON is logged and skipped (still acknowledged), never a poison pill.
          const events: EventEnvelope[] = [];
          for (const m of received) {
            try {
              events.push(JSON.parse(decoder.decode(m.data)) as EventEnvelope);
            } catch {
              this.logger.warn(`consumer ${durableName}: skipped a message that is not JSON (stream sequence ${m.seq})`);
            }
          }
          try {
            await handler(events);
            for (const m of received.slice(0, -1)) m.ack();
            await received[received.length - 1]!.ackAck();
          } catch (err: unknown) {
            this.logger.warn(`consumer ${durableName}: batch failed, will be redelivered: ${(err as Error).message}`);
            for (const m of received) m.nak(1000);
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

  /**
   * An ephemeral consumer from `since` (no acknowledgements, deleted at the
   * end): as many events as it had pending when created, i.e. those stored
   * before the call; later ones are the subscriptions' business.
   */
  async replay(subjectPattern: string, since: Date, listener: EventListener): Promise<number> {
    const created = await this.jsm.consumers.add(EVENT_STREAM, {
      deliver_policy: DeliverPolicy.StartTime,
      opt_start_time: since.toISOString(),
      filter_subject: subjectPattern,
      ack_policy: AckPolicy.None,
      inactive_threshold: nanos(REPLAY_CONSUMER_INACTIVE_MS),
      mem_storage: true,
      num_replicas: 1,
    });
    let remaining = created.num_pending;
    let handed = 0;
    try {
      if (remaining === 0) return 0;
      const consumer = await this.js.consumers.get(EVENT_STREAM, created.name);
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
    } finally {
      await this.jsm.consumers.delete(EVENT_STREAM, created.name).catch(() => undefined);
    }
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
    this.connectionListeners.clear();
    for (const sub of this.subscriptions) sub.unsubscribe();
    if (!this.connection.isClosed()) await this.connection.drain().catch(() => undefined);
    this.replies.close();
  }
}
