import type { INestMicroservice } from '@nestjs/common';
import { loadConfig, startMicroservice, type SuiteRuntime } from '#nest';
import { authorizationModule } from './authorization.module.js';
import { AuthorizationConfig } from './config/authorization.config.js';

export async function startAuthorization(runtime: SuiteRuntime, env: NodeJS.ProcessEnv): Promise<INestMicroservice> {
  const config = loadConfig(AuthorizationConfig, env);
  return startMicroservice({ service: 'authorization', module: authorizationModule(config, runtime), runtime, logLevel: config.LOG_LEVEL });
}
