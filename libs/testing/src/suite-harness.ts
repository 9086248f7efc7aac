import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.js';

export const SERVICE_NAMES = ['jwks', 'registration', 'introspection', 'audit', 'token', 'authorization', 'gateway'] as const;
export type SuiteService = (typeof SERVICE_NAMES)[number];

export interface RunningSuite {
  mode: 'processes' | 'embedded';
  baseUrl: string;
  issuer: string;
  fhirBaseUrl: string;
  adminClientId: string;
  adminClientSecret: string;
  /** Environment the services were started with (real-infrastructure mode only). */
  env: NodeJS.ProcessEnv;
  /** Database URL of this run (real-infrastructure mode only). */
  databaseUrl?: string;
  /** Starts one more process of a service (real-infrastructure mode only). */
  startService(service: SuiteService, extraEnv?: NodeJS.ProcessEnv): Promise<ChildProcess>;
  /** Management URL (health, metrics) of the first process started under that name (`suite` in embedded mode). */
  managementUrl(service: SuiteService | 'suite'): string;
  /** Management URL (health, metrics) of one process of the suite, e.g. a replica `startService` added. */
  managementUrlOf(child: ChildProcess): string;
  /** Every line a process wrote (stdout and stderr), by process name, when started with `collectLogs`. */
  logLines(service?: string): LogLine[];
  /** Stops every process of a service with SIGTERM and waits for them (real-infrastructure mode only). */
  stopService(service: SuiteService): Promise<void>;
  /** The live processes running a service (in the embedded mode, the one process running them all), e.g. to signal them. */
  processes(service: SuiteService): ChildProcess[];
  stop(): Promise<void>;
}

export interface LogLine {
  /** The process's name (`token`, `token+` for one started later, `suite`). */
  service: string;
  stream: 'stdout' | 'stderr';
  line: string;
}

export interface SuiteOptions {
  /** Keep every line every process writes, for `logLines` (default: only the last lines, for failure reports). */
  collectLogs?: boolean;
  /** Extra environment for every service. */
  env?: NodeJS.ProcessEnv;
  /** Show the services' logs on this process's stderr. */
  verbose?: boolean;
  /** Where the compiled apps are (default: dist/apps under the working directory). */
  distDir?: string;
  /** NATS server of the real-infrastructure mode (default: NATS_URL), e.g. a private one a fault test may stop. */
  natsUrl?: string;
  /** How the services reach the run's database (default: directly), e.g. through a proxy a fault test cuts. */
  databaseUrlOf?: (databaseUrl: string) => string;
  /** Extra environment for one service (also for the replicas `startService` adds); in the embedded mode, for the one process. */
  serviceEnv?: Partial<Record<SuiteService, NodeJS.ProcessEnv>>;
  /** Run the embedded all-in-one process (`npm start`) even when NATS_URL and DATABASE_URL are set. */
  embedded?: boolean;
}

const ROOT = process.cwd();

function waitForExitOrTimeout(child: ChildProcess, ms: number): Promise<void> {
  return new Promise((resolvePromise) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolvePromise();
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolvePromise();
    }, ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolvePromise();
    });
  });
}

async function waitUntilReady(baseUrl: string, children: ChildProcess[], timeoutMs: number, logs: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const dead = children.find((c) => c.exitCode !== null);
    if (dead) throw new Error(`a service exited with code ${dead.exitCode} during start-up:\n${logs()}`);
    try {
      const res = await fetch(`${baseUrl}/health/ready`);
      last = `${res.status} ${await res.text()}`;
      if (res.status === 200) return;
    } catch (err: unknown) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`suite not ready after ${timeoutMs} ms (last: ${last}):\n${logs()}`);
}

/**
 * Starts the whole suite for black-box tests.
 *
 * With NATS_URL and DATABASE_URL set, every service runs as its own process
 * against the real NATS and a fresh PostgreSQL database, under a subject
 * prefix of its own, so runs never collide. Without them, the embedded
 * all-in-one process (`apps/suite`) runs instead, as `npm start` would.
 */
export async function startSuite(options: SuiteOptions = {}): Promise<RunningSuite> {
  // A port that was free when picked can still be taken before a service binds it; start again on new ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startSuiteOnce(options);
    } catch (err) {
      if (attempt >= 3 || !/EADDRINUSE/.test((err as Error).message)) throw err;
    }
  }
}

