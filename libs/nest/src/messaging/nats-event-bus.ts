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
import { ALL_DEAD_LETTERS_SUBJECT, ALL_EVENTS_SUBJECT, DEAD_LETTER_STREAM, deadLetterSubject, EVENT_STREAM, type DeadLetter, type DeadLetterKind, type EventEnvelope } from '#contracts';
import { EventBus, MAX_DELIVER, type BatchHandler, type ConnectionChange, type ConnectionListener, type ConsumeOptions, type DeadLetterPage, type EventListener } from './event-bus.js';
import { afterFailure, headerText, redeliveryDelayMs } from './dead-letter-policy.js';
import { toNatsHeaders } from './direct-nats.requester.js';
import { coalesceWrites } from './write-coalescing.js';
import { ReplyMux } from './reply-mux.js';
import { suiteMetrics } from '../observability/metrics.js';
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

/** Headers of a dead letter (docs/events.md, Dead letters); the original message's own headers are kept beside them. */
export const DEAD_LETTER_HEADERS = {
  kind: 'Dead-Letter-Kind',
  reason: 'Dead-Letter-Reason',
  subject: 'Dead-Letter-Subject',
  stream: 'Dead-Letter-Stream',
  sequence: 'Dead-Letter-Stream-Sequence',
  consumer: 'Dead-Letter-Consumer',
  deliveries: 'Dead-Letter-Deliveries',
  time: 'Dead-Letter-Time',
  eventId: 'Dead-Letter-Event-Id',
} as const;

/**
 * An event is set aside for failing only while the handler is seen to work
 * for others: something was handled within this long. A handler that handles
 * nothing at all is taken to be down (an outage its `isTransient` did not
 * recognise), and its events wait rather than become dead letters.
 */
const HANDLER_PROVEN_MS = 60_000;

/** Characters of a dead letter's payload the listing shows. */
const DEAD_LETTER_PAYLOAD_SHOWN = 4096;

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

