import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { decodeJwt } from 'jose';
import { startSuite, type RunningSuite } from '#testing';
import { obtainCode } from './support/form-flow.js';
import { assertOAuthError, basicAuth, bearer, call, introspect, machineClient, register, replyOf, revoke, tokenFor, tokenRequest, type RegisteredClient, type Reply } from './support/http.js';
import { adminToken, createUser, type TestUser } from './support/people.js';
import { TcpProxy } from './support/tcp-proxy.js';

const realInfrastructure = Boolean(process.env.NATS_URL && process.env.DATABASE_URL);
const CALLBACK = 'https://partition-app.example/callback';
const APP_SCOPE = 'launch/patient openid fhirUser offline_access patient/*.rs';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls a management port's /health/ready until it answers `wanted`. */
async function readiness(managementUrl: string, wanted: number, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const reply = await replyOf(await fetch(`${managementUrl}/health/ready`, { signal: AbortSignal.timeout(3000) }));
      if (reply.status === wanted) return;
      last = `${reply.status} ${reply.text}`;
    } catch (err: unknown) {
      last = (err as Error).message;
    }
    await sleep(100);
  }
  assert.fail(`${managementUrl}/health/ready did not turn ${wanted} within ${withinMs} ms (last: ${last})`);
}

/** How many introspections a process answered (oauth_introspections_total, active or not). */
async function introspectionsAnswered(managementUrl: string): Promise<number> {
  const metrics = await (await fetch(`${managementUrl}/metrics`)).text();
  let total = 0;
  for (const match of metrics.matchAll(/^oauth_introspections_total\{active="(?:true|false)"\} (\d+)$/gm)) total += Number(match[1]);
  return total;
}

