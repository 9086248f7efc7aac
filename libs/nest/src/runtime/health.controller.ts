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

/** The `<service>.v1.health` handler: the service's database and broker answer, or not. */
export function healthControllerFor(service: ServiceName): Type<unknown> {
  @Controller()
  class HealthController {
    constructor(
      @Inject(EventBus) private readonly events: EventBus,
      @Optional() @Inject(DataSource) private readonly dataSource?: DataSource,
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
      return { service, status: Object.values(checks).every((c) => c === 'ok') ? 'ok' : 'degraded', checks };
    }
  }
  return HealthController;
}
