import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { startSuite, type RunningSuite } from '#testing';
import { basicAuth, machineClient, tokenFor, type RegisteredClient } from './support/http.js';

const realInfrastructure = Boolean(process.env.NATS_URL && process.env.DATABASE_URL);
/** Issue #14: a request whose replica died is answered within a second (RPC_TIMEOUT_MS stays at its default, 5 s). */
const FAILOVER_MS = 1000;
/** A request no dead replica had taken: answered well before the 5 s request timeout. */
const NO_HANG_MS = 3000;
const WORKERS = 12;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Outcome {
  kind: 'token' | 'introspect';
  requestId: string;
  started: number;
  ms: number;
  status: number;
  retryAfter: string | null;
  jti?: string;
  active?: boolean;
}

/**
 * Issue #14 "fast failover": two token and two introspection replicas under
 * concurrent load, one of each frozen (SIGSTOP) for 300 ms and then killed
 * (SIGKILL), as a pod stalls and is killed by its liveness probe or the OOM
 * killer. The requests NATS handed to the dead replicas are answered within
 * a second (introspection, a read, on the other replica; token issuance 200
 * or 503, never run twice), not after the 5 s request timeout.
 *
 * Why freeze first: a plain SIGKILL under this load lost no request (3,283
 * requests, the slowest 151 ms, before the fix too): the NATS server drops a
 * killed process's subscriptions as soon as its socket closes, and a token
 * or introspection request spends well under a millisecond inside the
 * replica, so hardly any is in it at the moment of the kill. The freeze puts
 * a few hundred requests into the replica that will die.
 */
describe('a replica killed under load', { skip: realInfrastructure ? false : 'needs NATS_URL and DATABASE_URL' }, () => {
  let suite: RunningSuite;
  let client: RegisteredClient;
  let subject: string;
  const extra: ChildProcess[] = [];

  before(async () => {
    suite = await startSuite();
    client = await machineClient(suite);
    subject = await tokenFor(suite, client);
    extra.push(await suite.startService('token'), await suite.startService('introspection'));
    // The new replicas load keys and join their queue groups.
    await sleep(3000);
  });
  after(async () => {
    for (const child of extra) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await suite?.stop();
  });

  it('answers every request within a second of the kill, 200 or 503 with Retry-After, and issues no token twice', async () => {
    const outcomes: Outcome[] = [];
    let running = true;
    const tokenAuth = basicAuth(client.client_id, client.client_secret!);
    const adminAuth = basicAuth(suite.adminClientId, suite.adminClientSecret);
    const worker = async (kind: Outcome['kind']) => {
      while (running) {
        const requestId = randomUUID();
        const started = Date.now();
        const res = await fetch(`${suite.baseUrl}/${kind === 'token' ? 'token' : 'introspect'}`, {
          method: 'POST',
          headers: { authorization: kind === 'token' ? tokenAuth : adminAuth, 'content-type': 'application/x-www-form-urlencoded', 'x-request-id': requestId },
          body: kind === 'token' ? 'grant_type=client_credentials' : new URLSearchParams({ token: subject }).toString(),
          signal: AbortSignal.timeout(15_000),
        });
        const body = (await res.json().catch(() => ({}))) as { access_token?: string; active?: boolean };
        outcomes.push({
          kind,
          requestId,
          started,
          ms: Date.now() - started,
          status: res.status,
          retryAfter: res.headers.get('retry-after'),
          ...(body.access_token ? { jti: JSON.parse(Buffer.from(body.access_token.split('.')[1]!, 'base64url').toString()).jti as string } : {}),
          ...(kind === 'introspect' ? { active: body.active } : {}),
        });
      }
    };
    const workers = [...Array.from({ length: WORKERS }, () => worker('token')), ...Array.from({ length: WORKERS }, () => worker('introspect'))];
    await sleep(1500);
    const killedAt = Date.now();
    for (const child of extra) child.kill('SIGSTOP');
    await sleep(300);
    for (const child of extra) child.kill('SIGKILL');
    await sleep(2500);
    running = false;
    await Promise.all(workers);

    const around = outcomes.filter((o) => o.started + o.ms >= killedAt);
    assert.ok(around.length > 50, `requests after the kill (${around.length})`);
    // A request the dead replicas had taken ends as a 503 (token issuance, never sent twice) or as an introspection
    // answered by the other replica: those are the failovers, bound to a second. A token issued (200) was never in a
    // dead replica, which answers nothing: it is only bound not to hang (a loaded CI host has shown 1.02 s).
    const slow = outcomes.filter((o) => o.ms >= (o.kind === 'token' && o.status === 200 ? NO_HANG_MS : FAILOVER_MS));
    assert.deepEqual(slow.map((o) => `${o.kind} ${o.status} after ${o.ms} ms`), [], 'every failover within a second, no request hanging');
    const unexpected = outcomes.filter((o) => o.status !== 200 && o.status !== 503);
    assert.deepEqual(unexpected.map((o) => `${o.kind} ${o.status}`), [], 'only 200 and 503');
    for (const o of outcomes.filter((x) => x.status === 503)) assert.match(o.retryAfter ?? '', /^[1-9]\d*$/, `${o.kind} 503 without Retry-After`);
    assert.ok(outcomes.filter((o) => o.kind === 'introspect' && o.status === 200).every((o) => o.active === true), 'introspection stays right');
    const failed = outcomes.filter((o) => o.status === 503);
    console.log(
      `# ${outcomes.length} requests, ${failed.length} × 503 (${failed.filter((o) => o.kind === 'token').length} token), slowest ${Math.max(...outcomes.map((o) => o.ms))} ms, ` +
        `slowest after the kill ${Math.max(...around.map((o) => o.ms))} ms`,
    );

    // No token request ran twice: at most one token.issued per request id, exactly one for each 200.
    const db = new pg.Client({ connectionString: suite.databaseUrl });
    await db.connect();
    try {
      const tokens = outcomes.filter((o) => o.kind === 'token');
      const handedOut = tokens.filter((o) => o.status === 200);
      const deadline = Date.now() + 20_000;
      for (;;) {
        const { rows } = await db.query(`SELECT request_id, count(*) AS n FROM audit_event WHERE type = 'token.issued' AND request_id = ANY($1) GROUP BY request_id`, [tokens.map((o) => o.requestId)]);
        const issued = new Map(rows.map((r: { request_id: string; n: string }) => [r.request_id, Number(r.n)]));
        assert.deepEqual([...issued].filter(([, n]) => n > 1), [], 'no token request executed twice');
        if (handedOut.every((o) => issued.get(o.requestId) === 1)) break;
        if (Date.now() > deadline) assert.fail(`${handedOut.filter((o) => issued.get(o.requestId) !== 1).length} tokens handed out without their token.issued`);
        await sleep(250);
      }
    } finally {
      await db.end();
    }
  });
});
