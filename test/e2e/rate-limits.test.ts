import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { freePort, startSuite, type RunningSuite } from '#testing';
import { basicAuth, bearer, initialAccessToken, replyOf, type RegisteredClient, type Reply } from './support/http.js';

const realInfrastructure = Boolean(process.env.NATS_URL && process.env.DATABASE_URL);
const WINDOW_S = 20;
/** The suite's limits, low enough to reach in a test; TRUST_PROXY lets each case come from an address of its own. */
const LIMITS = {
  TRUST_PROXY: 'true',
  RATE_LIMIT_WINDOW_SECONDS: String(WINDOW_S),
  RATE_LIMIT_TOKEN_PER_CLIENT: '3',
  RATE_LIMIT_TOKEN_PER_ADDRESS: '8',
  RATE_LIMIT_INTROSPECT_PER_CLIENT: '3',
  RATE_LIMIT_REGISTER_PER_ADDRESS: '2',
  RATE_LIMIT_LOGIN_PER_ADDRESS: '2',
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let setupAddress = 0;
/** A documentation address (RFC 5737) for each case, so the per-address counts of the cases never mix. */
let caseAddress = 0;
const nextAddress = () => `203.0.113.${++caseAddress}`;

async function send(base: string, path: string, from: string, init: { body: string; type?: string; authorization?: string; accept?: string }): Promise<Reply> {
  const headers: Record<string, string> = { 'content-type': init.type ?? 'application/x-www-form-urlencoded', 'x-forwarded-for': from };
  if (init.authorization) headers.authorization = init.authorization;
  if (init.accept) headers.accept = init.accept;
  return replyOf(await fetch(`${base}${path}`, { method: 'POST', headers, body: init.body }));
}

const tokenFrom = (base: string, client: RegisteredClient, from: string) =>
  send(base, '/token', from, { body: 'grant_type=client_credentials', authorization: basicAuth(client.client_id, client.client_secret!) });

/** RFC 6585 §4: 429 with Retry-After; the body is OAuth JSON `temporarily_unavailable` (see TooManyRequests). */
function assertLimited(reply: Reply, what: string): number {
  const context = `${what}: ${reply.status} ${reply.text.slice(0, 200)}`;
  assert.equal(reply.status, 429, context);
  const retryAfter = Number(reply.headers.get('retry-after'));
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= WINDOW_S, `${context}: Retry-After ${reply.headers.get('retry-after')}`);
  return retryAfter;
}

function assertLimitedJson(reply: Reply, what: string): number {
  const retryAfter = assertLimited(reply, what);
  assert.match(reply.headers.get('content-type') ?? '', /^application\/json/, what);
  assert.equal(reply.json.error, 'temporarily_unavailable', what);
  assert.equal(reply.headers.get('cache-control'), 'no-store', what);
  return retryAfter;
}

