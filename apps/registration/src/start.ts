import { readFileSync } from 'node:fs';
import { Logger, type INestMicroservice } from '@nestjs/common';
import { ConfigurationError, loadConfig, startMicroservice, type SuiteRuntime } from '#nest';
import { RegistrationConfig } from './config/registration.config.js';
import { readTrustConfiguration } from './config/trust-config.js';
import { DeclaredClientsSource } from './declared-clients/declared-clients.source.js';
import { registrationModule } from './registration.module.js';
import { readUdapConfiguration } from './udap/udap-configuration.js';

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
  if (!config.CLIENTS_FILE && config.CLIENTS_PRUNE === 'true') problems.push('CLIENTS_PRUNE: needs CLIENTS_FILE');
  if (!config.CLIENTS_FILE && config.CLIENTS_RELOAD_INTERVAL_SECONDS !== undefined) problems.push('CLIENTS_RELOAD_INTERVAL_SECONDS: needs CLIENTS_FILE');
  const trust = readTrustConfiguration(config, problems);
  const udap = readUdapConfiguration(config, (path) => readFileSync(path, 'utf8'), problems);
  if (problems.length) throw new ConfigurationError(problems);
  if (udap) {
    const signer = udap.signer;
    new Logger('Registration').log(
      `UDAP: ${udap.communities.length} trust communit${udap.communities.length === 1 ? 'y' : 'ies'}; signed_metadata by ${signer.leaf.subject} (${signer.alg}) for ${signer.uris.join(', ')}`,
    );
  }
  if (trust.autoApprove) {
    // Loud on purpose: every registrant gets system scopes, introspection and the EHR role with nobody's approval.
    new Logger('Registration').warn(
      'REGISTRATION_AUTO_APPROVE=true: EVERY PRIVILEGE OF EVERY REGISTRATION IS APPROVED AT ONCE (system/ scopes, introspect, launch, jwt-bearer). ' +
        'Anyone who can reach /register can read every patient record. Use this only in a test sandbox.',
    );
  }
  // Read before anything starts: a file that does not validate stops the service (ClientsFileError).
  const declared = config.CLIENTS_FILE ? DeclaredClientsSource.open(config.CLIENTS_FILE, { env, adminClientId: config.ADMIN_CLIENT_ID }) : undefined;
  return startMicroservice({ service: 'registration', module: registrationModule(config, trust, udap, runtime, declared), runtime, logLevel: config.LOG_LEVEL });
}
