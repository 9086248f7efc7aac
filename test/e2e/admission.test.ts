import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startSuite, type RunningSuite } from '#testing';
import { basicAuth, bearer, call, initialAccessToken, postRegistration, tokenRequest, type Reply } from './support/http.js';
import { adminToken } from './support/people.js';

const realInfrastructure = Boolean(process.env.NATS_URL && process.env.DATABASE_URL);

/**
 * Issue #14, admission control: a flood of one kind of request gets quick
 * 503s with Retry-After from its bulkhead in the gateway, instead of queueing
 * for seconds behind a database pool, and the other endpoints keep serving.
 */
describe('admission control (ADMISSION_LIMITS)', { skip: realInfrastructure ? false : 'needs NATS_URL and DATABASE_URL (a gateway of its own)' }, () => {
  let suite: RunningSuite;
  before(async () => {
    suite = await startSuite({ env: { ADMISSION_LIMITS: JSON.stringify({ registration: { concurrency: 2, queue: 4 } }), ADMISSION_QUEUE_TIMEOUT_MS: '100' } });
  });
  after(async () => suite?.stop());

  it('a registration flood: 201 or a quick 503 with Retry-After, never a 500; /token beside it is not refused', async () => {
    const backend = await postRegistration(suite, { grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', scope: 'system/*.rs' }, 'application/json', {
      authorization: bearer(initialAccessToken(suite)),
    });
    assert.equal(backend.status, 201, backend.text);
    const auth = { authorization: basicAuth(backend.json.client_id as string, backend.json.client_secret as string) };
    let flooding = true;
    const tokenAnswers: Reply[] = [];
    const tokenLoop = (async () => {
      while (flooding) tokenAnswers.push(await tokenRequest(suite, { grant_type: 'client_credentials' }, auth));
    })();
    const flood = await Promise.all(
      Array.from({ length: 80 }, async (_, i) => {
        const started = Date.now();
        const reply = await postRegistration(suite, { client_name: `Flood ${i}`, redirect_uris: ['https://flood.example/cb'], token_endpoint_auth_method: 'none', scope: 'openid patient/*.rs' });
        return { reply, ms: Date.now() - started };
      }),
    );
    flooding = false;
    await tokenLoop;
    const statuses = flood.map((f) => f.reply.status);
    assert.deepEqual([...new Set(statuses)].sort(), [201, 503], `answers: ${statuses.join(' ')}`);
    for (const { reply, ms } of flood.filter((f) => f.reply.status === 503)) {
      assert.equal(reply.json.error, 'temporarily_unavailable');
      assert.ok(Number(reply.headers.get('retry-after')) >= 1, 'Retry-After');
      // Refused by the bulkhead (before anything was forwarded), not by the registration service after a 2 s pool
      // wait: the bulkhead answers within its 100 ms queue timeout; the bound here only leaves room for a loaded host.
      assert.match(String(reply.json.error_description), /too many registration requests at once/, `refused after ${ms} ms by: ${String(reply.json.error_description)}`);
      assert.ok(ms < 5000, `a refused registration waited ${ms} ms`);
    }
    assert.ok(tokenAnswers.length > 0);
    assert.deepEqual([...new Set(tokenAnswers.map((r) => r.status))], [200], 'the token endpoint kept answering');
    // Every registration that was accepted is stored.
    const admin = await adminToken(suite);
    for (const { reply } of flood.filter((f) => f.reply.status === 201)) {
      const shown = await call(suite, `/admin/clients/${reply.json.client_id as string}`, { headers: { authorization: bearer(admin) } });
      assert.equal(shown.status, 200, shown.text);
    }
    const metrics = await (await fetch(`${suite.managementUrl('gateway')}/metrics`)).text();
    const rejected = /gateway_admission_rejected_total\{class="registration"\} (\d+)/.exec(metrics);
    assert.ok(rejected && Number(rejected[1]) === statuses.filter((s) => s === 503).length, `metric: ${rejected?.[0]}`);
  });

  it('clients that give up while queued leave no place taken', async () => {
    const body = JSON.stringify({ client_name: 'Impatient', redirect_uris: ['https://flood.example/cb'], token_endpoint_auth_method: 'none', scope: 'openid' });
    await Promise.all(
      Array.from({ length: 40 }, async () => {
        const abort = new AbortController();
        setTimeout(() => abort.abort(), 5);
        await fetch(`${suite.baseUrl}/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: abort.signal }).catch(() => undefined);
      }),
    );
    let inFlight = '';
    for (let i = 0; i < 50; i++) {
      const metrics = await (await fetch(`${suite.managementUrl('gateway')}/metrics`)).text();
      inFlight = /gateway_admission_in_flight\{class="registration"\} (\d+)/.exec(metrics)?.[1] ?? '';
      if (inFlight === '0') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(inFlight, '0', 'every place was given back');
    const after = await postRegistration(suite, { client_name: 'After', redirect_uris: ['https://flood.example/cb'], token_endpoint_auth_method: 'none', scope: 'openid' });
    assert.equal(after.status, 201, after.text);
  });
});
