import { Logger } from '@nestjs/common';
import type { EventEnvelope } from '#contracts';
import { EventBus, subjectMatches, type BatchHandler, type ConnectionListener, type EventListener } from './event-bus.js';

/**
 * Embedded-mode event bus: everything runs in one process, so the "stream"
 * is an in-memory log. Durable consumers keep a cursor into it and retry a
 * failed batch. There is no connection to lose, so listeners of connection
 * changes are never called. Nothing survives a restart; this mode is for laptops.
 */
export class InProcessEventBus extends EventBus {
  private readonly logger = new Logger('InProcessEventBus');
  private readonly log: Array<{ subject: string; envelope: EventEnvelope; storedAt: number }> = [];
  private readonly seen = new Set<string>();
  private readonly listeners = new Set<{ pattern: string; listener: EventListener }>();
  private readonly wakers = new Set<() => void>();

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

  async consume(durableName: string, filterSubject: string, handler: BatchHandler): Promise<() => Promise<void>> {
    let cursor = 0;
    let stopped = false;
    let wake: () => void = () => undefined;
    const loop = async () => {
      while (!stopped) {
        const batch = this.log.slice(cursor, cursor + 256).filter((e) => subjectMatches(filterSubject, e.subject));
        const advance = Math.min(256, this.log.length - cursor);
        if (advance === 0) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            this.wakers.add(resolve);
          });
          this.wakers.delete(wake);
          continue;
        }
        try {
          if (batch.length) await handler(batch.map((e) => e.envelope));
          cursor += advance;
        } catch (err: unknown) {
          this.logger.warn(`consumer ${durableName} failed a batch, retrying: ${(err as Error).message}`);
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    };
    const running = loop();
    return async () => {
      stopped = true;
      wake();
      await running;
    };
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
