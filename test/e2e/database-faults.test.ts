import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startSuite, type RunningSuite } from '#testing';
import { obtainCode } from './support/form-flow.js';
import { basicAuth, bearer, initialAccessToken, register, type RegisteredClient } from './support/http.js';
import { adminToken, createUser, type TestUser } from './support/people.js';

const realInfrastructure = Boolean(process.env.NATS_URL && process.env.DATABASE_URL);
/** How long the workers run while backends are terminated. */
const LOAD_MS = 12_000;
/** A request not answered in this long hangs (RPC_TIMEOUT_MS is 5 s). */
const HANG_MS = 8000;
const CALLBACK = 'https://db-faults.example/callback';
const APP_SCOPE = 'launch/patient openid fhirUser patient/*.rs';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** How many times a person asks for a page that answered 503 before starting over. */
const PAGE_ATTEMPTS = 5;
/** The pages of the authorization flow, which a browser reloads or resubmits (never /token nor /register). */
const isPage = (path: string) => path === '/authorize' || path.startsWith('/interaction/');

interface Answer {
  path: string;
  status: number;
  retryAfter: string | null;
  body: string;
}

/**
 * Issue #14 "no 500 from infrastructure faults": PostgreSQL backends of the
 * run's database are terminated (`pg_terminate_backend`) every 50–250
 * milliseconds while clients register, get client_credentials tokens (their
 * first one is a client lookup in the registration service's database) and
 * go through the authorization code flow (interaction, consent, grant and
 * code, redemption: the authorization service's transactions). Every answer
 * is a success, a client error, or a 503 with Retry-After; afterwards every
 * client that got 201 exists, and every stored client has exactly one
 * `client.registered` in the audit trail (the change and its outbox row, or
 * neither).
 */
