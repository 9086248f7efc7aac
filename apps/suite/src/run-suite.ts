import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InProcessRuntime, NatsRuntime, startObservability, type Closable, type ServiceStarter, type SuiteRuntime } from '#nest';
import { KeyEncryption } from '#oauth';
import { startAudit } from '../../audit/src/start.js';
import { startAuthorization } from '../../authorization/src/start.js';
import { DEMO_USERS } from '../../authorization/src/users/demo-data.js';
import { startGateway } from '../../gateway/src/start.js';
import { startIntrospection } from '../../introspection/src/start.js';
import { startJwks } from '../../jwks/src/start.js';
import { startRegistration } from '../../registration/src/start.js';
import { startToken } from '../../token/src/start.js';
import { developmentUdap } from './development-udap.js';
import { EmbeddedDatabase } from './embedded-database.js';

/** Start order: keys first (issuers load them), the HTTP edge last. */
const STARTERS: Array<[string, ServiceStarter]> = [
  ['jwks', startJwks],
  ['registration', startRegistration],
  ['introspection', startIntrospection],
  ['audit', startAudit],
  ['token', startToken],
  ['authorization', startAuthorization],
  ['gateway', startGateway],
];

const logger = new Logger('suite');

/** A value kept in the data folder across restarts, generated the first time. */
function persisted(dataDir: string, name: string, generate: () => string): string {
  const file = join(dataDir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const value = generate();
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  return value;
}

function banner(lines: string[]): void {
  const width = Math.max(...lines.map((l) => l.length)) + 4;
  const rule = '#'.repeat(width);
  const body = lines.map((l) => `# ${l.padEnd(width - 4)} #`).join('\n');
  // stderr: stdout carries only the JSON log lines.
  process.stderr.write(`\n${rule}\n${body}\n${rule}\n\n`);
}

/**
 * The whole suite in one process. With NATS_URL and DATABASE_URL it uses
 * them; without, it is the embedded development mode: PGlite in the data
 * folder and an in-process transport, with generated secrets kept there.
 */
export async function runSuite(baseEnv: NodeJS.ProcessEnv): Promise<Closable> {
  const env: NodeJS.ProcessEnv = { ...baseEnv };
  // On a laptop the issuer follows the port chosen; deployments set ISSUER explicitly.
  env.ISSUER ??= `http://localhost:${env.PORT ?? '8080'}`;
  env.FHIR_BASE_URL ??= `${env.ISSUER}/fhir`;
  const closers: Array<() => Promise<void>> = [];
  // One logger, one tracer and one management port (health and metrics of every service) for the process.
  const observability = await startObservability('suite', env, { managementRequired: !(!env.NATS_URL || !env.DATABASE_URL) || Boolean(env.MANAGEMENT_PORT) });
  closers.push(() => observability.close());
  const embedded = !env.NATS_URL || !env.DATABASE_URL;
  let runtime: SuiteRuntime;
  let printAdmin = false;
  let adminSecretFile: string | undefined;
  let udapLines: string[] = [];

  if (embedded) {
    if (env.NATS_URL || env.DATABASE_URL) {
      throw new Error('set both NATS_URL and DATABASE_URL, or neither (embedded development mode)');
    }
    const dataDir = resolve(env.SMART_DATA_DIR ?? '.data');
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const database = await EmbeddedDatabase.start(dataDir);
    closers.push(() => database.stop());
    env.DATABASE_URL = database.url;
    env.DATABASE_POOL_SIZE = env.DATABASE_POOL_SIZE ?? '4';
    env.KEY_ENCRYPTION_KEY = env.KEY_ENCRYPTION_KEY ?? persisted(dataDir, 'key-encryption-key', () => KeyEncryption.generateSetting());
    printAdmin = !env.ADMIN_CLIENT_SECRET;
    env.SEED_DEMO_DATA ??= 'true';
    env.ADMIN_CLIENT_ID = env.ADMIN_CLIENT_ID ?? 'admin';
    adminSecretFile = env.ADMIN_CLIENT_SECRET ? undefined : join(dataDir, 'admin-client-secret');
    env.ADMIN_CLIENT_SECRET = env.ADMIN_CLIENT_SECRET ?? persisted(dataDir, 'admin-client-secret', () => randomBytes(32).toString('base64url'));
    udapLines = await developmentUdap(dataDir, env);
    runtime = new InProcessRuntime();
    banner([
      'DEVELOPMENT MODE - not for production',
      `embedded PostgreSQL (PGlite) in ${dataDir}`,
      'in-process transport in place of NATS; every service in this process',
      'generated key-encryption key and admin secret are kept in that folder',
    ]);
  } else {
    runtime = await NatsRuntime.connect(env.NATS_URL!, `suite-${process.pid}`);
  }
  closers.push(() => runtime.close());

  const apps: Closable[] = [];
  try {
    for (const [name, start] of STARTERS) {
      apps.push(await start(runtime, env));
      logger.log(`${name} started`);
    }
  } catch (err: unknown) {
    for (const app of apps.reverse()) await app.close().catch(() => undefined);
    for (const close of closers.reverse()) await close().catch(() => undefined);
    throw err;
  }

  const issuer = env.ISSUER ?? 'http://localhost:8080';
  const lines = [
    `SMART authorization suite ready at ${issuer}`,
    `discovery: ${issuer}/.well-known/smart-configuration`,
  ];
  // The issue asks for the generated development credentials to be printed; set them to keep them out of the log.
  if (printAdmin) lines.push(`admin client: ${env.ADMIN_CLIENT_ID} / ${env.ADMIN_CLIENT_SECRET}`);
  lines.push(...udapLines);
  if (embedded && env.SEED_DEMO_DATA === 'true') {
    lines.push('demo users (development only):');
    for (const user of DEMO_USERS) lines.push(`  ${user.username} / ${user.password}  (${user.fhirUser}, ${user.displayName})`);
    lines.push(`demo patients: ${DEMO_USERS.flatMap((u) => u.patients.map((p) => p.id)).join(', ')}`);
  }
  if (env.REGISTRATION_AUTO_APPROVE === 'true') {
    lines.push('REGISTRATION_AUTO_APPROVE=true: every privilege of every registration is approved at once (test sandboxes only)');
  } else {
    // Trust tiers: nothing is approved automatically, development mode included; this is the one command that approves.
    const credentials = adminSecretFile ? `--client-id ${env.ADMIN_CLIENT_ID} --client-secret-file ${adminSecretFile}` : `--client-id ${env.ADMIN_CLIENT_ID} --client-secret-file <file>`;
    lines.push('anonymous registrations wait for approval of system/ scopes, introspect, launch and jwt-bearer; approve one with:');
    lines.push(`  node dist/apps/cli/main.js --issuer ${issuer} ${credentials} clients approve <client_id>`);
  }
  banner(lines);

  return {
    async close() {
      for (const app of apps.reverse()) await app.close().catch((e: unknown) => logger.error(String(e)));
      for (const close of closers.reverse()) await close().catch(() => undefined);
    },
  };
}
