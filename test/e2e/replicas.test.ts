import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { startSuite, type RunningSuite } from '#testing';
import { basicAuth, form, machineClient, tokenFor } from './support/http.js';

const realInfrastructure = Boolean(process.env.NATS_URL && process.env.DATABASE_URL);

describe('several replicas of token and introspection', { skip: realInfrastructure ? false : 'needs NATS_URL and DATABASE_URL' }, () => {
  let suite: RunningSuite;
  const extra: ChildProcess[] = [];
  before(async () => {
    suite = await startSuite();
    extra.push(await suite.startService('introspection'), await suite.startService('token'));
    // Give the new replicas time to load keys and join their queue groups.
    await new Promise((r) => setTimeout(r, 3000));
  });
  after(async () => {
    for (const child of extra) child.kill('SIGTERM');
    await suite?.stop();
  });

  it('a revoked token is inactive on every replica as soon as /revoke returns', async () => {
    const client = await machineClient(suite);
    const admin = basicAuth(suite.adminClientId, suite.adminClientSecret);
    for (let i = 0; i < 20; i++) {
      const token = await tokenFor(suite, client);
      assert.equal((await form(suite, '/introspect', { token }, { authorization: admin })).json.active, true);
      const revoked = await form(suite, '/revoke', { token }, { authorization: basicAuth(client.client_id, client.client_secret!) });
      assert.equal(revoked.status, 200);
      // Several calls, so both introspection replicas of the queue group answer.
      const answers = await Promise.all(Array.from({ length: 6 }, () => form(suite, '/introspect', { token }, { authorization: admin })));
      for (const answer of answers) assert.deepEqual(answer.json, { active: false }, `round ${i}`);
    }
  });
});