describe('rate limits (RATE_LIMIT_*)', { skip: realInfrastructure ? false : 'needs NATS_URL and DATABASE_URL' }, () => {
  let suite: RunningSuite;
  const extra: ChildProcess[] = [];

  /** Registers a machine client from a setup address of its own (registration is limited per address too). */
  async function machine(name: string): Promise<RegisteredClient> {
    const reply = await send(suite.baseUrl, '/register', `198.51.100.${++setupAddress}`, {
      type: 'application/json',
      // Trust tiers: the run's initial access token vouches for the system scope.
      authorization: bearer(initialAccessToken(suite)),
      body: JSON.stringify({ client_name: name, grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', scope: 'system/Patient.rs' }),
    });
    assert.equal(reply.status, 201, reply.text);
    return reply.json as RegisteredClient;
  }

  before(async () => {
    suite = await startSuite({ env: LIMITS });
  });
  after(async () => {
    for (const child of extra) if (child.exitCode === null) child.kill('SIGTERM');
    await suite?.stop();
  });

  it('/token: per client, answered 429 with Retry-After, other clients unaffected, and the limit resets', async () => {
    const [a, b] = [await machine('A'), await machine('B')];
    const from = nextAddress();
    for (let i = 1; i <= 3; i++) assert.equal((await tokenFrom(suite.baseUrl, a, from)).status, 200, `request ${i}`);
    const retryAfter = assertLimitedJson(await tokenFrom(suite.baseUrl, a, from), 'the 4th request of A');
    assertLimitedJson(await tokenFrom(suite.baseUrl, a, nextAddress()), 'A from another address: the limit is the client\'s');
    assert.equal((await tokenFrom(suite.baseUrl, b, from)).status, 200, 'B from the same address');
    await sleep(retryAfter * 1000 + 250);
    assert.equal((await tokenFrom(suite.baseUrl, a, from)).status, 200, 'after Retry-After, a new window');
  });

  it('/token: per address, whichever clients ask', async () => {
    const clients = [await machine('C'), await machine('D'), await machine('E')];
    const from = nextAddress();
    // 3 + 3 + 2 = 8 requests: the address's limit, no client over its own.
    for (const [client, n] of [[clients[0]!, 3], [clients[1]!, 3], [clients[2]!, 2]] as const) {
      for (let i = 0; i < n; i++) assert.equal((await tokenFrom(suite.baseUrl, client, from)).status, 200);
    }
    assertLimitedJson(await tokenFrom(suite.baseUrl, clients[2]!, from), 'the 9th request from one address');
    assert.equal((await tokenFrom(suite.baseUrl, clients[2]!, nextAddress())).status, 200, 'the same client from another address');
  });

  it('/par: counted with /token, per client (RFC 9126 §2.3 allows 429)', async () => {
    const client = await machine('Pusher');
    const from = nextAddress();
    const pushFrom = () => send(suite.baseUrl, '/par', from, { body: 'response_type=code', authorization: basicAuth(client.client_id, client.client_secret!) });
    // A machine client's push is refused by the authorization service (400), after the gateway counted it.
    for (let i = 1; i <= 2; i++) assert.equal((await pushFrom()).status, 400, `push ${i}`);
    assert.equal((await tokenFrom(suite.baseUrl, client, from)).status, 200, 'the third request, a token request');
    assertLimitedJson(await pushFrom(), 'the 4th request, a push');
    assertLimitedJson(await tokenFrom(suite.baseUrl, client, from), 'the 5th request, a token request');
  });

  it('/introspect: per calling client', async () => {
    const [caller, other] = [await machine('Caller'), await machine('Other')];
    const token = (await tokenFrom(suite.baseUrl, caller, nextAddress())).json.access_token as string;
    const introspect = (client: RegisteredClient) =>
      send(suite.baseUrl, '/introspect', nextAddress(), { body: new URLSearchParams({ token }).toString(), authorization: basicAuth(client.client_id, client.client_secret!) });
    for (let i = 1; i <= 3; i++) {
      const reply = await introspect(caller);
      assert.equal(reply.status, 200, reply.text);
      assert.equal(reply.json.active, true);
    }
    assertLimitedJson(await introspect(caller), 'the 4th introspection by one client, from any address');
    assert.equal((await introspect(other)).status, 200, 'another caller');
  });

  it('/register: per address', async () => {
    const from = nextAddress();
    const register = (address: string) =>
      send(suite.baseUrl, '/register', address, { type: 'application/json', body: JSON.stringify({ client_name: 'R', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic' }) });
    for (let i = 1; i <= 2; i++) assert.equal((await register(from)).status, 201, `registration ${i}`);
    assertLimitedJson(await register(from), 'the 3rd registration from one address');
    assert.equal((await register(nextAddress())).status, 201, 'another address');
  });

  it('the login form: per address, answered with an HTML page', async () => {
    const from = nextAddress();
    const login = (address: string) =>
      send(suite.baseUrl, '/interaction/not-a-real-one/login', address, { body: 'username=alice&password=guess&csrf=x', accept: 'text/html' });
    for (let i = 1; i <= 2; i++) assert.notEqual((await login(from)).status, 429, `attempt ${i} reaches the authorization service`);
    const limited = await login(from);
    assertLimited(limited, 'the 3rd login post from one address');
    assert.match(limited.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(limited.text, /Too many attempts/);
    assert.match(limited.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    assert.notEqual((await login(nextAddress())).status, 429, 'another address');
  });

  /** Starts another gateway replica on a port of its own and waits until it is ready. */
  async function gatewayReplica(env: NodeJS.ProcessEnv = {}): Promise<string> {
    const port = await freePort();
    extra.push(await suite.startService('gateway', { PORT: String(port), ...env }));
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 30_000;
    while ((await fetch(`${base}/health/ready`).then((r) => r.status).catch(() => 0)) !== 200) {
      assert.ok(Date.now() < deadline, 'the gateway replica became ready');
      await sleep(200);
    }
    return base;
  }

  it('two gateways share one count per client (RATE_LIMIT_STORE=nats, the default); with memory a replica counts alone', async () => {
    const second = await gatewayReplica();
    const [shared, alone] = [await machine('Shared'), await machine('Alone')];
    // Alternating replicas, each request from a new address: 3 in all, whichever gateway answered.
    const gateways = [suite.baseUrl, second];
    for (let i = 0; i < 3; i++) assert.equal((await tokenFrom(gateways[i % 2]!, shared, nextAddress())).status, 200, `request ${i + 1} at gateway ${i % 2}`);
    assertLimitedJson(await tokenFrom(second, shared, nextAddress()), 'the 4th request, at the second gateway');
    assertLimitedJson(await tokenFrom(suite.baseUrl, shared, nextAddress()), 'the 5th request, at the first gateway');
    // The per-replica fallback: a gateway with RATE_LIMIT_STORE=memory does not see the others' counts.
    const memory = await gatewayReplica({ RATE_LIMIT_STORE: 'memory' });
    for (let i = 1; i <= 3; i++) assert.equal((await tokenFrom(suite.baseUrl, alone, nextAddress())).status, 200, `Alone ${i} at the first gateway`);
    for (let i = 1; i <= 3; i++) assert.equal((await tokenFrom(memory, alone, nextAddress())).status, 200, `Alone ${i} at the memory gateway: counted there alone`);
    assertLimitedJson(await tokenFrom(memory, alone, nextAddress()), 'Alone over its limit at the memory gateway');
  });

  it('RATE_LIMIT_CLIENT_OVERRIDES gives a client its own limit; a malformed one stops the gateway at start', async () => {
    const [bulk, plain] = [await machine('Bulk'), await machine('Plain')];
    const port = await freePort();
    const gateway = await suite.startService('gateway', { PORT: String(port), RATE_LIMIT_CLIENT_OVERRIDES: JSON.stringify({ [bulk.client_id]: { token: 5 } }) });
    extra.push(gateway);
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 30_000;
    while ((await fetch(`${base}/health/ready`).then((r) => r.status).catch(() => 0)) !== 200) {
      assert.ok(Date.now() < deadline, 'the second gateway became ready');
      await sleep(200);
    }
    const from = nextAddress();
    for (let i = 1; i <= 5; i++) assert.equal((await tokenFrom(base, bulk, from)).status, 200, `Bulk request ${i} (its own limit: 5)`);
    assertLimitedJson(await tokenFrom(base, bulk, from), 'Bulk over its own limit');
    for (let i = 1; i <= 3; i++) assert.equal((await tokenFrom(base, plain, nextAddress())).status, 200);
    assertLimitedJson(await tokenFrom(base, plain, nextAddress()), 'Plain over the default limit');

    const broken = await suite.startService('gateway', { PORT: String(await freePort()), RATE_LIMIT_CLIENT_OVERRIDES: '{"x":{"token":-1}}' });
    extra.push(broken);
    let stderr = '';
    broken.stdout?.on('data', (c: Buffer) => (stderr += c.toString()));
    broken.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => (broken.exitCode !== null ? resolve(broken.exitCode) : broken.once('exit', (c) => resolve(c))));
    assert.equal(code, 1, 'a malformed override stops the gateway');
    assert.match(stderr, /RATE_LIMIT_CLIENT_OVERRIDES: x\.token: must be a whole number/);
  });
});