/** RFC 7009 §2.2.1: a client retries a 503 (once, on a loaded machine, a revocation during the cut timed out at the gateway). */
async function retried(send: () => Promise<Reply>): Promise<Reply> {
  let reply = await send();
  for (let attempt = 1; reply.status === 503 && attempt < 3; attempt++) reply = await send();
  return reply;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

/**
 * Issue #13: an introspection replica cut off from NATS misses the
 * `token.revoked` and `grant.revoked` broadcasts. After it is back it must
 * not answer from what it knew before: it holds requests until it has caught
 * up (revoked_token reloaded, grant.revoked replayed from the stream), and
 * then every revoked token is inactive. One replica reaches NATS through a
 * TCP proxy the test cuts.
 */
describe('revocations made while an introspection replica was cut off from NATS', { skip: realInfrastructure ? false : 'needs NATS_URL and DATABASE_URL' }, () => {
  let suite: RunningSuite;
  let proxy: TcpProxy;
  let cutReplica: ChildProcess;
  let cutReplicaUrl: string;
  const started: ChildProcess[] = [];
  let admin: string;
  let person: TestUser;
  let app: RegisteredClient;
  const adminAuth = () => basicAuth(suite.adminClientId, suite.adminClientSecret);
  const appAuth = () => basicAuth(app.client_id, app.client_secret!);

  /** A launch with offline_access: the code exchanged for an access and a refresh token. */
  async function launch(): Promise<{ access: string; refresh: string; grantId: string }> {
    const { code, verifier } = await obtainCode(suite, { client_id: app.client_id, redirect_uri: CALLBACK, scope: APP_SCOPE }, { username: person.username, password: person.password });
    const tokens = await tokenRequest(suite, { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: verifier }, { authorization: appAuth() });
    assert.equal(tokens.status, 200, tokens.text);
    const access = tokens.json.access_token as string;
    return { access, refresh: tokens.json.refresh_token as string, grantId: String(decodeJwt(access).grant_id) };
  }

  async function refresh(refreshToken: string): Promise<{ access: string; refresh: string }> {
    const tokens = await tokenRequest(suite, { grant_type: 'refresh_token', refresh_token: refreshToken }, { authorization: appAuth() });
    assert.equal(tokens.status, 200, tokens.text);
    return { access: tokens.json.access_token as string, refresh: tokens.json.refresh_token as string };
  }

  before(async () => {
    const nats = new URL(process.env.NATS_URL!);
    proxy = await TcpProxy.start(nats.hostname, Number(nats.port || 4222));
    suite = await startSuite();
    cutReplica = await suite.startService('introspection', { NATS_URL: proxy.urlThrough(process.env.NATS_URL!) });
    started.push(cutReplica);
    cutReplicaUrl = suite.managementUrlOf(cutReplica);
    await readiness(cutReplicaUrl, 200, 60_000);
    admin = await adminToken(suite);
    person = await createUser(suite, admin, { fhirUser: 'Patient/pt-partition', display_name: 'Parker Partition' });
    app = await register(suite, {
      client_name: 'Partition App',
      redirect_uris: [CALLBACK],
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      scope: APP_SCOPE,
    });
  });
  after(async () => {
    for (const child of started) if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.all(started.map(exited));
    await suite?.stop();
    await proxy?.cut();
  });

  it('answers active:false for every token revoked during the cut, from the moment it is back, and after a restart', async () => {
    const machine = await machineClient(suite);
    const machineTokens = await Promise.all([1, 2, 3, 4, 5].map(() => tokenFor(suite, machine)));
    const byAdmin = await launch();
    const byReuse = await launch();
    const byReuseRotated = await refresh(byReuse.refresh);
    const unheard = await launch();
    const unheardRotated = await refresh(unheard.refresh);
    // A client the cut replica has looked up (so it is in its client directory), deleted during the cut.
    const doomed = await machineClient(suite);
    const doomedToken = await tokenFor(suite, doomed);
    const seen = await introspectionsAnswered(cutReplicaUrl);
    for (let i = 0; i < 200 && (await introspectionsAnswered(cutReplicaUrl)) === seen; i++) {
      assert.equal((await introspect(suite, doomedToken, adminAuth())).json.active, true);
    }
    assert.ok((await introspectionsAnswered(cutReplicaUrl)) > seen, 'the cut replica answered for the doomed client before the cut');
    const revoked = [...machineTokens, byAdmin.access, byReuse.access, byReuseRotated.access, unheard.access, unheardRotated.access, doomedToken];
    for (const token of revoked) assert.equal((await introspect(suite, token, adminAuth())).json.active, true, 'active before the cut');

    await proxy.cut();
    await readiness(cutReplicaUrl, 503, 15_000);

    // The replica still on the bus answers these and hears their events; the cut one hears nothing.
    for (const token of machineTokens) {
      const revoked = await retried(() => revoke(suite, token, basicAuth(machine.client_id, machine.client_secret!)));
      assert.equal(revoked.status, 200, revoked.text);
    }
    const deleted = await retried(() => call(suite, `/admin/grants/${byAdmin.grantId}`, { method: 'DELETE', headers: { authorization: bearer(admin) } }));
    assert.equal(deleted.status, 204, deleted.text);
    // RFC 9700 §4.14.2: a rotated refresh token coming back revokes its grant.
    assertOAuthError(await tokenRequest(suite, { grant_type: 'refresh_token', refresh_token: byReuse.refresh }, { authorization: appAuth() }), 400, 'invalid_grant');
    // RFC 7592 §2.3: a deleted client's tokens are inactive (client.deleted empties the client directories).
    const removed = await retried(() => call(suite, `/admin/clients/${doomed.client_id}`, { method: 'DELETE', headers: { authorization: bearer(admin) } }));
    assert.equal(removed.status, 204, removed.text);

    // Then the other replica goes too: a grant revoked now is heard by no introspection replica at all.
    const [other] = suite.processes('introspection').filter((c) => c !== cutReplica);
    assert.ok(other, 'the suite has its own introspection replica');
    other.kill('SIGTERM');
    await exited(other);
    assertOAuthError(await tokenRequest(suite, { grant_type: 'refresh_token', refresh_token: unheard.refresh }, { authorization: appAuth() }), 400, 'invalid_grant');

    // Healed: from the first request that reaches the replica on, no revoked token is active (503 while no replica answers is fine).
    await proxy.restore();
    const during: Reply[] = [];
    let healed = false;
    const probing = (async () => {
      for (let i = 0; !healed; i++) {
        during.push(await introspect(suite, revoked[i % revoked.length]!, adminAuth()));
        await sleep(5);
      }
    })();
    await readiness(cutReplicaUrl, 200, 30_000);
    healed = true;
    await probing;
    for (const reply of during) {
      assert.ok(reply.status === 503 || (reply.status === 200 && reply.json.active === false), `while healing: ${reply.status} ${reply.text}`);
    }

    const answeredBefore = await introspectionsAnswered(cutReplicaUrl);
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => introspect(suite, revoked[i % revoked.length]!, adminAuth())));
    for (const [i, reply] of answers.entries()) assert.deepEqual({ status: reply.status, body: reply.json }, { status: 200, body: { active: false } }, `introspection ${i}`);
    assert.equal((await introspectionsAnswered(cutReplicaUrl)) - answeredBefore, 100, 'the healed replica (the only one) answered them all');
    // Other services check bearer tokens with introspection.v1.verify: the same state.
    for (const token of [byAdmin.access, byReuseRotated.access, unheard.access]) {
      assertOAuthError(await call(suite, '/userinfo', { headers: { authorization: bearer(token) } }), 401, 'invalid_token', '/userinfo');
    }

    // A replica started now knows them too (tables and stream), and the two share the load.
    const fresh = await suite.startService('introspection');
    started.push(fresh);
    const freshUrl = suite.managementUrlOf(fresh);
    await readiness(freshUrl, 200, 60_000);
    const before = [await introspectionsAnswered(cutReplicaUrl), await introspectionsAnswered(freshUrl)];
    const spread: Reply[] = [];
    for (let round = 0; round < 10; round++) {
      spread.push(...(await Promise.all(Array.from({ length: 10 }, (_, i) => introspect(suite, revoked[(round * 10 + i) % revoked.length]!, adminAuth())))));
    }
    for (const [i, reply] of spread.entries()) assert.deepEqual({ status: reply.status, body: reply.json }, { status: 200, body: { active: false } }, `introspection ${i} over both replicas`);
    const answered = [(await introspectionsAnswered(cutReplicaUrl)) - before[0]!, (await introspectionsAnswered(freshUrl)) - before[1]!];
    assert.equal(answered[0]! + answered[1]!, 100);
    assert.ok(answered[0]! > 0 && answered[1]! > 0, `both replicas answered: ${answered.join(' and ')}`);

    // A token issued after all this is active on both (the replicas did not simply stop answering true).
    const live = await tokenFor(suite, machine);
    for (let i = 0; i < 10; i++) assert.equal((await introspect(suite, live, adminAuth())).json.active, true);
  });
});
