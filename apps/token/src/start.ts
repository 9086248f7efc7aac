import type { INestMicroservice } from '@nestjs/common';
import { ConfigurationError, loadConfig, startMicroservice, type SuiteRuntime } from '#nest';
import { KeyEncryption } from '#oauth';
import { TokenConfig } from './config/token.config.js';
import { tokenModule } from './token.module.js';

export async function startToken(runtime: SuiteRuntime, env: NodeJS.ProcessEnv): Promise<INestMicroservice> {
  const config = loadConfig(TokenConfig, env);
  try {
    KeyEncryption.fromSetting(config.KEY_ENCRYPTION_KEY);
  } catch (err: unknown) {
    throw new ConfigurationError([`KEY_ENCRYPTION_KEY: ${(err as Error).message}`]);
  }
  return startMicroservice({ service: 'token', module: tokenModule(config, runtime), runtime, logLevel: config.LOG_LEVEL });
}
