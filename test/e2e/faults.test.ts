import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startSuite, type RunningSuite } from '#testing';
import { basicAuth, machineClient, revoke, tokenFor, type RegisteredClient } from './support/http.js';
import { NATS_BINARY, PrivateNats } from './support/private-nats.js';

const realInfrastructure = Boolean(process.env.NATS_URL && process.env.DATABASE_URL);
const skip = !realInfrastructure ? 'needs NATS_URL and DATABASE_URL' : !NATS_BINARY ? 'needs a nats-server binary' : false;
/** Far above RPC_TIMEOUT_MS (1 s): a request taking this long is a hang. */
const HANG_MS = 6000;
const OUTBOXES = ['authorization', 'registration', 'introspection', 'jwks'];

interface Outcome {
  status: number;
  ms: number;
  token?: string;
}

/** Workers asking for client_credentials tokens until stopped; every answer and its duration is kept. */
class TokenLoad {
  readonly outcomes: Outcome[] = [];
  private running = true;
  private readonly workers: Array<Promise<void>>;

  constructor(suite: RunningSuite, client: RegisteredClient, workers = 4) {
    const authorization = basicAuth(client.client_id, client.client_secret!);
    this.workers = Array.from({ length: workers }, async () => {
      while (this.running) {
        const started = Date.now();
        try {
          const res = await fetch(`${suite.baseUrl}/token`, {
            method: 'POST',
            headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
            body: 'grant_type=client_credentials',
            signal: AbortSignal.timeout(HANG_MS * 2),
          });
          const body = (await res.json().catch(() => ({}))) as { access_token?: string };
          this.outcomes.push({ status: res.status, ms: Date.now() - started, token: res.status === 200 ? body.access_token : undefined });
          if (res.status !== 200) await new Promise((r) => setTimeout(r, 50));
        } catch {
          this.outcomes.push({ status: 0, ms: Date.now() - started });
        }
      }
    });
  }

  /** Resolves once `n` more answers than now have come back. */
  async answers(n: number): Promise<void> {
    const target = this.outcomes.length + n;
    while (this.outcomes.length < target) await new Promise((r) => setTimeout(r, 20));
  }

  async stop(): Promise<Outcome[]> {
    this.running = false;
    await Promise.all(this.workers);
    return this.outcomes;
  }
}

const jtiOf = (token: string): string => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).jti as string;

/**
 * Issue #5 "nothing is lost", on real servers: NATS going away, the audit
 * service restarting, a token replica killed. Whatever the clients were
 * handed is in the trail exactly once, and so is every event written to an
 * outbox.
 */
