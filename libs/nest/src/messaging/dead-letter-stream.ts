import { Logger } from '@nestjs/common';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { DeliverPolicy, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { ALL_DEAD_LETTERS_SUBJECT, DEAD_LETTER_STREAM, deadLetterSubject, type DeadLetter, type DeadLetterKind } from '#contracts';
import type { DeadLetterPage } from './event-bus.js';
import { headerText } from './dead-letter-policy.js';
import { collectWithin, FETCH_WATCHDOG_MS, PUBLISH_TIMEOUT_MS, readEphemeral, REPLAY_BATCH_SIZE, type PubAck } from './jetstream-fetch.js';
import type { ReplyMux } from './reply-mux.js';
import { suiteMetrics } from '../observability/metrics.js';

const decoder = new TextDecoder();

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

/** Characters of a dead letter's payload the listing shows. */
const DEAD_LETTER_PAYLOAD_SHOWN = 4096;

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
 * The dead-letter stream `<PREFIX>_DEAD_LETTERS` (issue #14): what a durable
 * consumer could not process, set aside with the reason, and the listing the
 * audit admin API shows.
 */
export class DeadLetterStream {
  private readonly logger = new Logger('NatsEventBus');

  constructor(
    private readonly jsm: JetStreamManager,
    private readonly js: JetStreamClient,
    private readonly replies: ReplyMux,
  ) {}

  /**
   * Writes `m` to the dead-letter stream with the reason in headers, then
   * terminates it in the event stream (no redelivery). Logged once and
   * counted. If the dead letter cannot be written, `m` is delivered again.
   */
  async setAside(durableName: string, m: JsMsg, kind: DeadLetterKind, reason: string): Promise<void> {
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
  async list(query: { consumer?: string; after: number; limit: number }): Promise<DeadLetterPage> {
    const config = {
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: query.after + 1,
      filter_subject: query.consumer === undefined ? ALL_DEAD_LETTERS_SUBJECT : deadLetterSubject(query.consumer),
    };
    return readEphemeral(this.jsm, this.js, DEAD_LETTER_STREAM, config, async (created, consumerOf) => {
      const letters: DeadLetter[] = [];
      let pending = created;
      if (pending === 0) return { letters };
      const consumer = await consumerOf();
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
    });
  }
}
