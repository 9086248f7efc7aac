import { randomUUID } from 'node:crypto';
import { eventSubject, type EventData, type EventEnvelope, type EventType } from '#contracts';

export type EventListener = (event: EventEnvelope) => void;
export type BatchHandler = (events: EventEnvelope[]) => Promise<void>;

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
 *   batches and acknowledged once the handler resolves; a failed batch is
 *   delivered again.
 */
export abstract class EventBus {
  abstract publishEnvelope(envelope: EventEnvelope): Promise<void>;
  abstract subscribe(subjectPattern: string, listener: EventListener): () => void;
  abstract consume(durableName: string, filterSubject: string, handler: BatchHandler): Promise<() => Promise<void>>;
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
