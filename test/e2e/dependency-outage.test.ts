import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startSuite, type RunningSuite } from '#testing';
import { basicAuth, machineClient, manage, replyOf, tokenFor, type RegisteredClient, type Reply } from './support/http.js';
import { NATS_BINARY, PrivateNats } from './support/private-nats.js';
import { TcpProxy } from './support/tcp-proxy.js';

const realInfrastructure = Boolean(process.env.NATS_URL && process.env.DATABASE_URL);
const needs = !realInfrastructure ? 'needs NATS_URL and DATABASE_URL' : false;
/** A request not answered in this long hangs: the fetch is aborted and the test fails (RPC_TIMEOUT_MS is 2 s here). */
const HANG_MS = 8000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A request that must be answered, whatever the answer, before HANG_MS (an abort is a failure, not a slow pass). */
async function bounded(suite: RunningSuite, path: string, init: RequestInit = {}): Promise<Reply> {
  try {
    return await replyOf(await fetch(`${suite.baseUrl}${path}`, { ...init, signal: AbortSignal.timeout(HANG_MS) }));
  } catch (err: unknown) {
    assert.fail(`${init.method ?? 'GET'} ${path} did not answer within ${HANG_MS} ms: ${(err as Error).message}`);
  }
}

const tokenCall = (suite: RunningSuite, client: RegisteredClient) =>
  bounded(suite, '/token', {
    method: 'POST',
    headers: { authorization: basicAuth(client.client_id, client.client_secret!), 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });

const registerCall = (suite: RunningSuite) =>
  bounded(suite, '/register', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_name: 'During the outage', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', scope: 'system/Patient.rs' }),
  });

/** RFC 6749 §5.2 shaped 503 with a Retry-After in seconds (RFC 9110 §10.2.3). */
function assertUnavailable(reply: Reply, what: string): void {
  const context = `${what}: ${reply.status} ${reply.text.slice(0, 300)}`;
  assert.equal(reply.status, 503, context);
  assert.match(reply.headers.get('retry-after') ?? '', /^[1-9]\d*$/, `${context}: Retry-After`);
  assert.match(reply.headers.get('content-type') ?? '', /^application\/json/, context);
  assert.equal(reply.json.error, 'temporarily_unavailable', context);
}

async function readiness(suite: RunningSuite, wanted: number, withinMs: number): Promise<Reply> {
  const deadline = Date.now() + withinMs;
  let last: Reply | undefined;
  while (Date.now() < deadline) {
    last = await bounded(suite, '/health/ready');
    if (last.status === wanted) return last;
    await sleep(200);
  }
  assert.fail(`/health/ready did not turn ${wanted} within ${withinMs} ms (last: ${last?.status} ${last?.text})`);
}

