import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ALL_EVENTS_SUBJECT, type EventEnvelope } from '#contracts';
import { EventBus } from '#nest';
import { AuditConfig } from '../config/audit.config.js';
import { AuditTrailStore } from '../persistence/audit-trail.store.js';
import { envelopeProblem } from './envelope-check.js';

/** How many skipped events a batch names in its warning. */
const NAMED_IN_LOG = 5;

/**
 * Reads every event of the installation with one durable JetStream consumer
 * and stores each once. A malformed message is logged and skipped, never
 * retried: it must not block the stream.
 */
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
    this.stop = await this.events.consume(this.config.AUDIT_CONSUMER, ALL_EVENTS_SUBJECT, (batch) =>
      this.store.append(this.storable(batch)),
    );
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  private storable(batch: readonly unknown[]): EventEnvelope[] {
    const good: EventEnvelope[] = [];
    const skipped: string[] = [];
    for (const event of batch) {
      const problem = envelopeProblem(event);
      if (problem === null) good.push(event as EventEnvelope);
      else skipped.push(`${describe(event)}: ${problem}`);
    }
    if (skipped.length > 0) {
      const more = skipped.length > NAMED_IN_LOG ? ` (and ${skipped.length - NAMED_IN_LOG} more)` : '';
      this.logger.warn(`skipped ${skipped.length} malformed event(s): ${skipped.slice(0, NAMED_IN_LOG).join('; ')}${more}`);
    }
    return good;
  }
}

function describe(event: unknown): string {
  const id = typeof event === 'object' && event !== null ? (event as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? `event ${id.slice(0, 64)}` : 'event without id';
}
