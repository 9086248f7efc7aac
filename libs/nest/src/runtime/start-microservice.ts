import { type DynamicModule, type INestMicroservice, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { BaseRpcContext, type Server } from '@nestjs/microservices';
import { isObservable, lastValueFrom, type Observable } from 'rxjs';
import { Rpc, SERVICES, type HealthReport, type ServiceName } from '#contracts';
import { OAuthRpcExceptionFilter } from '../messaging/oauth-rpc-exception.filter.js';
import type { SuiteRuntime } from '../messaging/suite-runtime.js';
import { registerReadiness } from '../observability/management.server.js';
import { ProcessLog } from '../observability/process-log.js';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

export function logLevels(level: string): LogLevel[] {
  const index = LEVELS.indexOf(level as LogLevel);
  return LEVELS.slice(0, index < 0 ? 4 : index + 1);
}

/**
 * The management port's readiness of a service: its own `<service>.v1.health`
 * handler, called in this process (never another replica over NATS).
 */
function readinessOf(service: ServiceName, strategy: Server): () => Promise<{ ready: boolean; report: unknown }> {
  const subject = Rpc.service[service].health.subject;
  return async () => {
    const handler = strategy.getHandlerByPattern(subject);
    if (!handler) return { ready: false, report: 'down' };
    const answer: unknown = await handler({}, new BaseRpcContext([subject]));
    const report = (isObservable(answer) ? await lastValueFrom(answer as Observable<HealthReport>) : answer) as HealthReport;
    return { ready: report?.status === 'ok', report: report?.status === 'ok' ? 'ok' : (report?.checks ?? 'down') };
  };
}

/** Boots one NATS-facing service of the suite (everything but the gateway). */
export async function startMicroservice(options: {
  service: string;
  module: DynamicModule;
  runtime: SuiteRuntime;
  logLevel: string;
}): Promise<INestMicroservice> {
  const strategy = options.runtime.serverStrategy(options.service);
  const app = await NestFactory.createMicroservice(options.module, {
    strategy,
    logger: ProcessLog.nest(),
  });
  app.useGlobalFilters(new OAuthRpcExceptionFilter(options.service));
  await app.listen();
  if ((SERVICES as readonly string[]).includes(options.service)) {
    const unregister = registerReadiness(options.service, readinessOf(options.service as ServiceName, strategy));
    const close = app.close.bind(app);
    app.close = async () => {
      unregister();
      await close();
    };
  }
  return app;
}