async function startSuiteOnce(options: SuiteOptions): Promise<RunningSuite> {
  const distDir = options.distDir ?? join(ROOT, 'dist', 'apps');
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const runId = randomBytes(5).toString('hex');
  const adminClientId = `admin-${runId}`;
  const adminClientSecret = randomBytes(32).toString('base64url');
  const logBuffer: string[] = [];
  const children: ChildProcess[] = [];
  const natsUrl = options.natsUrl ?? process.env.NATS_URL;
  const baseDbUrl = process.env.DATABASE_URL;
  const real = Boolean(natsUrl && baseDbUrl) && !options.embedded;
  const envOf = (service: SuiteService): NodeJS.ProcessEnv => options.serviceEnv?.[service] ?? {};

  const common: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_OPTIONS: process.env.NODE_OPTIONS,
    ISSUER: issuer,
    FHIR_BASE_URL: `${issuer}/fhir`,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
    ADMIN_CLIENT_ID: adminClientId,
    ADMIN_CLIENT_SECRET: adminClientSecret,
    // Tests serve client JWK Sets from 127.0.0.1; every other private address stays refused (SSRF checks are tested).
    JWKS_URI_ALLOWED_HOSTS: '127.0.0.1',
    // Trust tiers: tests that need a privileged client register with this initial access token (an operator's
    // trusted registrar); anonymous registration stays open and tiered, as in production.
    REGISTRATION_INITIAL_ACCESS_TOKEN: `iat-${randomBytes(24).toString('base64url')}`,
    ...options.env,
  };

  const named: Array<{ name: string; child: ChildProcess; managementPort: number }> = [];
  const collected: LogLine[] = [];
  const launch = async (script: string, env: NodeJS.ProcessEnv, name: string): Promise<ChildProcess> => {
    // Each process gets a management port of its own (health, metrics), on loopback.
    const managementPort = await freePort();
    const child = spawn(process.execPath, [script], {
      env: { MANAGEMENT_PORT: String(managementPort), MANAGEMENT_HOST: '127.0.0.1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: ROOT,
    });
    const collect = (stream: LogLine['stream']) => {
      let partial = '';
      return (chunk: Buffer) => {
        const text = partial + chunk.toString();
        const lines = text.split('\n');
        partial = lines.pop() ?? '';
        const complete = lines.filter(Boolean);
        logBuffer.push(...complete.map((l) => `[${name}] ${l}`));
        if (logBuffer.length > 2000) logBuffer.splice(0, logBuffer.length - 2000);
        if (options.collectLogs) collected.push(...complete.map((line) => ({ service: name, stream, line })));
        if (options.verbose && complete.length) process.stderr.write(complete.map((l) => `[${name}] ${l}\n`).join(''));
      };
    };
    child.stdout?.on('data', collect('stdout'));
    child.stderr?.on('data', collect('stderr'));
    children.push(child);
    named.push({ name, child, managementPort });
    return child;
  };
  const logs = () => logBuffer.slice(-200).join('\n');

  let cleanup: () => Promise<void> = async () => undefined;
  let databaseUrl: string | undefined;
  let serviceEnv: NodeJS.ProcessEnv = common;

  if (real) {
    const dbName = `smart_e2e_${runId}`;
    const admin = new pg.Client({ connectionString: baseDbUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const url = new URL(baseDbUrl!);
    url.pathname = `/${dbName}`;
    databaseUrl = url.toString();
    serviceEnv = {
      ...common,
      NATS_URL: natsUrl,
      DATABASE_URL: options.databaseUrlOf ? options.databaseUrlOf(databaseUrl) : databaseUrl,
      SUBJECT_PREFIX: `e2e_${runId}`,
      KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
      DATABASE_POOL_SIZE: '5',
    };
    // jwks first: the token service loads its signing keys from it.
    for (const service of SERVICE_NAMES) await launch(join(distDir, service, 'main.js'), { ...serviceEnv, ...envOf(service) }, service);
    cleanup = async () => {
      const drop = new pg.Client({ connectionString: baseDbUrl });
      await drop.connect();
      await drop.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
      await drop.end();
    };
  } else {
    const dataDir = mkdtempSync(join(tmpdir(), 'smart-suite-'));
    serviceEnv = { ...common, SMART_DATA_DIR: dataDir };
    const perService = Object.assign({}, ...SERVICE_NAMES.map(envOf)) as NodeJS.ProcessEnv;
    await launch(join(distDir, 'suite', 'main.js'), { ...serviceEnv, ...perService }, 'suite');
    cleanup = async () => rmSync(dataDir, { recursive: true, force: true });
  }

  const stop = async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.all(children.map((c) => waitForExitOrTimeout(c, 10_000)));
    await cleanup().catch(() => undefined);
  };

  try {
    await waitUntilReady(issuer, children, Number(process.env.E2E_READY_TIMEOUT_MS ?? 180_000), logs);
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    mode: real ? 'processes' : 'embedded',
    baseUrl: issuer,
    issuer,
    fhirBaseUrl: `${issuer}/fhir`,
    adminClientId,
    adminClientSecret,
    env: serviceEnv,
    databaseUrl,
    managementUrl(service: SuiteService | 'suite') {
      const found = named.find((n) => n.name === service);
      if (!found) throw new Error(`no process named ${service} in this suite`);
      return `http://127.0.0.1:${found.managementPort}`;
    },
    managementUrlOf(child: ChildProcess) {
      const found = named.find((n) => n.child === child);
      if (!found) throw new Error('that process is not one of this suite');
      return `http://127.0.0.1:${found.managementPort}`;
    },
    logLines(service?: string) {
      return service === undefined ? [...collected] : collected.filter((l) => l.service === service);
    },
    async startService(service: SuiteService, extraEnv: NodeJS.ProcessEnv = {}) {
      if (!real) throw new Error('startService needs NATS_URL and DATABASE_URL');
      return launch(resolve(distDir, service, 'main.js'), { ...serviceEnv, ...envOf(service), ...extraEnv }, `${service}+`);
    },
    async stopService(service: SuiteService) {
      if (!real) throw new Error('stopService needs NATS_URL and DATABASE_URL');
      const mine = named.filter((n) => n.name === service || n.name === `${service}+`).map((n) => n.child);
      for (const child of mine) if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.all(mine.map((c) => waitForExitOrTimeout(c, 10_000)));
    },
    processes(service: SuiteService) {
      const mine = real ? named.filter((n) => n.name === service || n.name === `${service}+`) : named;
      return mine.map((n) => n.child).filter((c) => c.exitCode === null && c.signalCode === null);
    },
    stop,
  };
}