describe('PostgreSQL goes away and comes back', { skip: needs }, () => {
  let proxy: TcpProxy;
  let suite: RunningSuite;
  let early: RegisteredClient;
  let fresh: RegisteredClient;

  before(async () => {
    const target = new URL(process.env.DATABASE_URL!);
    proxy = await TcpProxy.start(target.hostname, Number(target.port || 5432));
    suite = await startSuite({ databaseUrlOf: (url) => proxy.urlThrough(url), env: { RPC_TIMEOUT_MS: '2000' } });
    early = await machineClient(suite);
    await tokenFor(suite, early);
    // Registered but never used at /token: the token service has to ask the registration service (and its database).
    fresh = await machineClient(suite);
  });
  after(async () => {
    await suite?.stop();
    await proxy?.cut();
  });

  it('answers fast 503s with Retry-After while it is down, and recovers with nothing lost', async () => {
    assert.equal((await bounded(suite, '/health/ready')).status, 200);
    await proxy.cut();

    const down = await readiness(suite, 503, 15_000);
    assert.match(down.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
    const services = down.json.services as Record<string, unknown>;
    assert.deepEqual((services.registration as Record<string, string>).database, 'down', down.text);
    assert.equal((await bounded(suite, '/health/live')).status, 200, 'liveness stays true: no restart storm');

    assertUnavailable(await registerCall(suite), 'POST /register');
    assertUnavailable(await tokenCall(suite, fresh), 'POST /token for a client the token service has not cached');
    assertUnavailable(await bounded(suite, `/register/${fresh.client_id}`, { headers: { authorization: `Bearer ${fresh.registration_access_token}` } }), 'GET /register/:id');
    // A browser page gets a page, not JSON.
    const page = await bounded(suite, `/authorize?response_type=code&client_id=${fresh.client_id}`, { headers: { accept: 'text/html' } });
    assert.equal(page.status, 503, page.text.slice(0, 300));
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(page.headers.get('retry-after') ?? '', /^[1-9]\d*$/);

    await proxy.restore();
    await readiness(suite, 200, 30_000);
    // The pools reconnected by themselves: every request works again, and what was stored before is still there.
    const deadline = Date.now() + 15_000;
    let issued = await tokenCall(suite, fresh);
    while (issued.status !== 200 && Date.now() < deadline) {
      await sleep(250);
      issued = await tokenCall(suite, fresh);
    }
    assert.equal(issued.status, 200, issued.text);
    assert.equal((await tokenCall(suite, early)).status, 200);
    const read = await manage(suite, early.client_id, 'GET', early.registration_access_token);
    assert.equal(read.status, 200, read.text);
    assert.equal(read.json.client_name, early.client_name);
    assert.equal((await registerCall(suite)).status, 201);
  });
});

describe('NATS goes away and comes back', { skip: needs || (!NATS_BINARY ? 'needs a nats-server binary' : false) }, () => {
  let nats: PrivateNats;
  let suite: RunningSuite;
  let db: pg.Client;
  let client: RegisteredClient;

  before(async () => {
    nats = await PrivateNats.start();
    suite = await startSuite({
      natsUrl: nats.url,
      // Scheduled key rotations write `key.*` events to the jwks outbox without any request: some happen while NATS is down.
      env: { RPC_TIMEOUT_MS: '2000', KEY_ROTATION_INTERVAL: '3s', KEY_ROTATION_CHECK_MS: '200', JWKS_MAX_AGE_SECONDS: '1' },
    });
    db = new pg.Client({ connectionString: suite.databaseUrl });
    await db.connect();
    client = await machineClient(suite);
  });
  after(async () => {
    await db?.end();
    await suite?.stop();
    await nats?.remove();
  });

  it('answers fast 503s with Retry-After while it is down, recovers, and relays the events written meanwhile', async () => {
    await tokenFor(suite, client);
    await nats.halt();
    const haltedAt = new Date();

    const down = await readiness(suite, 503, 15_000);
    assert.equal(down.json.broker, 'down', down.text);
    assert.match(down.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
    assert.equal((await bounded(suite, '/health/live')).status, 200, 'liveness stays true');
    assertUnavailable(await tokenCall(suite, client), 'POST /token');
    assertUnavailable(await registerCall(suite), 'POST /register');

    // An event written to an outbox while the broker is away.
    const deadline = Date.now() + 20_000;
    let written: string | undefined;
    while (!written && Date.now() < deadline) {
      const { rows } = await db.query<{ id: string }>('SELECT id FROM jwks_outbox WHERE published_at IS NULL AND created_at > $1 ORDER BY created_at LIMIT 1', [haltedAt]);
      written = rows[0]?.id;
      if (!written) await sleep(250);
    }
    assert.ok(written, 'a key rotation wrote its events to the outbox during the outage');

    await nats.resume();
    await readiness(suite, 200, 30_000);
    const until = Date.now() + 20_000;
    let issued = await tokenCall(suite, client);
    while (issued.status !== 200 && Date.now() < until) {
      await sleep(250);
      issued = await tokenCall(suite, client);
    }
    assert.equal(issued.status, 200, issued.text);

    const stored = Date.now() + 30_000;
    let inTrail = false;
    while (!inTrail && Date.now() < stored) {
      inTrail = (await db.query('SELECT 1 FROM audit_event WHERE event_id = $1', [written])).rowCount === 1;
      if (!inTrail) await sleep(250);
    }
    assert.ok(inTrail, `event ${written}, written while NATS was down, reached the audit trail`);
  });
});
