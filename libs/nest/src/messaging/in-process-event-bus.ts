import { Logger } from '@nestjs/common';
import { deadLetterSubject, EVENT_STREAM, type DeadLetter, type DeadLetterKind, type EventEnvelope } from '#contracts';
import { suiteMetrics } from '../observability/metrics.js';
import { afterFailure } from './dead-letter-policy.js';
import { EventBus, MAX_DELIVER, subjectMatches, type BatchHandler, type ConnectionListener, type ConsumeOptions, type DeadLetterPage, type EventListener } from './event-bus.js';

interface LogEntry {
  subject: string;
  envelope: EventEnvelope;
  storedAt: number;
}

/**
 * Embedded-mode event bus: everything runs in one process, so the "stream"
 * is an in-memory log. Durable consumers keep a cursor into it and retry a
 * failed batch. There is no connection to lose, so listeners of connection
 * changes are never called. Nothing survives a restart; this mode is for laptops.
 */
export class InProcessEventBus extends EventBus {
  private readonly logger = new Logger('InProcessEventBus');
  private readonly log: LogEntry[] = [];
  private readonly seen = new Set<string>();
  private readonly listeners = new Set<{ pattern: string; listener: EventListener }>();
  private readonly wakers = new Set<() => void>();
  private readonly dead: DeadLetter[] = [];

  async publishEnvelope(envelope: EventEnvelope): Promise<void> {
    if (this.seen.has(envelope.id)) return; // de-duplication on the event id, like Nats-Msg-Id
    this.seen.add(envelope.id);
    const subject = EventBus.subjectOf(envelope);
    const copy = JSON.parse(JSON.stringify(envelope)) as EventEnvelope;
    this.log.push({ subject, envelope: copy, storedAt: Date.now() });
    for (const { pattern, listener } of this.listeners) {
      if (subjectMatches(pattern, subject)) {
        try {
          listener(copy);
        } catch (err: unknown) {
          this.logger.error(`listener on ${pattern} failed: ${(err as Error).message}`);
        }
      }
    }
    for (const wake of this.wakers) wake();
  }

  subscribe(subjectPattern: string, listener: EventListener): () => void {
    const entry = { pattern: subjectPattern, listener };
    this.listeners.add(entry);
    return () => this.listeners.delete(entry);
  }

  /**
   * As NatsEventBus does (issue #14): a batch that fails is handled event by
   * event; an event that keeps failing is set aside after MAX_DELIVER
   * attempts, one `problemOf` refuses at once; an infrastructure failure
   * retries the rest of the batch without counting.
   */
  async consume(durableName: string, filterSubject: string, handler: BatchHandler, options: ConsumeOptions = {}): Promise<() => Promise<void>> {
    let cursor = 0;
    let stopped = false;
    let wake: () => void = () => undefined;
    const attempts = new Map<number, number>();
    const transient = (err: unknown) => options.isTransient?.(err) === true;
    const loop = async () => {
      while (!stopped) {
        const advance = Math.min(256, this.log.length - cursor);
        if (advance === 0) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            this.wakers.add(resolve);
          });
          this.wakers.delete(wake);
          continue;
        }
        const batch: Array<{ position: number; entry: LogEntry }> = [];
        for (let position = cursor; position < cursor + advance; position++) {
          const entry = this.log[position]!;
          if (!subjectMatches(filterSubject, entry.subject)) continue;
          let problem: string | null;
          try {
            problem = options.problemOf?.(entry.envelope) ?? null;
          } catch (err: unknown) {
            problem = `it could not be checked: ${(err as Error).message}`;
          }
          if (problem !== null) this.setAside(durableName, position, entry, 'invalid_envelope', problem, 1);
          else batch.push({ position, entry });
        }
        try {
          if (batch.length) await handler(batch.map((b) => b.entry.envelope));
          cursor += advance;
          continue;
        } catch (err: unknown) {
          if (transient(err)) {
            this.logger.warn(`consumer ${durableName} failed a batch, retrying: ${(err as Error).message}`);
            await new Promise((r) => setTimeout(r, 500));
            continue;
          }
        }
        let retry = false;
        for (const { position, entry } of batch) {
          try {
            await handler([entry.envelope]);
          } catch (err: unknown) {
            const tried = (attempts.get(position) ?? 0) + 1;
            const decision = afterFailure(tried, MAX_DELIVER, transient(err));
            if (decision.action === 'dead_letter') this.setAside(durableName, position, entry, decision.kind, (err as Error).message, tried);
            else {
              attempts.set(position, tried);
              retry = true;
            }
          }
        }
        if (retry) {
          // The cursor cannot pass the failing event: the batch is read again, the events already handled are
          // handed over again (consumers de-duplicate on the id), so the in-memory log of embedded mode holds
          // later events back for at most MAX_DELIVER × 0.5 s.
          await new Promise((r) => setTimeout(r, 500));
          continue;
        }
        cursor += advance;
      }
    };
    const running = loop();
    return async () => {
      stopped = true;
      wake();
      await running;
    };
  }

  private setAside(consumer: string, position: number, entry: LogEntry, kind: DeadLetterKind, reason: string, deliveries: number): void {
    const payload = JSON.stringify(entry.envelope);
    this.dead.push({
      seq: this.dead.length + 1,
      consumer,
      kind,
      reason,
      subject: entry.subject,
      stream: EVENT_STREAM,
      stream_sequence: position + 1,
      deliveries,
      dead_at: new Date().toISOString(),
      event_id: entry.envelope.id,
      payload: payload.slice(0, 4096),
      ...(payload.length > 4096 ? { payload_truncated: true as const } : {}),
    });
    suiteMetrics().eventsDeadLettered.inc({ consumer, kind });
    this.logger.warn(`consumer ${consumer}: event ${String(entry.envelope.id).slice(0, 64)} (${entry.subject}) set aside as a dead letter on ${deadLetterSubject(consumer)}: ${kind}: ${reason}`);
  }

  async deadLetters(query: { consumer?: string; after: number; limit: number }): Promise<DeadLetterPage> {
    const matching = this.dead.filter((d) => d.seq > query.after && (query.consumer === undefined || d.consumer === query.consumer));
    const letters = matching.slice(0, query.limit);
    return matching.length > letters.length && letters.length > 0 ? { letters, next: letters[letters.length - 1]!.seq } : { letters };
  }

  async replay(subjectPattern: string, since: Date, listener: EventListener): Promise<number> {
    const stored = this.log.filter((e) => e.storedAt >= since.getTime() && subjectMatches(subjectPattern, e.subject));
    for (const { envelope } of stored) {
      try {
        listener(envelope);
      } catch (err: unknown) {
        this.logger.error(`replay of ${subjectPattern}: event ${envelope.id} skipped: ${(err as Error).message}`);
      }
    }
    return stored.length;
  }

  onConnectionChange(_listener: ConnectionListener): () => void {
    return () => undefined;
  }

  async isHealthy(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    for (const wake of this.wakers) wake();
    this.listeners.clear();
  }
}
