import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSuite, freePort, type RunningSuite, type SuiteService } from '#testing';
import { clientKey, signAssertion, type ClientKey } from './support/client-keys.js';
import { basicAuth, machineClient, register, replyOf, type RegisteredClient, type Reply } from './support/http.js';

const realInfrastructure = Boolean(process.env.NATS_URL && process.env.DATABASE_URL);
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/**
 * Generous on purpose: the machine may be loaded, and what this file checks is that no request is lost (a
 * request dropped by a stopping replica is never answered, however long one waits), not how fast they are.
 */
const RPC_TIMEOUT_MS = 20_000;
/** A request not answered in this long hangs (an aborted fetch counts as a failure). */
const HANG_MS = 30_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How a process exited; `timeout` if it was still running after `withinMs` (it is then killed). */
function exitOf(child: ChildProcess, withinMs = 60_000): Promise<{ code: number | null; signal: NodeJS.Signals | null } | 'timeout'> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve('timeout');
    }, withinMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

/** Resolves once a freshly started service has subscribed (Nest logs it at `log` level). */
function started(child: ChildProcess, withinMs = 120_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`the new replica did not start within ${withinMs} ms: ${seen.slice(-2000)}`)), withinMs);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('Nest microservice successfully started')) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the new replica exited with ${code}: ${seen.slice(-2000)}`)));
  });
}

async function post(url: string, body: string, authorization: string): Promise<Reply> {
  return replyOf(await fetch(url, { method: 'POST', headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' }, body, signal: AbortSignal.timeout(HANG_MS) }));
}

/** Loops of client_credentials + introspection of the issued token; every failure is kept with what it was. */
class TokenAndIntrospectLoad {
  readonly failures: string[] = [];
  issued = 0;
  introspected = 0;
  private running = true;
  private readonly loops: Array<Promise<void>>;

  constructor(baseUrl: string, client: RegisteredClient, loops = 4) {
    const auth = basicAuth(client.client_id, client.client_secret!);
    this.loops = Array.from({ length: loops }, async () => {
      while (this.running) {
        try {
          const token = await post(`${baseUrl}/token`, 'grant_type=client_credentials', auth);
          if (token.status !== 200) {
            this.failures.push(`token ${token.status} ${token.text.slice(0, 200)}`);
            continue;
          }
          this.issued++;
          const check = await post(`${baseUrl}/introspect`, new URLSearchParams({ token: token.json.access_token as string }).toString(), auth);
          if (check.status !== 200 || check.json.active !== true) this.failures.push(`introspect ${check.status} ${check.text.slice(0, 200)}`);
          else this.introspected++;
        } catch (err: unknown) {
          this.failures.push(`request failed: ${(err as Error).message}`);
        }
      }
    });
  }

  /** Resolves once `n` more tokens than now were issued and checked. */
  async rounds(n: number): Promise<void> {
    const target = this.introspected + n;
    const deadline = Date.now() + 120_000;
    while (this.introspected < target) {
      if (Date.now() > deadline) throw new Error(`the load stalled (${this.failures.length} failures: ${this.failures.slice(0, 3).join(' | ')})`);
      await sleep(20);
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }
}

describe('rolling restart under load', { skip: realInfrastructure ? false : 'needs NATS_URL and DATABASE_URL' }, () => {
  let suite: RunningSuite;
  let client: RegisteredClient;

  before(async () => {
    suite = await startSuite({ env: { RPC_TIMEOUT_MS: String(RPC_TIMEOUT_MS) } });
    client = await machineClient(suite);
  });
  after(async () => suite?.stop());

  /** A new replica of `service`, resolved once it takes requests. */
  async function replica(service: SuiteService): Promise<ChildProcess> {
    const child = await suite.startService(service, { LOG_LEVEL: 'log' });
    await started(child);
    return child;
  }

  it('replaces every token and introspection replica one at a time (SIGTERM): no request fails, every token introspects active', async () => {
    for (const service of ['token', 'introspection'] as const) await replica(service);
    const load = new TokenAndIntrospectLoad(suite.baseUrl, client);
    try {
      await load.rounds(20);
      for (const service of ['token', 'introspection'] as const) {
        // Each replica that was running when the roll began is stopped in turn, a new one taking its place first.
        for (const old of suite.processes(service)) {
          await replica(service);
          old.kill('SIGTERM');
          const exit = await exitOf(old);
          assert.deepEqual(exit, { code: 0, signal: null }, `a ${service} replica stops cleanly on SIGTERM`);
          await load.rounds(20);
        }
      }
    } finally {
      await load.stop();
    }
    assert.deepEqual(load.failures, [], `${load.failures.length} failed of ${load.issued} issued`);
    assert.ok(load.introspected >= 100, `${load.introspected} tokens issued and introspected active`);
  });
});

describe('a gateway told to stop', { skip: realInfrastructure ? false : 'needs NATS_URL and DATABASE_URL' }, () => {
  let suite: RunningSuite;
  let slowJwks: Server;
  let key: ClientKey;
  let delayed = false;
  let fetched = false;

  before(async () => {
    suite = await startSuite({ env: { RPC_TIMEOUT_MS: String(RPC_TIMEOUT_MS) } });
    key = await clientKey('ES384');
    // A client JWK Set that answers late once `delayed` is set: a /token request waiting for it is in flight.
    slowJwks = createServer((_req, res) => {
      fetched = true;
      const answer = () => res.writeHead(200, { 'content-type': 'application/jwk-set+json' }).end(JSON.stringify({ keys: [key.publicJwk] }));
      if (delayed) setTimeout(answer, 2500);
      else answer();
    });
    await new Promise<void>((resolve) => slowJwks.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    slowJwks?.closeAllConnections();
    await new Promise((resolve) => slowJwks?.close(resolve));
    await suite?.stop();
  });

  it('turns unready, finishes the request in flight, refuses new connections and exits 0', async () => {
    const port = await freePort();
    const gateway = await suite.startService('gateway', { PORT: String(port), SHUTDOWN_DELAY_MS: '1000' });
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 20_000;
    while ((await fetch(`${base}/health/ready`).then((r) => r.status).catch(() => 0)) !== 200) {
      assert.ok(Date.now() < deadline, 'the second gateway became ready');
      await sleep(200);
    }
    const jwksUri = `http://127.0.0.1:${(slowJwks.address() as AddressInfo).port}/jwks`;
    const backend = await register(suite, { client_name: 'Slow keys', grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', jwks_uri: jwksUri, scope: 'system/Patient.rs' });
    delayed = true;
    fetched = false;
    const assertion = await signAssertion(key, backend.client_id, `${suite.issuer}/token`);
    const inFlight = post(`${base}/token`, new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: assertion }).toString(), '');
    while (!fetched) await sleep(20);

    gateway.kill('SIGTERM');
    const exited = exitOf(gateway);
    // The signal takes a moment to arrive; within SHUTDOWN_DELAY_MS the gateway still answers, unready.
    let ready = await replyOf(await fetch(`${base}/health/ready`, { signal: AbortSignal.timeout(HANG_MS) }));
    while (ready.status === 200) {
      await sleep(25);
      ready = await replyOf(await fetch(`${base}/health/ready`, { signal: AbortSignal.timeout(HANG_MS) }));
    }
    assert.equal(ready.status, 503, `unready while it drains: ${ready.text}`);
    assert.equal(ready.json.status, 'stopping');

    const answered = await inFlight;
    assert.equal(answered.status, 200, `the request in flight was answered: ${answered.text}`);
    assert.ok(answered.json.access_token);
    assert.deepEqual(await exited, { code: 0, signal: null }, 'the gateway exits 0');
    await assert.rejects(fetch(`${base}/health/live`, { signal: AbortSignal.timeout(HANG_MS) }), 'nothing listens any more');
    // The suite's own gateway was not affected.
    assert.equal((await fetch(`${suite.baseUrl}/health/ready`)).status, 200);
  });
});