describe('faults: every event reaches the audit trail exactly once', { skip }, () => {
  let nats: PrivateNats;
  let suite: RunningSuite;
  let db: pg.Client;
  let client: RegisteredClient;

  before(async () => {
    nats = await PrivateNats.start();
    suite = await startSuite({ natsUrl: nats.url, env: { RPC_TIMEOUT_MS: '1000' } });
    db = new pg.Client({ connectionString: suite.databaseUrl });
    await db.connect();
    client = await machineClient(suite);
  });
  after(async () => {
    await db?.end();
    await suite?.stop();
    await nats?.remove();
  });

  /** Waits until every outbox is drained and each given jti and outbox event is in the trail, then checks "exactly once". */
  async function assertExactlyOnce(tokens: string[]): Promise<void> {
    const jtis = tokens.map(jtiOf);
    const deadline = Date.now() + 25_000;
    let missing: string[] = [];
    for (;;) {
      const pending: number[] = [];
      for (const s of OUTBOXES) pending.push(Number((await db.query(`SELECT count(*) AS n FROM ${s}_outbox WHERE published_at IS NULL`)).rows[0].n));
      const unstored: string[] = [];
      for (const s of OUTBOXES) {
        const { rows } = await db.query(`SELECT o.id FROM ${s}_outbox o LEFT JOIN audit_event a ON a.event_id = o.id WHERE a.event_id IS NULL`);
        unstored.push(...rows.map((r: { id: string }) => `${s}:${r.id}`));
      }
      const { rows: issued } = await db.query(`SELECT data->'data'->>'jti' AS jti FROM audit_event WHERE type = 'token.issued' AND data->'data'->>'jti' = ANY($1)`, [jtis]);
      const found = new Set(issued.map((r: { jti: string }) => r.jti));
      missing = [...unstored, ...jtis.filter((j) => !found.has(j)).map((j) => `token.issued:${j}`)];
      if (missing.length === 0 && pending.every((n) => n === 0)) break;
      if (Date.now() > deadline) assert.fail(`not in the trail after 25 s: ${missing.slice(0, 5).join(', ')} (${missing.length}); pending in outboxes: ${pending.join('/')}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const { rows: twice } = await db.query(
      `SELECT data->'data'->>'jti' AS jti, count(*) AS n FROM audit_event WHERE type = 'token.issued' AND data->'data'->>'jti' = ANY($1) GROUP BY 1 HAVING count(*) <> 1`,
      [jtis],
    );
    assert.deepEqual(twice, [], 'one token.issued per token handed out');
    for (const s of OUTBOXES) {
      const { rows } = await db.query(`SELECT o.id, count(a.seq) AS n FROM ${s}_outbox o LEFT JOIN audit_event a ON a.event_id = o.id GROUP BY o.id HAVING count(a.seq) <> 1`);
      assert.deepEqual(rows, [], `every ${s} outbox event stored once`);
    }
    const { rows: chain } = await db.query(`SELECT count(*) AS n FROM audit_event WHERE row_hash IS NULL OR row_hash = ''`);
    assert.equal(Number(chain[0].n), 0, 'every row is on the hash chain');
  }

  const handedOut = (outcomes: Outcome[]) => outcomes.filter((o) => o.status === 200).map((o) => o.token!);

  it('NATS stops while tokens are issued and revoked: fast 503s, and after its return nothing is lost or doubled', async () => {
    const victims = await Promise.all([1, 2, 3].map(() => tokenFor(suite, client)));
    const auth = basicAuth(client.client_id, client.client_secret!);
    const load = new TokenLoad(suite, client);
    await load.answers(20);
    await nats.halt();
    await load.answers(12);
    const started = Date.now();
    const refused = await revoke(suite, victims[0]!, auth);
    assert.equal(refused.status, 503, refused.text);
    assert.equal(refused.json.error, 'temporarily_unavailable');
    assert.ok(Date.now() - started < HANG_MS, 'the revocation fails fast');
    await nats.resume();
    // Revocations while the suite reconnects: 200, or 503 with the revocation kept for the outbox relay.
    const revocations = await Promise.all(victims.map((t) => revoke(suite, t, auth)));
    await load.answers(20);
    const outcomes = await load.stop();

    const whileDown = outcomes.filter((o) => o.status !== 200);
    assert.ok(whileDown.length > 0, 'some requests met the broker down');
    assert.ok(whileDown.every((o) => o.status === 503), `only 503s: ${[...new Set(whileDown.map((o) => o.status))].join(', ')}`);
    assert.ok(outcomes.every((o) => o.ms < HANG_MS), `no request hung (slowest ${Math.max(...outcomes.map((o) => o.ms))} ms)`);
    for (const r of revocations) assert.ok(r.status === 200 || r.status === 503, r.text);
    // Retried after a 503 (RFC 7009 §2.2.1), each revocation is confirmed.
    for (const t of victims) assert.equal((await revoke(suite, t, auth)).status, 200);
    await assertExactlyOnce([...victims, ...handedOut(outcomes)]);
    const revokedInTrail = new Set((await db.query(`SELECT data->'data'->>'jti' AS jti FROM audit_event WHERE type = 'token.revoked'`)).rows.map((r: { jti: string }) => r.jti));
    for (const t of victims) assert.ok(revokedInTrail.has(jtiOf(t)), 'every revocation reached the trail');
  });

  it('the audit service restarts mid-stream: the trail catches up, each event once', async () => {
    const load = new TokenLoad(suite, client);
    await load.answers(20);
    await suite.stopService('audit');
    await load.answers(30);
    await suite.startService('audit');
    await load.answers(20);
    const outcomes = await load.stop();
    assert.ok(outcomes.every((o) => o.status === 200), `the audit service is not on the token path: ${outcomes.filter((o) => o.status !== 200).length} failures`);
    await assertExactlyOnce(handedOut(outcomes));
  });

  it('a token replica killed mid-load: no token handed out goes unrecorded', async () => {
    const second = await suite.startService('token');
    await new Promise((r) => setTimeout(r, 1500)); // it joins the queue group
    const load = new TokenLoad(suite, client, 6);
    await load.answers(40);
    second.kill('SIGKILL');
    await load.answers(40);
    const outcomes = await load.stop();
    assert.ok(outcomes.every((o) => o.status === 200 || o.status === 503), `only 200 and 503: ${[...new Set(outcomes.map((o) => o.status))].join(', ')}`);
    assert.ok(outcomes.every((o) => o.ms < HANG_MS), 'no request hung');
    await assertExactlyOnce(handedOut(outcomes));
  });
});
