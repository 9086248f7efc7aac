import type { INestMicroservice } from '@nestjs/common';
import { ConfigurationError, loadConfig, startMicroservice, type SuiteRuntime } from '#nest';
import { JwksConfig } from './config/jwks.config.js';
import { jwksModule } from './jwks.module.js';

export async function startJwks(runtime: SuiteRuntime, env: NodeJS.ProcessEnv): Promise<INestMicroservice> {
  const config = loadConfig(JwksConfig, env);
  if (!config.DATABASE_URL) throw new ConfigurationError(['DATABASE_URL: required']);
  return startMicroservice({ service: 'jwks', module: jwksModule(config, runtime), runtime, logLevel: config.LOG_LEVEL });
}
