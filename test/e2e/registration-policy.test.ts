import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startSuite, type RunningSuite } from '#testing';
import { call } from './support/http.js';

const INITIAL_ACCESS_TOKEN = 'initial-access-token-for-the-policy-test';

describe('registration protected by an initial access token (RFC 7591 §3)', () => {
  let suite: RunningSuite;
  before(async () => {
    suite = await startSuite({ env: { REGISTRATION_POLICY: 'initial-access-token', REGISTRATION_INITIAL_ACCESS_TOKEN: INITIAL_ACCESS_TOKEN } });
  });
  after(async () => suite?.stop());

  const metadata = JSON.stringify({ grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', scope: 'system/*.rs' });
  const post = (authorization?: string) =>
    call(suite, '/register', { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body: metadata });

  it('refuses registration without the token or with a wrong one', async () => {
    for (const authorization of [undefined, 'Bearer wrong-token', 'Basic abc']) {
      const reply = await post(authorization);
      assert.equal(reply.status, 401, String(authorization));
      assert.equal(reply.json.error, 'invalid_token');
    }
  });

  it('registers with the token', async () => {
    const reply = await post(`Bearer ${INITIAL_ACCESS_TOKEN}`);
    assert.equal(reply.status, 201, reply.text);
  });
});
