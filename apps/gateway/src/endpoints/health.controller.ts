import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Rpc, SERVICES, type HealthReport, type ServiceName } from '#contracts';
import { EventBus, ServiceBus } from '#nest';
import { ServingState } from '../http/serving-state.js';

/** Services the gateway needs before it can serve: all of them. */
const REQUIRED: readonly ServiceName[] = SERVICES;

@Controller('/health')
export class HealthController {
  constructor(
    @Inject(ServiceBus) private readonly bus: ServiceBus,
    @Inject(EventBus) private readonly events: EventBus,
    @Inject(ServingState) private readonly serving: ServingState,
  ) {}

  @Get('/live')
  live(@Res() reply: FastifyReply): void {
    reply.header('content-type', 'application/json; charset=utf-8').send('{"status":"ok"}');
  }

  /** Ready when NATS answers and every service reports its database and broker up. */
  @Get('/ready')
  async ready(@Res() reply: FastifyReply): Promise<void> {
    // A replica shutting down is not ready, whatever its dependencies say (liveness stays ok).
    if (this.serving.stopping) {
      reply.code(503).header('content-type', 'application/json; charset=utf-8').send('{"status":"stopping"}');
      return;
    }
    const broker = await Promise.race([this.events.isHealthy(), new Promise<boolean>((r) => setTimeout(() => r(false), 1000))]);
    const reports = await Promise.all(
      REQUIRED.map((s) =>
        this.bus
          .request(Rpc.service[s].health, {}, { timeoutMs: 1000 })
          .then((r: HealthReport) => [s, r.status === 'ok' ? 'ok' : r.checks] as const)
          .catch(() => [s, 'down'] as const),
      ),
    );
    const services = Object.fromEntries(reports);
    const ok = broker && reports.every(([, status]) => status === 'ok');
    reply
      .code(ok ? 200 : 503)
      .header('content-type', 'application/json; charset=utf-8')
      .send(JSON.stringify({ status: ok ? 'ok' : 'unavailable', broker: broker ? 'ok' : 'down', services }));
  }
}
