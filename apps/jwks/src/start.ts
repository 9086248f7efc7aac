import type { INestMicroservice } from '@nestjs/common';
import { ConfigurationError, loadConfig, startMicroservice, type SuiteRuntime } from '#nest';
import { KeyEncryption } from '#oauth';
import { JwksConfig } from './config/jwks.config.js';
import { jwksModule } from './jwks.module.js';

export async function startJwks(runtime: SuiteRuntime, env: NodeJS.ProcessEnv): Promise<INestMicroservice> {
  const config = loadConfig(JwksConfig, env);
  if (!config.DATABASE_URL) throw new ConfigurationError(['DATABASE_URL: required']);
  try {
    KeyEncryption.fromSetting(config.KEY_ENCRYPTION_KEY);
  } catch (err: unknown) {
    throw new ConfigurationError([`KEY_ENCRYPTION_KEY: ${(err as Error).message}`]);
  }
  return startMicroservice({ service: 'jwks', module: jwksModule(config, runtime), runtime, logLevel: config.LOG_LEVEL });
}
