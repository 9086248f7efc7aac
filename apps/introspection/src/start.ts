import type { INestMicroservice } from '@nestjs/common';
import { ConfigurationError, loadConfig, startMicroservice, type SuiteRuntime } from '#nest';
import { IntrospectionConfig } from './config/introspection.config.js';
import { introspectionModule } from './introspection.module.js';

export async function startIntrospection(runtime: SuiteRuntime, env: NodeJS.ProcessEnv): Promise<INestMicroservice> {
  const config = loadConfig(IntrospectionConfig, env);
  if (!config.DATABASE_URL) throw new ConfigurationError(['DATABASE_URL: required']);
  return startMicroservice({ service: 'introspection', module: introspectionModule(config, runtime), runtime, logLevel: config.LOG_LEVEL });
}
