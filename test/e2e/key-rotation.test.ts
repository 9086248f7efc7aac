import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import pg from 'pg';
import { sharedSuite, startSuite, type RunningSuite } from '#testing';
import { assertActive, assertOAuthError, basicAuth, call, eventually, introspect, machineClient, tokenFor, type RegisteredClient, type Reply } from './support/http.js';
import { adminToken } from './support/people.js';

const realInfrastructure = Boolean(process.env.NATS_URL && process.env.DATABASE_URL);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface ListedKey {
  kid: string;
  alg: string;
  state: 'next' | 'active' | 'retired';
  created_at: string;
  activated_at: string | null;
  retired_at: string | null;
  activates_at?: string;
  removable_at?: string;
}

const kidOf = (token: string) => decodeProtectedHeader(token).kid as string;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function listKeys(suite: RunningSuite, admin: string): Promise<ListedKey[]> {
  const reply = await call(suite, '/admin/keys', { headers: bearer(admin) });
  assert.equal(reply.status, 200, reply.text);
  return reply.json.keys as ListedKey[];
}

function rotate(suite: RunningSuite, admin: string, body?: Record<string, string>): Promise<Reply> {
  return call(suite, '/admin/keys/rotate', {
    method: 'POST',
    headers: { ...bearer(admin), ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
}

async function publishedKeys(suite: RunningSuite): Promise<JSONWebKeySet> {
  const reply = await call(suite, '/jwks');
  assert.equal(reply.status, 200, reply.text);
  return reply.json as unknown as JSONWebKeySet;
}

/** /jwks once it lists `kid` (at most a second after the rotation that published it). */
async function publishedKeysWith(suite: RunningSuite, kid: string): Promise<JSONWebKeySet> {
  const deadline = Date.now() + 1000;
  for (;;) {
    const jwks = await publishedKeys(suite);
    if (jwks.keys.some((k) => k.kid === kid) || Date.now() > deadline) return jwks;
    await sleep(50);
  }
}

/** An access token issued once the token service signs with `kid` (it learns of a rotation within a second). */
async function tokenSignedBy(suite: RunningSuite, client: RegisteredClient, kid: string): Promise<string> {
  const deadline = Date.now() + 1000;
  for (;;) {
    const token = await tokenFor(suite, client);
    if (kidOf(token) === kid || Date.now() > deadline) return token;
    await sleep(50);
  }
}

describe('signing-key rotation through the admin API (issue #5)', () => {
  let suite: RunningSuite & { owned: boolean };
  let admin: string;
  let client: RegisteredClient;
  let introspector: string;

  before(async () => {
    suite = await sharedSuite();
    admin = await adminToken(suite);
    client = await machineClient(suite);
    introspector = basicAuth(suite.adminClientId, suite.adminClientSecret);
  });
  after(async () => {
    if (suite?.owned) await suite.stop();
  });

  it('lists each algorithm with one active and one next key, and no private material', async () => {
    const keys = await listKeys(suite, admin);
    for (const alg of ['ES256', 'RS256']) {
      assert.equal(keys.filter((k) => k.alg === alg && k.state === 'active').length, 1, `one active ${alg} key`);
      assert.equal(keys.filter((k) => k.alg === alg && k.state === 'next').length, 1, `one next ${alg} key`);
    }
    for (const key of keys) {
      assert.deepEqual(Object.keys(key).filter((m) => !['kid', 'alg', 'state', 'created_at', 'activated_at', 'retired_at', 'activates_at', 'removable_at'].includes(m)), []);
      if (key.state === 'next') assert.ok(key.activates_at, 'a next key says when it activates');
      if (key.state === 'retired') assert.ok(key.removable_at, 'a retired key says when it leaves');
    }
    const published = new Set((await publishedKeys(suite)).keys.map((k) => k.kid));
    for (const key of keys) assert.ok(published.has(key.kid), `${key.state} key ${key.kid} is in /jwks`);
  });

  it('a forced rotation activates the next key; a token from before stays active and verifiable', async () => {
    const before = await tokenFor(suite, client);
    const oldKid = kidOf(before);
    const next = (await listKeys(suite, admin)).find((k) => k.alg === 'ES256' && k.state === 'next')!;

    const requestId = randomUUID();
    const reply = await call(suite, '/admin/keys/rotate', { method: 'POST', headers: { ...bearer(admin), 'content-type': 'application/json', 'x-request-id': requestId }, body: '{"alg":"ES256"}' });
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.headers.get('cache-control'), 'no-store');
    const rotated = reply.json.rotated as Array<{ alg: string; kid: string; previous_kid: string | null; next_kid: string }>;
    assert.equal(rotated.length, 1);
    assert.equal(rotated[0]!.alg, 'ES256');
    assert.equal(rotated[0]!.kid, next.kid, 'the pre-published next key becomes active');
    assert.notEqual(rotated[0]!.next_kid, next.kid);

    const keys = await listKeys(suite, admin);
    const state = (kid: string | null) => keys.find((k) => k.kid === kid)?.state;
    assert.equal(state(rotated[0]!.kid), 'active');
    assert.equal(state(rotated[0]!.next_kid), 'next');
    assert.equal(state(rotated[0]!.previous_kid), 'retired');

    const after = await tokenSignedBy(suite, client, rotated[0]!.kid);
    assert.equal(kidOf(after), rotated[0]!.kid, 'new tokens carry the new kid');
    assert.notEqual(kidOf(after), oldKid);

    // The gateway drops its one-second copy of /jwks when it hears of the rotation.
    const jwks = await publishedKeysWith(suite, rotated[0]!.next_kid);
    const kids = jwks.keys.map((k) => k.kid);
    for (const kid of [oldKid, rotated[0]!.kid, rotated[0]!.next_kid]) assert.ok(kids.includes(kid), `${kid} in /jwks`);
    const verify = createLocalJWKSet(jwks);
    for (const token of [before, after]) {
      await jwtVerify(token, verify, { issuer: suite.issuer, audience: suite.fhirBaseUrl, typ: 'at+jwt' });
      await assertActive(introspect(suite, token, introspector), kidOf(token));
    }

    // The trail: key.rotated carries the admin request's id, and its instants are seconds since the epoch (docs/events.md).
    const trail = await eventually(
      () => call(suite, '/admin/audit?type=key.rotated&limit=100', { headers: bearer(admin) }),
      (r) => r.status === 200 && (r.json.events as Array<{ event: { request_id?: string } }>).some((e) => e.event.request_id === requestId),
      'key.rotated with the request id',
    );
    const event = (trail.json.events as Array<{ event: { request_id?: string; data: { kid: string; previous_removable_at?: unknown } } }>).find((e) => e.event.request_id === requestId)!.event;
    assert.equal(event.data.kid, rotated[0]!.kid);
    assert.ok(Number.isInteger(event.data.previous_removable_at) && (event.data.previous_removable_at as number) > Date.now() / 1000, String(event.data.previous_removable_at));
  });

  it('rotates every algorithm when none is named (empty body, or a form)', async () => {
    const empty = await rotate(suite, admin);
    assert.equal(empty.status, 200, empty.text);
    assert.deepEqual((empty.json.rotated as Array<{ alg: string }>).map((r) => r.alg).sort(), ['ES256', 'RS256']);
    const viaForm = await call(suite, '/admin/keys/rotate', {
      method: 'POST',
      headers: { ...bearer(admin), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'alg=RS256',
    });
    assert.equal(viaForm.status, 200, viaForm.text);
    assert.deepEqual((viaForm.json.rotated as Array<{ alg: string }>).map((r) => r.alg), ['RS256']);
  });

  it('refuses callers without an admin token, and bad parameters', async () => {
    const machine = await tokenFor(suite, client);
    for (const [method, path] of [['GET', '/admin/keys'], ['POST', '/admin/keys/rotate']] as const) {
      const none = await call(suite, path, { method });
      assertOAuthError(none, 401, 'invalid_token', `${method} ${path} without a token`);
      assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer /);
      assertOAuthError(await call(suite, path, { method, headers: bearer('not-a-token') }), 401, 'invalid_token', `${method} ${path} with garbage`);
      const forbidden = await call(suite, path, { method, headers: bearer(machine) });
      assertOAuthError(forbidden, 403, 'insufficient_scope', `${method} ${path} without the admin scope`);
      assert.match(forbidden.headers.get('www-authenticate') ?? '', /insufficient_scope/);
    }
    assertOAuthError(await rotate(suite, admin, { alg: 'HS256' }), 400, 'invalid_request', 'an algorithm the ring does not hold');
    assertOAuthError(await rotate(suite, admin, { alg: 'ES256', force: 'yes' }), 400, 'invalid_request', 'an unknown parameter');
    assertOAuthError(
      await call(suite, '/admin/keys/rotate', { method: 'POST', headers: { ...bearer(admin), 'content-type': 'text/plain' }, body: 'alg=ES256' }),
      400,
      'invalid_request',
      'another media type',
    );
    const wrongMethod = await call(suite, '/admin/keys', { method: 'DELETE', headers: bearer(admin) });
    assert.equal(wrongMethod.status, 405);
  });

  it('/jwks is cacheable no longer than the next scheduled change, with an entity tag', async () => {
    const reply = await call(suite, '/jwks');
    const maxAge = Number(/^public, max-age=(\d+)$/.exec(reply.headers.get('cache-control') ?? '')?.[1]);
    assert.ok(Number.isInteger(maxAge) && maxAge >= 0 && maxAge <= 300, `cache-control: ${reply.headers.get('cache-control')}`);
    const etag = reply.headers.get('etag');
    assert.match(etag ?? '', /^"[A-Za-z0-9_-]+"$/);
    const again = await fetch(`${suite.baseUrl}/jwks`, { headers: { 'if-none-match': etag! } });
    assert.equal(again.status, 304);
    assert.equal(again.headers.get('etag'), etag);
  });

  it('rotation under load: two forced rotations while tokens are issued and introspected; nothing fails', async () => {
    const issued: string[] = [];
    const failures: string[] = [];
    let running = true;
    const loop = async (n: number) => {
      while (running) {
        try {
          const token = await tokenFor(suite, client);
          issued.push(token);
          const answer = await introspect(suite, token, introspector);
          if (answer.status !== 200 || answer.json.active !== true) failures.push(`loop ${n}: ${kidOf(token)} introspected ${answer.status} ${answer.text}`);
        } catch (err: unknown) {
          failures.push(`loop ${n}: ${(err as Error).message}`);
        }
      }
    };
    const loops = Array.from({ length: 4 }, (_, n) => loop(n));
    const rotations: string[] = [];
    try {
      for (const body of [undefined, { alg: 'ES256' }]) {
        await sleep(700);
        const reply = await rotate(suite, admin, body);
        if (reply.status !== 200) failures.push(`rotation: ${reply.status} ${reply.text}`);
        else rotations.push(...(reply.json.rotated as Array<{ alg: string; kid: string }>).filter((r) => r.alg === 'ES256').map((r) => r.kid));
      }
      await sleep(1200);
    } finally {
      running = false;
      await Promise.all(loops);
    }
    assert.deepEqual(failures, []);
    assert.equal(rotations.length, 2);
    const kids = new Set(issued.map(kidOf));
    for (const kid of rotations) assert.ok(kids.has(kid), `tokens were signed by the rotated-in key ${kid}`);
    assert.ok(kids.size >= 3, `tokens from before, between and after the rotations (${kids.size} kids over ${issued.length} tokens)`);

    // Every token verifies against /jwks fetched afterwards, and is still active.
    const verify = createLocalJWKSet(await publishedKeys(suite));
    for (const token of issued) await jwtVerify(token, verify, { issuer: suite.issuer, audience: suite.fhirBaseUrl, typ: 'at+jwt' });
    for (let i = 0; i < issued.length; i += 16) {
      await Promise.all(issued.slice(i, i + 16).map((token) => assertActive(introspect(suite, token, introspector), `token of ${kidOf(token)}`)));
    }
  });
});

interface StoredKey {
  kid: string;
  alg: string;
  state: string;
  created_at: Date;
  activated_at: Date | null;
  retired_at: Date | null;
}

describe('scheduled rotation with two jwks replicas', { skip: realInfrastructure ? false : 'needs NATS_URL and DATABASE_URL' }, () => {
  const INTERVAL_S = 6;
  const PREPUBLICATION_S = 2;
  let suite: RunningSuite;
  let db: pg.Client;
  const extra: ChildProcess[] = [];
  /** Every key ever seen in the table (removed ones included), as last seen; polled every 150 ms. */
  const seen = new Map<string, StoredKey>();
  let current = new Set<string>();
  /** When the poller first missed a key it had seen. */
  const goneAt = new Map<string, number>();
  let polling: Promise<void> | undefined;
  let stopPolling = false;

  before(async () => {
    suite = await startSuite({
      env: {
        KEY_ROTATION_INTERVAL: `${INTERVAL_S}s`,
        KEY_ROTATION_CHECK_MS: '200',
        JWKS_MAX_AGE_SECONDS: String(PREPUBLICATION_S),
        // Short retention, to see retired keys leave; this suite's tokens are not checked once their key has left.
        MAX_TOKEN_LIFETIME_SECONDS: '3',
        CLOCK_SKEW_SECONDS: '1',
      },
    });
    extra.push(await suite.startService('jwks'));
    db = new pg.Client({ connectionString: suite.databaseUrl });
    await db.connect();
    polling = (async () => {
      while (!stopPolling) {
        const { rows } = await db.query<StoredKey>('SELECT kid, alg, state, created_at, activated_at, retired_at FROM signing_key');
        for (const row of rows) seen.set(row.kid, row);
        current = new Set(rows.map((r) => r.kid));
        for (const kid of seen.keys()) if (!current.has(kid) && !goneAt.has(kid)) goneAt.set(kid, Date.now());
        await sleep(150);
      }
    })();
  });
  after(async () => {
    stopPolling = true;
    await polling?.catch(() => undefined);
    await db?.end();
    for (const child of extra) if (child.exitCode === null) child.kill('SIGTERM');
    await suite?.stop();
  });

  /** Runs a jwks process expected to refuse to start; its exit code and output. */
  async function failedStart(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
    const child = await suite.startService('jwks', env);
    extra.push(child);
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), 20_000);
      child.once('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    return { code, output };
  }

  it('rotates once per interval, whichever replica does it, and removes retired keys when they expire', async () => {
    await sleep(2 * INTERVAL_S * 1000 + 1500);
    for (const alg of ['ES256', 'RS256']) {
      const activations = [...seen.values()].filter((k) => k.alg === alg && k.activated_at).sort((a, b) => a.activated_at!.getTime() - b.activated_at!.getTime());
      const history = JSON.stringify(activations.map((k) => ({ kid: k.kid.slice(0, 8), state: k.state, created: k.created_at, activated: k.activated_at, retired: k.retired_at })));
      assert.ok(activations.length >= 3, `the first ${alg} key and at least two rotations: ${history}`);
      assert.equal(activations[0]!.created_at.getTime(), activations[0]!.activated_at!.getTime(), 'the first key signs at once');
      for (let i = 1; i < activations.length; i++) {
        const [previous, key] = [activations[i - 1]!, activations[i]!];
        const gap = (key.activated_at!.getTime() - previous.activated_at!.getTime()) / 1000;
        assert.ok(gap >= INTERVAL_S - 0.1 && gap <= INTERVAL_S + 1.5, `${alg}: one rotation per ${INTERVAL_S} s interval, not ${gap} s apart: ${history}`);
        assert.ok(key.activated_at!.getTime() - key.created_at.getTime() >= PREPUBLICATION_S * 1000, `${alg}: published ${PREPUBLICATION_S} s before it signs: ${history}`);
        if (previous.retired_at) assert.equal(previous.retired_at.getTime(), key.activated_at!.getTime(), `${alg}: retired when its successor activated`);
      }
      const last = activations[activations.length - 1]!;
      assert.ok(Date.now() - last.activated_at!.getTime() <= (INTERVAL_S + 2) * 1000, `${alg}: still rotating: ${history}`);
    }
    assert.ok(goneAt.size >= 2, 'retired keys left the ring');
    for (const [kid, at] of goneAt) {
      const key = seen.get(kid)!;
      assert.equal(key.state, 'retired');
      const after = (at - key.retired_at!.getTime()) / 1000;
      assert.ok(after >= 4 - 0.2 && after <= 4 + 1.5, `removed when the retention (3 s token lifetime + 1 s skew) was over, not ${after} s after retirement`);
    }

    // The admin view agrees (a fresh admin token: the retention configured here is shorter than the tokens' lifetime).
    const keys = await listKeys(suite, await adminToken(suite));
    for (const alg of ['ES256', 'RS256']) {
      const ofAlg = keys.filter((k) => k.alg === alg);
      assert.equal(ofAlg.filter((k) => k.state === 'active').length, 1);
      assert.equal(ofAlg.filter((k) => k.state === 'next').length, 1);
      assert.ok(ofAlg.length <= 3, `next, active and at most one retired ${alg} key: ${JSON.stringify(ofAlg)}`);
    }
  });

  it('a wrong or missing KEY_ENCRYPTION_KEY is a clear start-up error, never new keys', async () => {
    const wrong = await failedStart({ KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url') });
    assert.equal(wrong.code, 1, wrong.output);
    assert.match(wrong.output, /signing key \S+ cannot be decrypted: the KEY_ENCRYPTION_KEY is wrong/);
    const missing = await failedStart({ KEY_ENCRYPTION_KEY: '' });
    assert.equal(missing.code, 1, missing.output);
    assert.match(missing.output, /KEY_ENCRYPTION_KEY/);
    await sleep(300);
    // Every key but the first of each algorithm was pre-published by a rotation: none was minted in place of one that did not open.
    const signedAtOnce = [...seen.values()].filter((k) => k.activated_at && k.activated_at.getTime() === k.created_at.getTime());
    assert.deepEqual(signedAtOnce.map((k) => k.alg).sort(), ['ES256', 'RS256']);
  });
});
