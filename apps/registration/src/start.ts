import type { INestMicroservice } from '@nestjs/common';
import { ConfigurationError, loadConfig, startMicroservice, type SuiteRuntime } from '#nest';
import { RegistrationConfig } from './config/registration.config.js';
import { registrationModule } from './registration.module.js';

export async function startRegistration(runtime: SuiteRuntime, env: NodeJS.ProcessEnv): Promise<INestMicroservice> {
  const config = loadConfig(RegistrationConfig, env);
  const problems: string[] = [];
  if (!config.DATABASE_URL) problems.push('DATABASE_URL: required');
  if (config.REGISTRATION_POLICY === 'initial-access-token' && !config.REGISTRATION_INITIAL_ACCESS_TOKEN) {
    problems.push('REGISTRATION_INITIAL_ACCESS_TOKEN: required when REGISTRATION_POLICY is initial-access-token');
  }
  if (Boolean(config.ADMIN_CLIENT_ID) !== Boolean(config.ADMIN_CLIENT_SECRET)) {
    problems.push('ADMIN_CLIENT_ID and ADMIN_CLIENT_SECRET: set both or neither');
  }
  if (problems.length) throw new ConfigurationError(problems);
  return startMicroservice({ service: 'registration', module: registrationModule(config, runtime), runtime, logLevel: config.LOG_LEVEL });
}
