import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { EventData, EventEnvelope, EventType } from '#contracts';
import { Outbox } from '#nest';
import { TemporarilyUnavailable } from '#oauth';

/**
 * This service's events, through its transactional outbox: written with the
 * change they describe, published after the commit, relayed later when the
 * broker is down — never lost.
 */
@Injectable()
export class EventRecorder {
  private readonly logger = new Logger('AuthorizationEvents');

  constructor(private readonly outbox: Outbox) {}

  /** Inside the caller's transaction; hand the envelope to {@link published} or {@link soon} after the commit. */
  add<T extends EventType>(manager: EntityManager, type: T, data: EventData[T], requestId?: string): Promise<EventEnvelope<T>> {
    return this.outbox.add(manager, type, data, { requestId });
  }

  /**
   * For facts other services must act on before the caller hears back (a
   * revoked grant): published now; if the broker does not take it the caller
   * gets 503 (the event stays in the outbox and goes out when the broker returns).
   */
  async published(envelope: EventEnvelope): Promise<void> {
    try {
      await this.outbox.publish([envelope]);
    } catch (err: unknown) {
      this.logger.error(`${envelope.type} ${envelope.id} waits in the outbox: ${(err as Error).message}`);
      throw new TemporarilyUnavailable('the change was stored and will be announced shortly; retry to confirm');
    }
  }

  /**
   * Events of `type` whose `data[field]` is `value` still waiting in the
   * outbox: what a retried call publishes again (same id, so JetStream
   * drops a copy) instead of writing the fact a second time.
   */
  unannounced<T extends EventType>(type: T, field: keyof EventData[T] & string, value: string): Promise<Array<EventEnvelope<T>>> {
    return this.outbox.pendingFor(type, field, value);
  }

  /** Published in the background; the relay retries. */
  soon(envelope: EventEnvelope): void {
    this.outbox.publishSoon([envelope]);
  }

  /** An audit fact on its own (a login, a consent): stored in the outbox, published in the background. */
  async record<T extends EventType>(type: T, data: EventData[T], requestId?: string): Promise<void> {
    this.soon(await this.outbox.record(type, data, { requestId }));
  }
}
