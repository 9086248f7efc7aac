import { type DynamicModule, type INestMicroservice, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { OAuthRpcExceptionFilter } from '../messaging/oauth-rpc-exception.filter.js';
import type { SuiteRuntime } from '../messaging/suite-runtime.js';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

export function logLevels(level: string): LogLevel[] {
  const index = LEVELS.indexOf(level as LogLevel);
  return LEVELS.slice(0, index < 0 ? 4 : index + 1);
}

/** Boots one NATS-facing service of the suite (everything but the gateway). */
export async function startMicroservice(options: {
  service: string;
  module: DynamicModule;
  runtime: SuiteRuntime;
  logLevel: string;
}): Promise<INestMicroservice> {
  const app = await NestFactory.createMicroservice(options.module, {
    strategy: options.runtime.serverStrategy(options.service),
    logger: logLevels(options.logLevel),
  });
  app.useGlobalFilters(new OAuthRpcExceptionFilter(options.service));
  await app.listen();
  return app;
}