/** A message of the dead-letter stream as the admin API shows it. */
function deadLetterOf(m: JsMsg): DeadLetter {
  const header = (name: string) => m.headers?.get(name) ?? '';
  const text = decoder.decode(m.data);
  const kind = header(DEAD_LETTER_HEADERS.kind);
  const eventId = header(DEAD_LETTER_HEADERS.eventId);
  return {
    seq: m.seq,
    consumer: header(DEAD_LETTER_HEADERS.consumer),
    kind: kind === 'not_json' || kind === 'invalid_envelope' ? kind : 'max_deliver',
    reason: header(DEAD_LETTER_HEADERS.reason),
    subject: header(DEAD_LETTER_HEADERS.subject),
    stream: header(DEAD_LETTER_HEADERS.stream),
    stream_sequence: Number(header(DEAD_LETTER_HEADERS.sequence)) || 0,
    deliveries: Number(header(DEAD_LETTER_HEADERS.deliveries)) || 0,
    dead_at: header(DEAD_LETTER_HEADERS.time),
    ...(eventId ? { event_id: eventId } : {}),
    payload: text.slice(0, DEAD_LETTER_PAYLOAD_SHOWN),
    ...(text.length > DEAD_LETTER_PAYLOAD_SHOWN ? { payload_truncated: true as const } : {}),
  };
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

  /** Creates the installation's event and dead-letter streams when they do not exist (idempotent). */
  private async ensureStream(): Promise<void> {
    await this.ensure({
      name: EVENT_STREAM,
      subjects: [ALL_EVENTS_SUBJECT],
      storage: StorageType.File,
      duplicate_window: nanos(2 * 60 * 1000),
      max_age: nanos(30 * 24 * 3600 * 1000),
    });
    // Issue #14: what a consumer could not process, kept as long as the events themselves; a dead letter written
    // twice (two replicas, a retry) is one, by its Nats-Msg-Id `<consumer>:<sequence>`.
    await this.ensure({
      name: DEAD_LETTER_STREAM,
      subjects: [ALL_DEAD_LETTERS_SUBJECT],
      storage: StorageType.File,
      duplicate_window: nanos(2 * 60 * 1000),
      max_age: nanos(30 * 24 * 3600 * 1000),
    });
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

  async consume(durableName: string, filterSubject: string, handler: BatchHandler, options: ConsumeOptions = {}): Promise<() => Promise<void>> {
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
    const progress = { lastHandledAt: 0 };
    const loop = async () => {
      while (!stopped) {
        try {
          const batch = await consumer.fetch({ max_messages: BATCH_SIZE, expires: 1000 });
          // A fetch can stall when the connection drops mid-batch: give up on it after a while; what it had
          // handed out is not acknowledged, so it is delivered again after ack_wait.
          const received = await collectWithin(batch, FETCH_WATCHDOG_MS);
          if (received.length === 0) continue;
          await this.handleBatch(durableName, received, handler, options, progress);
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
   * One fetch (issue #14): a message that is not JSON, or that `problemOf`
   * refuses, becomes a dead letter at once; the rest go to the handler in one
   * batch. If that fails for the infrastructure, all are delivered again
   * later; otherwise each is handled on its own, so the good ones are stored
   * now and only the failing one waits for its next delivery (or, at its
   * last, becomes a dead letter).
   */
  private async handleBatch(durableName: string, received: JsMsg[], handler: BatchHandler, options: ConsumeOptions, progress: { lastHandledAt: number }): Promise<void> {
    const usable: Array<{ m: JsMsg; event: EventEnvelope }> = [];
    for (const m of received) {
      let value: unknown;
      try {
        value = JSON.parse(decoder.decode(m.data));
      } catch {
        await this.setAside(durableName, m, 'not_json', 'the message is not JSON');
        continue;
      }
      let problem: string | null;
      try {
        problem = options.problemOf?.(value) ?? null;
      } catch (err: unknown) {
        problem = `it could not be checked: ${(err as Error).message}`;
      }
      if (problem !== null) await this.setAside(durableName, m, 'invalid_envelope', problem);
      else usable.push({ m, event: value as EventEnvelope });
    }
    if (usable.length === 0) return;
    const transient = (err: unknown) => options.isTransient?.(err) === true;
    try {
      await handler(usable.map((u) => u.event));
      progress.lastHandledAt = Date.now();
      for (const { m } of usable.slice(0, -1)) m.ack();
      await usable[usable.length - 1]!.m.ackAck();
      return;
    } catch (err: unknown) {
      if (transient(err) || usable.length === 1) {
        await this.failed(durableName, usable, err, transient(err), progress);
        return;
      }
      this.logger.warn(`consumer ${durableName}: a batch of ${usable.length} failed (${(err as Error).message}); handling its events one by one`);
    }
    for (let i = 0; i < usable.length; i++) {
      const one = usable[i]!;
      try {
        await handler([one.event]);
        progress.lastHandledAt = Date.now();
        await one.m.ackAck();
      } catch (err: unknown) {
        if (transient(err)) {
          await this.failed(durableName, usable.slice(i), err, true, progress);
          return;
        }
        await this.failed(durableName, [one], err, false, progress);
      }
    }
  }

  /** Applies the dead-letter rule to events whose handling failed (dead-letter-policy.ts). */
  private async failed(durableName: string, events: Array<{ m: JsMsg }>, err: unknown, transient: boolean, progress: { lastHandledAt: number }): Promise<void> {
    const reason = (err as Error)?.message ?? String(err);
    if (!transient && Date.now() - progress.lastHandledAt > HANDLER_PROVEN_MS) {
      // Nothing handled for a while: the handler rather than these events may be what fails. They wait.
      for (const { m } of events) m.nak(redeliveryDelayMs(m.info.deliveryCount));
      this.logger.warn(`consumer ${durableName}: ${events.length} event(s) failed while nothing was handled for ${HANDLER_PROVEN_MS / 1000} s; delivered again, not set aside: ${reason}`);
      await new Promise((r) => setTimeout(r, 500));
      return;
    }
    if (transient) {
      this.logger.warn(`consumer ${durableName}: ${events.length} event(s) will be delivered again: ${reason}`);
      for (const { m } of events) m.nak(1000);
      await new Promise((r) => setTimeout(r, 500));
      return;
    }
    for (const { m } of events) {
      const decision = afterFailure(m.info.deliveryCount, MAX_DELIVER, false);
      if (decision.action === 'dead_letter') await this.setAside(durableName, m, decision.kind, reason);
      else {
        if (m.info.deliveryCount === 1) this.logger.warn(`consumer ${durableName}: stream sequence ${m.seq} failed, delivered again (at most ${MAX_DELIVER} times): ${reason}`);
        m.nak(decision.delayMs);
      }
    }
  }

  /**
   * Writes `m` to the dead-letter stream with the reason in headers, then
   * terminates it in the event stream (no redelivery). Logged once and
   * counted. If the dead letter cannot be written, `m` is delivered again.
   */
  private async setAside(durableName: string, m: JsMsg, kind: DeadLetterKind, reason: string): Promise<void> {
    const h = natsHeaders();
    if (m.headers) {
      for (const [key, values] of m.headers) if (key.toLowerCase() !== 'nats-msg-id') for (const v of values) h.append(key, v);
    }
    const eventId = m.headers?.get('Nats-Msg-Id');
    if (eventId) h.set(DEAD_LETTER_HEADERS.eventId, headerText(eventId));
    h.set(DEAD_LETTER_HEADERS.kind, kind);
    h.set(DEAD_LETTER_HEADERS.reason, headerText(reason));
    h.set(DEAD_LETTER_HEADERS.subject, m.subject);
    h.set(DEAD_LETTER_HEADERS.stream, m.info.stream);
    h.set(DEAD_LETTER_HEADERS.sequence, String(m.seq));
    h.set(DEAD_LETTER_HEADERS.consumer, durableName);
    h.set(DEAD_LETTER_HEADERS.deliveries, String(m.info.deliveryCount));
    h.set(DEAD_LETTER_HEADERS.time, new Date().toISOString());
    h.set('Nats-Msg-Id', `${durableName}:${m.seq}`);
    try {
      const reply = await this.replies.request(deadLetterSubject(durableName), m.data, { timeoutMs: PUBLISH_TIMEOUT_MS, headers: h });
      const ack = JSON.parse(decoder.decode(reply.data)) as PubAck;
      if (ack.error || typeof ack.stream !== 'string') throw new Error(ack.error?.description ?? 'no acknowledgement');
    } catch (err: unknown) {
      this.logger.error(`consumer ${durableName}: stream sequence ${m.seq} could not be set aside as a dead letter (${(err as Error).message}); delivered again`);
      m.nak(1000);
      return;
    }
    // No reason with the TERM: servers before 2.10 do not read one, and take `+TERM <reason>` for no acknowledgement at all.
    m.term();
    suiteMetrics().eventsDeadLettered.inc({ consumer: durableName, kind });
    this.logger.warn(
      `consumer ${durableName}: stream sequence ${m.seq} (${m.subject}${eventId ? `, event ${headerText(eventId).slice(0, 64)}` : ''}) set aside in ${DEAD_LETTER_STREAM} after ${m.info.deliveryCount} deliver${m.info.deliveryCount === 1 ? 'y' : 'ies'}: ${kind}: ${headerText(reason)}`,
    );
  }

  /** Reads the dead-letter stream from `after` with an ephemeral consumer (deleted when done), as replay does. */
  async deadLetters(query: { consumer?: string; after: number; limit: number }): Promise<DeadLetterPage> {
    const created = await this.jsm.consumers.add(DEAD_LETTER_STREAM, {
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: query.after + 1,
      filter_subject: query.consumer === undefined ? ALL_DEAD_LETTERS_SUBJECT : deadLetterSubject(query.consumer),
      ack_policy: AckPolicy.None,
      inactive_threshold: nanos(REPLAY_CONSUMER_INACTIVE_MS),
      mem_storage: true,
      num_replicas: 1,
    });
    try {
      const letters: DeadLetter[] = [];
      let pending = created.num_pending;
      if (pending === 0) return { letters };
      const consumer = await this.js.consumers.get(DEAD_LETTER_STREAM, created.name);
      while (letters.length < query.limit && pending > 0) {
        const batch = await consumer.fetch({ max_messages: Math.min(query.limit - letters.length, pending, REPLAY_BATCH_SIZE), expires: 1000 });
        const received = await collectWithin(batch, FETCH_WATCHDOG_MS);
        if (received.length === 0) break;
        for (const m of received) {
          pending = m.info.pending;
          letters.push(deadLetterOf(m));
        }
      }
      return pending > 0 && letters.length > 0 ? { letters, next: letters[letters.length - 1]!.seq } : { letters };
    } finally {
      await this.jsm.consumers.delete(DEAD_LETTER_STREAM, created.name).catch(() => undefined);
    }
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
