import { randomUUID } from 'node:crypto';
import { eventSubject, type DeadLetter, type EventData, type EventEnvelope, type EventType } from '#contracts';

export type EventListener = (event: EventEnvelope) => void;
export type BatchHandler = (events: EventEnvelope[]) => Promise<void>;

/** How a durable consumer tells events it can never process from failures worth retrying (issue #14). */
export interface ConsumeOptions {
  /**
   * Why a parsed message can never be processed (e.g. not a valid envelope),
   * or null: such a message becomes a dead letter at once, without a retry.
   */
  problemOf?: (value: unknown) => string | null;
  /**
   * Whether a failure is the infrastructure's (the database is unreachable):
   * then the messages are delivered again later and no attempt is counted
   * against them, so an outage never turns events into dead letters.
   */
  isTransient?: (error: unknown) => boolean;
}

/** A page of dead letters, oldest first; `next` is the `after` of the next page. */
export interface DeadLetterPage {
  letters: DeadLetter[];
  next?: number;
}

/**
 * Deliveries of one event a durable consumer attempts before the event
 * becomes a dead letter (the JetStream consumer's own `max_deliver` stays
 * unlimited, so an event whose dead letter could not be written yet is
 * delivered again rather than dropped).
 */
export const MAX_DELIVER = 5;

/**
 * A change of the process's broker connection: `lost` when it went down,
 * `resumed` when it is back and the server has this process's subscriptions
 * again. Fan-out events published in between were not delivered.
 */
export type ConnectionChange = 'lost' | 'resumed';
export type ConnectionListener = (change: ConnectionChange) => void;

export interface PublishMeta {
  source: string;
  requestId?: string;
}

/**
 * Durable events (JetStream in production, memory in embedded mode).
 *
 * - `publish` stores an event durably, with its id as the de-duplication key,
 *   and resolves once the broker acknowledged it.
 * - `subscribe` is fan-out: every replica hears every event (cache
 *   invalidation, revocation state). It is not durable: what is published
 *   while the connection is down is not delivered, so a cache kept by
 *   events also listens to `onConnectionChange` and catches up on `resumed`
 *   (forgets, reloads, or `replay`s the stream).
 * - `replay` reads the events stored since a time, for that catching up.
 * - `consume` is a durable, shared consumer: events are handed out in
 *   batches and acknowledged once the handler resolves. When a batch fails,
 *   its events are handled one by one, so one event that cannot be processed
 *   does not hold up the others; that one is delivered again, up to
 *   MAX_DELIVER times, then set aside as a dead letter with the reason (a
 *   message that is not JSON, or that `problemOf` refuses, at once).
 * - `deadLetters` lists what was set aside.
 */
export abstract class EventBus {
  abstract publishEnvelope(envelope: EventEnvelope): Promise<void>;
  abstract subscribe(subjectPattern: string, listener: EventListener): () => void;
  abstract consume(durableName: string, filterSubject: string, handler: BatchHandler, options?: ConsumeOptions): Promise<() => Promise<void>>;
  /** Dead letters after sequence `after` (0: from the first), at most `limit`, of one consumer or of all. */
  abstract deadLetters(query: { consumer?: string; after: number; limit: number }): Promise<DeadLetterPage>;
  /**
   * Hands `listener` every stored event on `subjectPattern` stored at or
   * after `since`, in stream order, up to the last one stored when the call
   * began; resolves with how many once it has them all. Throws when the
   * stream cannot be read (the caller retries).
   */
  abstract replay(subjectPattern: string, since: Date, listener: EventListener): Promise<number>;
  /** Tells `listener` when the broker connection is lost and when it is back (never, in embedded mode); returns the function that stops it. */
  abstract onConnectionChange(listener: ConnectionListener): () => void;
  abstract isHealthy(): Promise<boolean>;
  abstract close(): Promise<void>;

  async publish<T extends EventType>(type: T, data: EventData[T], meta: PublishMeta): Promise<EventEnvelope<T>> {
    const envelope = EventBus.envelope(type, data, meta);
    await this.publishEnvelope(envelope as EventEnvelope);
    return envelope;
  }

  static envelope<T extends EventType>(type: T, data: EventData[T], meta: PublishMeta): EventEnvelope<T> {
    return {
      id: randomUUID(),
      type,
      version: 1,
      occurred_at: new Date().toISOString(),
      source: meta.source,
      ...(meta.requestId ? { request_id: meta.requestId } : {}),
      data,
    };
  }

  static subjectOf(envelope: EventEnvelope): string {
    return eventSubject(envelope.type);
  }
}

/** NATS subject wildcard match (`*` one token, `>` the rest). */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length) return false;
    if (p[i] !== '*' && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}
