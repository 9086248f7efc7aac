import type { INestMicroservice } from '@nestjs/common';
import { loadConfig, startMicroservice, type SuiteRuntime } from '#nest';
import { TokenConfig } from './config/token.config.js';
import { tokenModule } from './token.module.js';

export async function startToken(runtime: SuiteRuntime, env: NodeJS.ProcessEnv): Promise<INestMicroservice> {
  const config = loadConfig(TokenConfig, env);
  return startMicroservice({ service: 'token', module: tokenModule(config, runtime), runtime, logLevel: config.LOG_LEVEL });
}
