import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ALL_EVENTS_SUBJECT } from '#contracts';
import { EventBus, isDatabaseUnavailable } from '#nest';
import { AuditConfig } from '../config/audit.config.js';
import { AuditTrailStore } from '../persistence/audit-trail.store.js';
import { envelopeProblem } from './envelope-check.js';

/**
 * Reads every event of the installation with one durable JetStream consumer
 * and stores each once. A message that is not a storable envelope
 * (envelope-check.ts) is set aside at once as a dead letter with the reason;
 * one whose storing keeps failing for another reason than the database being
 * unreachable is retried and then set aside (EventBus `consume`, issue #14).
 * Either way it never holds up the events behind it.
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
    this.stop = await this.events.consume(this.config.AUDIT_CONSUMER, ALL_EVENTS_SUBJECT, (batch) => this.store.append(batch), {
      problemOf: envelopeProblem,
      // An unreachable database is an outage, not a bad event: retried without end, never set aside.
      isTransient: isDatabaseUnavailable,
    });
    this.logger.log(`consuming events as ${this.config.AUDIT_CONSUMER}`);
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }
}
