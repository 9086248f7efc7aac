// RFC 9449 §11.1: a DPoP proof's jti is accepted once, by whichever token replica sees it first: the replay store
// is the JetStream key-value bucket client-assertion jtis use, shared by every replica. And §8, server nonces
// (DPOP_NONCE_REQUIRED=true): a nonce any replica gave is accepted by every replica, and oauth4webapi's retry works.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import * as oauth from 'oauth4webapi';
import { startSuite, type RunningSuite } from '#testing';
import { dpopTokenRequest, ProofMaker } from './support/dpop.js';
import { assertOAuthError, basicAuth, machineClient } from './support/http.js';
import { authorizationServer, INSECURE } from './support/par.js';

const realInfrastructure = Boolean(process.env.NATS_URL && process.env.DATABASE_URL);

describe('DPoP across two token service replicas, DPOP_NONCE_REQUIRED=true', { skip: realInfrastructure ? false : 'needs NATS_URL and DATABASE_URL' }, () => {
  let suite: RunningSuite;
  let second: ChildProcess;
  before(async () => {
    suite = await startSuite({ env: { DPOP_NONCE_REQUIRED: 'true' } });
    second = await suite.startService('token');
    // Give the new replica time to load keys and join its queue group.
    await new Promise((r) => setTimeout(r, 3000));
  });
  after(async () => {
    second?.kill('SIGTERM');
    await suite?.stop();
  });

  it('a proof without the nonce is 400 use_dpop_nonce with a DPoP-Nonce header; oauth4webapi retries with it and gets its token, with the next nonce', async () => {
    const machine = await machineClient(suite, 'system/Patient.rs');
    const maker = await ProofMaker.create(suite);
    const refused = await dpopTokenRequest(suite, { grant_type: 'client_credentials' }, await maker.proof(), { authorization: basicAuth(machine.client_id, machine.client_secret!) });
    assertOAuthError(refused, 400, 'use_dpop_nonce');
    assert.match(refused.headers.get('dpop-nonce') ?? '', /^[A-Za-z0-9_-]{22}$/);

    const as = await authorizationServer(suite);
    const client: oauth.Client = { client_id: machine.client_id };
    const handle = oauth.DPoP(client, await oauth.generateKeyPair('ES256'));
    const request = () => oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretBasic(machine.client_secret!), {}, { ...INSECURE, DPoP: handle });
    let tokens: oauth.TokenEndpointResponse;
    try {
      tokens = await oauth.processClientCredentialsResponse(as, client, await request());
      assert.fail('the first proof carried no nonce');
    } catch (err: unknown) {
      assert.ok(oauth.isDPoPNonceError(err), String(err));
      const retried = await request();
      assert.match(retried.headers.get('dpop-nonce') ?? '', /^[A-Za-z0-9_-]{22}$/, 'every answer carries the nonce');
      tokens = await oauth.processClientCredentialsResponse(as, client, retried);
    }
    assert.equal(tokens.token_type, 'dpop');
  });

  it('a proof accepted by one token process is refused by every other, and both accept the nonce', async () => {
    const client = await machineClient(suite, 'system/Patient.rs');
    const maker = await ProofMaker.create(suite);
    const auth = { authorization: basicAuth(client.client_id, client.client_secret!) };
    const nonce = (await dpopTokenRequest(suite, { grant_type: 'client_credentials' }, await maker.proof(), auth)).headers.get('dpop-nonce')!;
    for (let i = 0; i < 10; i++) {
      const proof = await maker.proof({ claims: { nonce } });
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
