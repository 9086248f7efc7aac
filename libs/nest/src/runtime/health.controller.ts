import { Controller, Inject, Optional, type Type } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { DataSource } from 'typeorm';
import { Rpc, type HealthReport, type ServiceName } from '#contracts';
import { EventBus } from '../messaging/event-bus.js';

async function within<T>(ms: number, work: Promise<T>, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => (timer = setTimeout(() => resolve(fallback), ms)));
  try {
    return await Promise.race([work.catch(() => fallback), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Something a replica must have done before it answers from its own state,
 * e.g. caught up with the events it missed while away from the broker. A
 * service provides one (`{ provide: ReadinessCondition, useExisting: … }`);
 * its health handler reports it as the check `name`, and the replica is not
 * ready while it is unmet.
 */
export abstract class ReadinessCondition {
  abstract readonly name: string;
  abstract isMet(): boolean;
}

/** The `<service>.v1.health` handler: the service's database and broker answer, or not, and its readiness condition holds, or not. */
export function healthControllerFor(service: ServiceName): Type<unknown> {
  @Controller()
  class HealthController {
    constructor(
      @Inject(EventBus) private readonly events: EventBus,
      @Optional() @Inject(DataSource) private readonly dataSource?: DataSource,
      @Optional() @Inject(ReadinessCondition) private readonly condition?: ReadinessCondition,
    ) {}

    @MessagePattern(Rpc.service[service].health.subject)
    async health(): Promise<HealthReport> {
      const checks: HealthReport['checks'] = {
        broker: (await within(1000, this.events.isHealthy(), false)) ? 'ok' : 'down',
      };
      if (this.dataSource) {
        const db = this.dataSource;
        checks.database = (await within(1000, db.query('SELECT 1').then(() => true), false)) ? 'ok' : 'down';
      }
      if (this.condition) checks[this.condition.name] = this.condition.isMet() ? 'ok' : 'catching_up';
      return { service, status: Object.values(checks).every((c) => c === 'ok') ? 'ok' : 'degraded', checks };
    }
  }
  return HealthController;
}
