import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ALL_EVENTS_SUBJECT, EVENT_TYPES, type EventEnvelope } from '#contracts';
import { EventBus } from '#nest';
import { AuditConfig } from '../config/audit.config.js';
import { AuditTrailStore } from './audit-trail.store.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isWellFormed(e: unknown): e is EventEnvelope {
  const v = e as Partial<EventEnvelope> | null;
  return (
    typeof v?.id === 'string' &&
    UUID.test(v.id) &&
    typeof v.type === 'string' &&
    (EVENT_TYPES as readonly string[]).includes(v.type) &&
    typeof v.occurred_at === 'string' &&
    !Number.isNaN(Date.parse(v.occurred_at)) &&
    typeof v.source === 'string' &&
    typeof v.data === 'object' &&
    v.data !== null
  );
}

/** Reads every event with the durable consumer and stores each once. */
@Injectable()
export class AuditConsumerService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('AuditConsumer');
  private stop: () => Promise<void> = async () => undefined;

  constructor(
    private readonly store: AuditTrailStore,
    private readonly config: AuditConfig,
    @Inject(EventBus) private readonly events: EventBus,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.stop = await this.events.consume(this.config.AUDIT_CONSUMER, ALL_EVENTS_SUBJECT, async (batch) => {
      const good = batch.filter(isWellFormed);
      if (good.length < batch.length) this.logger.warn(`skipped ${batch.length - good.length} malformed event(s)`);
      await this.store.append(good);
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }
}
