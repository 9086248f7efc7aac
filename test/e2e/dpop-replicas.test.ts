// RFC 9449 §11.1: a DPoP proof's jti is accepted once, by whichever token replica sees it first: the replay store
// is the JetStream key-value bucket client-assertion jtis use, shared by every replica.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { startSuite, type RunningSuite } from '#testing';
import { dpopTokenRequest, ProofMaker } from './support/dpop.js';
import { assertOAuthError, basicAuth, machineClient } from './support/http.js';

const realInfrastructure = Boolean(process.env.NATS_URL && process.env.DATABASE_URL);

describe('DPoP jti replay across token service replicas', { skip: realInfrastructure ? false : 'needs NATS_URL and DATABASE_URL' }, () => {
  let suite: RunningSuite;
  let second: ChildProcess;
  before(async () => {
    suite = await startSuite();
    second = await suite.startService('token');
    // Give the new replica time to load keys and join its queue group.
    await new Promise((r) => setTimeout(r, 3000));
  });
  after(async () => {
    second?.kill('SIGTERM');
    await suite?.stop();
  });

  it('a proof accepted by one token process is refused by every other', async () => {
    const client = await machineClient(suite, 'system/Patient.rs');
    const maker = await ProofMaker.create(suite);
    const auth = { authorization: basicAuth(client.client_id, client.client_secret!) };
    for (let i = 0; i < 10; i++) {
      const proof = await maker.proof();
      // Sent at once, the copies land on both replicas of the queue group: exactly one may succeed.
      const replies = await Promise.all(Array.from({ length: 6 }, () => dpopTokenRequest(suite, { grant_type: 'client_credentials' }, proof, auth)));
      const ok = replies.filter((r) => r.status === 200);
      assert.equal(ok.length, 1, `round ${i}: ${replies.map((r) => `${r.status} ${String(r.json.error_description ?? '')}`).join(' | ')}`);
      assert.equal(ok[0]!.json.token_type, 'DPoP');
      for (const r of replies.filter((x) => x.status !== 200)) {
        assertOAuthError(r, 400, 'invalid_dpop_proof');
        assert.match(String(r.json.error_description), /used before/);
      }
    }
  });
});
