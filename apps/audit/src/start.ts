import type { INestMicroservice } from '@nestjs/common';
import { ConfigurationError, loadConfig, startMicroservice, type SuiteRuntime } from '#nest';
import { auditModule } from './audit.module.js';
import { AuditConfig } from './config/audit.config.js';

export async function startAudit(runtime: SuiteRuntime, env: NodeJS.ProcessEnv): Promise<INestMicroservice> {
  const config = loadConfig(AuditConfig, env);
  if (!config.DATABASE_URL) throw new ConfigurationError(['DATABASE_URL: required']);
  return startMicroservice({ service: 'audit', module: auditModule(config, runtime), runtime, logLevel: config.LOG_LEVEL });
}
