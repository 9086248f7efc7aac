import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EventData, EventType } from '#contracts';
import { EventBus } from '#nest';
import { TemporarilyUnavailable } from '#oauth';

/**
 * Publishes this service's events. `mustPublish` is for facts other services
 * act on (a revoked grant): if the broker does not take it, the caller gets
 * 503 and retries. `record` is for audit facts that must not block a person's
 * login when the broker hiccups; a failure is logged.
 * TODO(#5): transactional outbox, so neither kind can be lost.
 */
@Injectable()
export class EventRecorder {
  private readonly logger = new Logger('AuthorizationEvents');

  constructor(@Inject(EventBus) private readonly events: EventBus) {}

  async mustPublish<T extends EventType>(type: T, data: EventData[T], requestId?: string): Promise<void> {
    try {
      await this.events.publish(type, data, { source: 'authorization', requestId });
    } catch (err: unknown) {
      this.logger.error(`${type} not published: ${(err as Error).message}`);
      throw new TemporarilyUnavailable('the change was stored but could not be announced; retry');
    }
  }

  async record<T extends EventType>(type: T, data: EventData[T], requestId?: string): Promise<void> {
    try {
      await this.events.publish(type, data, { source: 'authorization', requestId });
    } catch (err: unknown) {
      this.logger.error(`${type} not published: ${(err as Error).message}`);
    }
  }
}