describe('PostgreSQL connections killed under load', { skip: realInfrastructure ? false : 'needs NATS_URL and DATABASE_URL' }, () => {
  let suite: RunningSuite;
  let db: pg.Client;
  let patient: TestUser;
  let app: RegisteredClient;
  const answers: Answer[] = [];
  const realFetch = globalThis.fetch;

  before(async () => {
    suite = await startSuite();
    patient = await createUser(suite, await adminToken(suite), { fhirUser: 'Patient/pt-db-faults', display_name: 'Dana Faults' });
    app = await register(suite, {
      client_name: 'Code flow under faults',
      redirect_uris: [CALLBACK],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: APP_SCOPE,
    });
    // Every answer of the gateway during the load is kept, whichever helper asked (the pages of the code flow too).
    // A page that answers 503 is asked again, as a person reloads or resubmits the page they are on, rather than
    // starting the authorization over. (Killing every backend every 20–80 ms with flows restarted on any 503, a
    // CI run redeemed no code in 12 s; this host 1–3. Each of those 503s at sign-in also counted as a wrong
    // password until the login throttle gave outages their count back.)
    globalThis.fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const url = new URL(input instanceof Request ? input.url : input.toString());
      for (let attempt = 1; ; attempt++) {
        const res = await realFetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(HANG_MS) });
        const body = res.status >= 500 ? await res.clone().text() : '';
        answers.push({ path: url.pathname, status: res.status, retryAfter: res.headers.get('retry-after'), body });
        if (res.status !== 503 || !isPage(url.pathname) || attempt === PAGE_ATTEMPTS) return res;
        await res.arrayBuffer();
        await sleep(100);
      }
    };
  });
  after(async () => {
    globalThis.fetch = realFetch;
    await db?.end();
    await suite?.stop();
  });

  it('answers 503 with Retry-After or succeeds, never 500, and leaves no client half written', async () => {
    let running = true;
    let kills = 0;
    const killer = (async () => {
      const killerDb = new pg.Client({ connectionString: suite.databaseUrl });
      await killerDb.connect();
      while (running) {
        // Only this run's database, never another engineer's or CI's.
        const { rowCount } = await killerDb.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
        kills += rowCount ?? 0;
        await sleep(50 + Math.random() * 200);
      }
      await killerDb.end();
    })();

    const registered: string[] = [];
    const handedOut: string[] = [];
    let codesRedeemed = 0;
    const registrar = async () => {
      while (running) {
        const res = await fetch(`${suite.baseUrl}/register`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: bearer(initialAccessToken(suite)) },
          body: JSON.stringify({ client_name: 'Under faults', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', scope: 'system/Patient.rs' }),
        });
        if (res.status !== 201) {
          await res.arrayBuffer();
          await sleep(50);
          continue;
        }
        const client = (await res.json()) as RegisteredClient;
        registered.push(client.client_id);
        // The token service has never seen this client: it asks the registration service, which reads its database.
        for (let attempt = 0; attempt < 3 && running; attempt++) {
          const token = await fetch(`${suite.baseUrl}/token`, {
            method: 'POST',
            headers: { authorization: basicAuth(client.client_id, client.client_secret!), 'content-type': 'application/x-www-form-urlencoded' },
            body: 'grant_type=client_credentials',
          });
          const body = (await token.json().catch(() => ({}))) as { access_token?: string };
          if (token.status === 200) {
            handedOut.push(body.access_token!);
            break;
          }
          await sleep(50);
        }
      }
    };
    const codeFlow = async () => {
      while (running) {
        try {
          const { code, verifier } = await obtainCode(suite, { client_id: app.client_id, redirect_uri: CALLBACK, scope: APP_SCOPE }, { username: patient.username, password: patient.password });
          const res = await fetch(`${suite.baseUrl}/token`, {
            method: 'POST',
            headers: { authorization: basicAuth(app.client_id, app.client_secret!), 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: verifier }).toString(),
          });
          const body = (await res.json().catch(() => ({}))) as { access_token?: string };
          if (res.status === 200) {
            codesRedeemed++;
            handedOut.push(body.access_token!);
          }
        } catch {
          // A page answered 503 five times, or its interaction was lost with an answer that never came: start again.
          await sleep(50);
        }
      }
    };

    const workers = [registrar(), registrar(), registrar(), codeFlow(), codeFlow()];
    await sleep(LOAD_MS);
    running = false;
    await Promise.all(workers);
    await killer;

    const serverErrors = answers.filter((a) => a.status >= 500 && a.status !== 503);
    assert.deepEqual(serverErrors.map((a) => `${a.path} ${a.status} ${a.body.slice(0, 200)}`), [], 'no 500 (nor any 5xx but 503)');
    const unavailable = answers.filter((a) => a.status === 503);
    for (const a of unavailable) assert.match(a.retryAfter ?? '', /^[1-9]\d*$/, `${a.path} 503 without Retry-After`);
    assert.ok(kills > 50, `backends were terminated (${kills})`);
    assert.ok(registered.length > 10, `clients registered under faults (${registered.length})`);
    assert.ok(codesRedeemed > 0, 'codes redeemed under faults');
    const byPath = new Map<string, number>();
    for (const a of unavailable) {
      const route = a.path.replace(/^\/interaction\/[^/]+/, '/interaction/:id');
      byPath.set(route, (byPath.get(route) ?? 0) + 1);
    }
    console.log(`# 503 by path: ${JSON.stringify(Object.fromEntries(byPath))}`);
    console.log(`# ${answers.length} answers, ${unavailable.length} × 503, ${kills} backends terminated, ${registered.length} clients, ${codesRedeemed} codes redeemed`);

    // Connected after the load: the killer would have terminated it too.
    db = new pg.Client({ connectionString: suite.databaseUrl });
    await db.connect();
    // Every client that got 201 is stored; every stored client has its client.registered event, once (and none without it).
    const { rows: stored } = await db.query(`SELECT client_id FROM client WHERE managed_by IS NULL`);
    const storedIds = new Set(stored.map((r: { client_id: string }) => r.client_id));
    assert.deepEqual(registered.filter((id) => !storedIds.has(id)), [], 'every 201 client is stored');
    const deadline = Date.now() + 25_000;
    for (;;) {
      const { rows } = await db.query(
        `SELECT c.client_id, count(a.seq) AS n FROM client c LEFT JOIN audit_event a ON a.type = 'client.registered' AND a.data->'data'->>'client_id' = c.client_id
         WHERE c.managed_by IS NULL GROUP BY c.client_id HAVING count(a.seq) <> 1`,
      );
      const { rows: orphans } = await db.query(
        `SELECT a.data->'data'->>'client_id' AS client_id FROM audit_event a LEFT JOIN client c ON c.client_id = a.data->'data'->>'client_id' WHERE a.type = 'client.registered' AND c.client_id IS NULL`,
      );
      if (rows.length === 0 && orphans.length === 0) break;
      if (Date.now() > deadline) assert.fail(`trail and clients disagree after 25 s: ${JSON.stringify(rows.slice(0, 5))} ${JSON.stringify(orphans.slice(0, 5))}`);
      await sleep(250);
    }
    // Every token handed out is in the trail once.
    const jtis = handedOut.map((t) => JSON.parse(Buffer.from(t.split('.')[1]!, 'base64url').toString()).jti as string);
    for (;;) {
      const { rows } = await db.query(`SELECT data->'data'->>'jti' AS jti, count(*) AS n FROM audit_event WHERE type = 'token.issued' AND data->'data'->>'jti' = ANY($1) GROUP BY 1`, [jtis]);
      assert.ok(rows.every((r: { n: string }) => Number(r.n) === 1), 'one token.issued per token');
      if (rows.length === jtis.length) break;
      if (Date.now() > deadline) assert.fail(`${jtis.length - rows.length} issued tokens not in the trail after 25 s`);
      await sleep(250);
    }
  });
});
