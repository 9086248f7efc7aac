import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startSuite, type RunningSuite } from '#testing';
import { basicAuth, call, form, machineClient, tokenFor, type RegisteredClient } from './support/http.js';

const realInfrastructure = Boolean(process.env.NATS_URL && process.env.DATABASE_URL);

describe('a service that goes away', { skip: realInfrastructure ? false : 'needs NATS_URL and DATABASE_URL' }, () => {
  let suite: RunningSuite;
  let client: RegisteredClient;
  before(async () => {
    suite = await startSuite({ env: { RPC_TIMEOUT_MS: '1000' } });
    client = await machineClient(suite);
  });
  after(async () => suite?.stop());

  it('answers 503 temporarily_unavailable fast, then recovers when the service is back', async () => {
    await suite.stopService('token');
    const started = Date.now();
    const down = await form(suite, '/token', { grant_type: 'client_credentials' }, { authorization: basicAuth(client.client_id, client.client_secret!) });
    assert.ok(Date.now() - started < 3000, 'fails fast');
    assert.equal(down.status, 503, down.text);
    assert.equal(down.json.error, 'temporarily_unavailable');
    assert.equal(down.headers.get('cache-control'), 'no-store');
    const ready = await call(suite, '/health/ready');
    assert.equal(ready.status, 503);
    assert.equal(ready.headers.get('retry-after'), '1');
    // Other endpoints keep working meanwhile.
    assert.equal((await call(suite, '/jwks')).status, 200);

    await suite.startService('token');
    const deadline = Date.now() + 20_000;
    let status = 0;
    while (Date.now() < deadline && status !== 200) {
      status = (await call(suite, '/health/ready')).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(status, 200);
    assert.ok(await tokenFor(suite, client));
  });
});
