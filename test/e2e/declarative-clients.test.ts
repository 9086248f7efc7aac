// Clients as code (docs/operations.md "Clients as code"): the registration
// service reconciles CLIENTS_FILE at start, on SIGHUP and on an interval;
// declared clients get tokens like registered ones, cannot be managed through
// RFC 7592, and every change is one client.* event in the outbox.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import pg from 'pg';
import { stringify } from 'yaml';
import { sha256Hex } from '#oauth';
import { startSuite, type RunningSuite } from '#testing';
import { assertOAuthError, basicAuth, bearer, call, manage, oidcConfig, register, tokenRequest } from './support/http.js';

const realInfrastructure = Boolean(process.env.NATS_URL && process.env.DATABASE_URL);
const WAIT_MS = 90_000;

const BILLING_SECRET = 'billing-secret-from-the-environment-0123';
const REPORTING_SECRET = 'reporting-secret-from-a-mounted-file-0123';
const HASHED_SECRET = 'hashed-secret-known-only-by-its-digest-01';

type Entry = Record<string, unknown>;

function declarations(secretFile: string): Record<string, Entry> {
  return {
    billing: { client_id: 'billing', client_name: 'Billing', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', scope: 'system/Patient.rs', client_secret_env: 'DECLARED_BILLING_SECRET' },
    reporting: { client_id: 'reporting', client_name: 'Reporting', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_post', scope: 'system/Observation.rs', client_secret_file: secretFile },
    hashed: { client_id: 'hashed', grant_types: ['client_credentials'], scope: 'system/Patient.rs', client_secret_sha256: sha256Hex(HASHED_SECRET) },
    'chart-app': { client_id: 'chart-app', client_name: 'Chart', redirect_uris: ['https://chart.example.org/callback'], token_endpoint_auth_method: 'none', scope: 'launch/patient openid fhirUser patient/*.rs' },
  };
}

/** The `msg` of a JSON log line, or the line itself. */
function messageOf(line: string): string {
  try {
    const parsed = JSON.parse(line) as { msg?: unknown };
    return typeof parsed.msg === 'string' ? parsed.msg : line;
  } catch {
    return line;
  }
}

/** Everything a process writes, from now on; `next(re)` waits for the first matching line written after the call. */
function output(child: ChildProcess): { text: () => string; next: (pattern: RegExp) => Promise<string> } {
  let text = '';
  const waiters: Array<{ from: number; pattern: RegExp; resolve: (line: string) => void }> = [];
  const check = () => {
    for (const w of [...waiters]) {
      const line = text.slice(w.from).split('\n').find((l) => w.pattern.test(l));
      if (line !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  };
  // Log lines are JSON: keep their message text (multi-line messages as written), so patterns read as the text.
  const collect = () => {
    let partial = '';
    return (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) text += `${messageOf(line)}\n`;
      check();
    };
  };
  child.stdout?.on('data', collect());
  child.stderr?.on('data', collect());
  return {
    text: () => text,
    next: (pattern) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${WAIT_MS} ms:\n${text.slice(-3000)}`)), WAIT_MS);
        waiters.push({ from: text.length, pattern, resolve: (line) => (clearTimeout(timer), resolve(line)) });
      }),
  };
}

const RECONCILED = /clients file \S+ reconciled: (\d+) created, (\d+) updated, (\d+) deleted, (\d+) unchanged/;

function counts(line: string): { created: number; updated: number; deleted: number; unchanged: number } {
  const [, created, updated, deleted, unchanged] = RECONCILED.exec(line)!.map(Number);
  return { created: created!, updated: updated!, deleted: deleted!, unchanged: unchanged! };
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function stopped(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await exited(child);
}

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await probe();
    if (last !== undefined) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function clientCredentials(suite: RunningSuite, clientId: string, auth: oidc.ClientAuth, scope?: string): Promise<oidc.TokenEndpointResponse> {
  const config = await oidcConfig(suite, clientId, auth);
  return oidc.clientCredentialsGrant(config, scope ? { scope } : {});
}

describe('clients as code: CLIENTS_FILE reconciled by the registration service', { skip: realInfrastructure ? false : 'needs NATS_URL and DATABASE_URL' }, () => {
  let suite: RunningSuite;
  let db: pg.Client;
  let dir: string;
  let clientsFile: string;
  let secretFile: string;
  let registration: ChildProcess;
  let logs: ReturnType<typeof output>;
  let declared: Record<string, Entry>;
  const extra: ChildProcess[] = [];

  const write = (path: string, entries: Entry[]) => writeFileSync(path, stringify({ clients: entries }));
  const writeMain = () => write(clientsFile, Object.values(declared));
  /** SIGHUP to the registration service; resolves with its reconcile summary (or its refusal). */
  const hangup = async (pattern: RegExp = RECONCILED): Promise<string> => {
    const line = logs.next(pattern);
    registration.kill('SIGHUP');
    return line;
  };
  const events = async (clientId: string): Promise<Array<{ type: string; revision: number }>> =>
    (
      await db.query<{ type: string; revision: string }>(
        `SELECT type, envelope->'data'->>'revision' AS revision FROM registration_outbox WHERE envelope->'data'->>'client_id' = $1 ORDER BY created_at, id`,
        [clientId],
      )
    ).rows.map((r) => ({ type: r.type, revision: Number(r.revision) }));
  const row = async (clientId: string) =>
    (await db.query<{ managed: boolean; managed_by: string | null; revision: number; client_secret_hash: string | null; metadata: Record<string, unknown> }>(
      'SELECT managed, managed_by, revision, client_secret_hash, metadata FROM client WHERE client_id = $1',
      [clientId],
    )).rows[0];
  const replica = (env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; logs: ReturnType<typeof output> }> =>
    suite.startService('registration', { LOG_LEVEL: 'log', ...env }).then((child) => {
      extra.push(child);
      return { child, logs: output(child) };
    });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'declared-clients-'));
    clientsFile = join(dir, 'clients.yaml');
    secretFile = join(dir, 'reporting-secret');
    writeFileSync(secretFile, `${REPORTING_SECRET}\n`, { mode: 0o600 });
    declared = declarations(secretFile);
    writeMain();
    suite = await startSuite({
      serviceEnv: { registration: { CLIENTS_FILE: clientsFile, CLIENTS_PRUNE: 'true', LOG_LEVEL: 'log', DECLARED_BILLING_SECRET: BILLING_SECRET } },
    });
    [registration] = suite.processes('registration');
    assert.ok(registration);
    logs = output(registration);
    db = new pg.Client({ connectionString: suite.databaseUrl });
    await db.connect();
  });
  after(async () => {
    for (const child of extra) await stopped(child);
    await db?.end();
    await suite?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the declared clients at start, each once, secrets only as hashes', async () => {
    for (const [id, secret] of [['billing', BILLING_SECRET], ['reporting', REPORTING_SECRET], ['hashed', HASHED_SECRET], ['chart-app', null]] as const) {
      const stored = await row(id);
      assert.ok(stored, id);
      assert.equal(stored.managed, true, id);
      assert.equal(stored.managed_by, 'clients-file', id);
      assert.equal(stored.revision, 1, id);
      assert.equal(stored.client_secret_hash, secret === null ? null : sha256Hex(secret), id);
      assert.ok(!JSON.stringify(stored.metadata).includes(secret ?? '\0'), `${id}: no secret in the metadata`);
      assert.deepEqual(Object.keys(stored.metadata).filter((k) => k.startsWith('client_secret') || k === 'client_id'), [], id);
      assert.deepEqual(await events(id), [{ type: 'client.registered', revision: 1 }], id);
    }
    assert.deepEqual((await row('chart-app'))!.metadata.redirect_uris, ['https://chart.example.org/callback']);
    const admin = await tokenRequest(suite, { grant_type: 'client_credentials', scope: 'admin' }, { authorization: basicAuth(suite.adminClientId, suite.adminClientSecret) });
    const listed = await call(suite, '/admin/clients/billing', { headers: { authorization: bearer(admin.json.access_token as string) } });
    assert.equal(listed.status, 200, listed.text);
    assert.equal(listed.json.managed_by, 'clients-file');
  });

  it('issues tokens to declared confidential clients through openid-client (Basic, post, and a hashed secret)', async () => {
    const billing = await clientCredentials(suite, 'billing', oidc.ClientSecretBasic(BILLING_SECRET));
    assert.equal(billing.token_type, 'bearer');
    assert.equal(billing.scope, 'system/Patient.rs');
    assert.equal((await clientCredentials(suite, 'reporting', oidc.ClientSecretPost(REPORTING_SECRET))).scope, 'system/Observation.rs');
    assert.equal((await clientCredentials(suite, 'hashed', oidc.ClientSecretBasic(HASHED_SECRET))).scope, 'system/Patient.rs');
    assertOAuthError(await tokenRequest(suite, { grant_type: 'client_credentials' }, { authorization: basicAuth('billing', 'not-the-secret') }), 401, 'invalid_client');
  });

  it('refuses RFC 7592 management of a declared client like an invalid registration access token, and the admin delete', async () => {
    for (const method of ['GET', 'PUT', 'DELETE'] as const) {
      const body = method === 'PUT' ? { client_id: 'billing', grant_types: ['client_credentials'], scope: 'system/*.cruds' } : undefined;
      assertOAuthError(await manage(suite, 'billing', method, 'a-guessed-registration-access-token', body), 401, 'invalid_token', method);
    }
    const admin = await tokenRequest(suite, { grant_type: 'client_credentials', scope: 'admin' }, { authorization: basicAuth(suite.adminClientId, suite.adminClientSecret) });
    assertOAuthError(await call(suite, '/admin/clients/billing', { method: 'DELETE', headers: { authorization: bearer(admin.json.access_token as string) } }), 400, 'invalid_request', 'admin delete');
    assert.equal((await row('billing'))!.revision, 1, 'unchanged');
  });

  it('applies an edited file on SIGHUP: updates what changed (one event each), leaves the rest alone', async () => {
    declared.billing = { ...declared.billing, scope: 'system/Patient.rs system/Observation.rs' };
    writeFileSync(secretFile, 'reporting-secret-rotated-in-the-secret-01\n');
    writeMain();
    assert.deepEqual(counts(await hangup()), { created: 0, updated: 2, deleted: 0, unchanged: 2 });
    assert.deepEqual(await events('billing'), [{ type: 'client.registered', revision: 1 }, { type: 'client.updated', revision: 2 }]);
    assert.deepEqual(await events('reporting'), [{ type: 'client.registered', revision: 1 }, { type: 'client.updated', revision: 2 }]);
    assert.deepEqual(await events('hashed'), [{ type: 'client.registered', revision: 1 }]);
    // The token service drops its cached copy on client.updated.
    await until('the new scope', async () => {
      const scope = (await clientCredentials(suite, 'billing', oidc.ClientSecretBasic(BILLING_SECRET))).scope;
      return scope === 'system/Patient.rs system/Observation.rs' ? scope : undefined;
    });
    await until('the rotated secret', async () => {
      const old = await tokenRequest(suite, { grant_type: 'client_credentials', client_id: 'reporting', client_secret: REPORTING_SECRET });
      return old.status === 401 ? old : undefined;
    });
    assert.equal((await clientCredentials(suite, 'reporting', oidc.ClientSecretPost('reporting-secret-rotated-in-the-secret-01'))).scope, 'system/Observation.rs');
  });

  it('writes nothing and emits no event when the file is unchanged', async () => {
    const before = await Promise.all(Object.keys(declared).map(async (id) => [await row(id), await events(id)]));
    assert.deepEqual(counts(await hangup()), { created: 0, updated: 0, deleted: 0, unchanged: 4 });
    const now = await Promise.all(Object.keys(declared).map(async (id) => [await row(id), await events(id)]));
    assert.deepEqual(now, before);
  });

  it('takes over a client registered under a declared id: its registration access token stops working', async () => {
    const registered = await register(suite, { client_id: 'taken-over', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', scope: 'system/Patient.rs' });
    assert.equal((await manage(suite, 'taken-over', 'GET', registered.registration_access_token)).status, 200);
    declared['taken-over'] = { client_id: 'taken-over', client_name: 'Now declared', grant_types: ['client_credentials'], scope: 'system/Patient.rs', client_secret_sha256: sha256Hex(HASHED_SECRET) };
    writeMain();
    const warning = logs.next(/taken-over was registered through \/register and is now declared/);
    assert.deepEqual(counts(await hangup()), { created: 0, updated: 1, deleted: 0, unchanged: 4 });
    await warning;
    for (const method of ['GET', 'PUT', 'DELETE'] as const) {
      const body = method === 'PUT' ? { client_id: 'taken-over', grant_types: ['client_credentials'], scope: 'system/*.cruds' } : undefined;
      assertOAuthError(await manage(suite, 'taken-over', method, registered.registration_access_token, body), 401, 'invalid_token', method);
    }
    const stored = await row('taken-over');
    assert.equal(stored!.managed_by, 'clients-file');
    assert.equal(stored!.metadata.client_name, 'Now declared');
    assert.deepEqual((await events('taken-over')).map((e) => e.type), ['client.registered', 'client.updated']);
    await until('the declared secret', async () => ((await tokenRequest(suite, { grant_type: 'client_credentials' }, { authorization: basicAuth('taken-over', HASHED_SECRET) })).status === 200 ? true : undefined));
  });

  it('keeps the previous state when the file is broken on reload, and says why', async () => {
    const good = Object.values(declared);
    // Broken: one bad entry, and every other client gone (applied, pruning would delete them).
    write(clientsFile, [{ ...declared['chart-app'], redirect_uris: ['http://chart.example.org/callback'] }]);
    const refused = await hangup(/CLIENTS_FILE not reloaded \(SIGHUP\)/);
    await until('the whole message', async () => (/clients\.yaml:2: clients\[0\] \(client_id "chart-app"\): .*redirect_uris\[0\]/.test(logs.text()) ? true : undefined));
    assert.match(refused, /the clients stay as they are/);
    for (const entry of good) assert.ok(await row(entry.client_id as string), `${String(entry.client_id)} is still there`);
    assert.equal((await clientCredentials(suite, 'hashed', oidc.ClientSecretBasic(HASHED_SECRET))).token_type, 'bearer');
    writeFileSync(clientsFile, 'clients: [\n');
    await hangup(/CLIENTS_FILE not reloaded \(SIGHUP\)/);
    writeMain();
    assert.deepEqual(counts(await hangup()), { created: 0, updated: 0, deleted: 0, unchanged: 5 });
  });

  it('keeps a client gone from the file without CLIENTS_PRUNE', async () => {
    const file = join(dir, 'no-prune.yaml');
    write(file, Object.values(declared).filter((e) => e.client_id !== 'hashed'));
    const { child, logs: replicaLogs } = await replica({ CLIENTS_FILE: file, CLIENTS_PRUNE: 'false' });
    const kept = replicaLogs.next(/kept because CLIENTS_PRUNE is not true: hashed/);
    assert.deepEqual(counts(await replicaLogs.next(RECONCILED)), { created: 0, updated: 0, deleted: 0, unchanged: 4 });
    await kept;
    await stopped(child);
    assert.ok(await row('hashed'));
  });

  it('with CLIENTS_PRUNE deletes the clients the file no longer declares, never registered ones', async () => {
    const registered = await register(suite, { client_name: 'Dynamic', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', scope: 'system/Patient.rs' });
    delete declared.hashed;
    writeMain();
    assert.deepEqual(counts(await hangup()), { created: 0, updated: 0, deleted: 1, unchanged: 4 });
    assert.equal(await row('hashed'), undefined);
    assert.deepEqual((await events('hashed')).map((e) => e.type), ['client.registered', 'client.deleted']);
    await until('the deleted client refused', async () => {
      const reply = await tokenRequest(suite, { grant_type: 'client_credentials' }, { authorization: basicAuth('hashed', HASHED_SECRET) });
      return reply.status === 401 ? reply : undefined;
    });
    assert.equal((await manage(suite, registered.client_id, 'GET', registered.registration_access_token)).status, 200, 'the registered client is still there');
    assert.ok(await row(registered.client_id));
  });

  it('counts reconciles and changes in the registration service metrics', async () => {
    const metrics = await (await fetch(`${suite.managementUrl('registration')}/metrics`)).text();
    const value = (series: string) => Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\d+)$`, 'm').exec(metrics)?.[1]);
    assert.equal(value('clients_file_reconciles_total{trigger="start",result="applied"}'), 1, metrics);
    assert.equal(value('clients_file_reconciles_total{trigger="SIGHUP",result="applied"}'), 5);
    assert.equal(value('clients_file_reconciles_total{trigger="SIGHUP",result="invalid"}'), 2);
    assert.equal(value('clients_file_changes_total{change="created"}'), 4);
    assert.equal(value('clients_file_changes_total{change="updated"}'), 3);
    assert.equal(value('clients_file_changes_total{change="deleted"}'), 1);
  });

  it('refuses to start on a bad file, with one message per bad entry naming the file, line, entry and field', async () => {
    const file = join(dir, 'bad.yaml');
    write(file, [
      declared.billing!,
      { client_name: 'No id', grant_types: ['client_credentials'], scope: 'system/Patient.rs', client_secret_sha256: 'a'.repeat(64) },
      { ...declared['chart-app'], redirect_uris: ['https://chart.example.org/cb#fragment'] },
      { client_id: 'clear-secret', grant_types: ['client_credentials'], scope: 'system/Patient.rs', client_secret: 'a-secret-in-the-clear-0123' },
      { ...declared.reporting, client_secret_file: join(dir, 'missing-secret') },
      { ...declared.billing, redirect_uri: 'https://typo.example.org/cb' },
    ]);
    const { child, logs: replicaLogs } = await replica({ CLIENTS_FILE: file });
    assert.equal(await exited(child), 1);
    const text = replicaLogs.text();
    const expected = [
      /bad\.yaml:\d+: clients\[1\]: client_id: required in a clients file/,
      /bad\.yaml:\d+: clients\[2\] \(client_id "chart-app"\): .*redirect_uris\[0\]/,
      /bad\.yaml:\d+: clients\[3\] \(client_id "clear-secret"\): client_secret: a secret is never written in the file/,
      /bad\.yaml:\d+: clients\[4\] \(client_id "reporting"\): client_secret_file: cannot read .*missing-secret/,
      /bad\.yaml:\d+: clients\[5\] \(client_id "billing"\): redirect_uri: unknown key/,
    ];
    for (const pattern of expected) assert.match(text, pattern);
    assert.doesNotMatch(text, /clients\[0\]/, 'the good entry is not reported');
    assert.doesNotMatch(text, /a-secret-in-the-clear-0123/, 'a secret written in the clear is not echoed');
    assert.ok(await row('billing'), 'nothing changed');
  });

  it('two replicas starting together with a new file apply it once', async () => {
    declared['race-client'] = { client_id: 'race-client', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', scope: 'system/Patient.rs', client_secret_env: 'DECLARED_BILLING_SECRET' };
    declared['chart-app'] = { ...declared['chart-app'], client_name: 'Chart, renamed' };
    const file = join(dir, 'race.yaml');
    write(file, Object.values(declared));
    const chartEvents = (await events('chart-app')).length;
    const replicas = await Promise.all([replica({ CLIENTS_FILE: file }), replica({ CLIENTS_FILE: file })]);
    const summaries = (await Promise.all(replicas.map((r) => r.logs.next(RECONCILED)))).map(counts);
    assert.deepEqual(summaries.map((s) => s.created + s.updated).sort(), [0, 2], JSON.stringify(summaries));
    assert.deepEqual(await events('race-client'), [{ type: 'client.registered', revision: 1 }]);
    const chart = await events('chart-app');
    assert.equal(chart.length, chartEvents + 1);
    assert.deepEqual(chart.at(-1), { type: 'client.updated', revision: 2 });
    for (const r of replicas) await stopped(r.child);
    writeMain();
  });

  it('with CLIENTS_RELOAD_INTERVAL_SECONDS applies the file when it changes', async () => {
    const file = join(dir, 'interval.yaml');
    write(file, Object.values(declared));
    const { logs: replicaLogs } = await replica({ CLIENTS_FILE: file, CLIENTS_RELOAD_INTERVAL_SECONDS: '1' });
    assert.deepEqual(counts(await replicaLogs.next(RECONCILED)), { created: 0, updated: 0, deleted: 0, unchanged: Object.keys(declared).length });
    declared.reporting = { ...declared.reporting, client_name: 'Reporting, renamed' };
    write(file, Object.values(declared));
    assert.deepEqual(counts(await replicaLogs.next(RECONCILED)), { created: 0, updated: 1, deleted: 0, unchanged: Object.keys(declared).length - 1 });
    assert.equal((await row('reporting'))!.metadata.client_name, 'Reporting, renamed');
    writeMain();
  });
});

describe('clients as code in the embedded mode (npm start)', () => {
  let suite: RunningSuite;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'declared-clients-embedded-'));
    const file = join(dir, 'clients.yaml');
    writeFileSync(file, stringify({ clients: [{ client_id: 'embedded-backend', grant_types: ['client_credentials'], scope: 'system/Patient.rs', client_secret_env: 'EMBEDDED_SECRET' }] }));
    suite = await startSuite({ embedded: true, env: { CLIENTS_FILE: file, EMBEDDED_SECRET: BILLING_SECRET } });
  });
  after(async () => {
    await suite?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('honours CLIENTS_FILE: the declared client gets tokens', async () => {
    const tokens = await clientCredentials(suite, 'embedded-backend', oidc.ClientSecretBasic(BILLING_SECRET));
    assert.equal(tokens.scope, 'system/Patient.rs');
    assertOAuthError(await manage(suite, 'embedded-backend', 'GET', 'any-registration-access-token'), 401, 'invalid_token');
  });
});

describe('checking a clients file before deploying (dist/apps/registration/check-clients.js)', () => {
  let dir: string;
  const check = (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const run = spawnSync(process.execPath, [join(process.cwd(), 'dist/apps/registration/check-clients.js'), ...args], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
    return { status: run.status, stdout: run.stdout, stderr: run.stderr };
  };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'check-clients-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts a valid file, checking secret references by shape unless asked to resolve them', () => {
    const file = join(dir, 'good.yaml');
    writeFileSync(file, stringify({ clients: Object.values(declarations('/run/secrets/smart-auth-clients/reporting')) }));
    const ok = check([file]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout, `${file}: valid, 4 client(s): billing, reporting, hashed, chart-app\n`);
    const resolved = check(['--resolve-secrets', file], { DECLARED_BILLING_SECRET: BILLING_SECRET });
    assert.equal(resolved.status, 1);
    assert.match(resolved.stderr, /clients\[1\] \(client_id "reporting"\): client_secret_file: cannot read \/run\/secrets\/smart-auth-clients\/reporting/);
    assert.doesNotMatch(resolved.stderr, /billing/, 'the variable it names is set');
  });

  it('refuses a bad file with one line per bad entry, and the bootstrap administrator id', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, stringify({ clients: [{ client_id: 'admin', grant_types: ['client_credentials'], scope: 'system/Patient.rs', client_secret_sha256: 'a'.repeat(64) }, { client_id: 'app', redirect_uris: ['https://app.example.org/cb'], token_endpoint_auth_method: 'none', scope: 'launch superpowers' }] }));
    const bad = check([file], { ADMIN_CLIENT_ID: 'admin' });
    assert.equal(bad.status, 1);
    assert.equal(bad.stdout, '');
    const lines = bad.stderr.trim().split('\n');
    assert.equal(lines[0], `invalid clients file ${file}:`);
    assert.equal(lines.length, 3, bad.stderr);
    assert.match(lines[1]!, /bad\.yaml:2: clients\[0\] \(client_id "admin"\): client_id: is the bootstrap administrator/);
    assert.match(lines[2]!, /bad\.yaml:\d+: clients\[1\] \(client_id "app"\): .*scope/);
  });

  it('says how to use it', () => {
    for (const args of [[], ['a.yaml', 'b.yaml'], ['--fix', 'a.yaml']]) {
      const usage = check(args);
      assert.equal(usage.status, 2, args.join(' '));
      assert.match(usage.stderr, /^usage: node dist\/apps\/registration\/check-clients\.js \[--resolve-secrets\] <clients\.yaml>/);
    }
    const missing = check([join(dir, 'missing.yaml')]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /missing\.yaml: cannot read: ENOENT/);
  });
});
