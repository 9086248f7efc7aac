import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startSuite, type RunningSuite } from '#testing';
import { obtainCode } from './support/form-flow.js';
import { basicAuth, introspect, postRegistration, tokenRequest, type Reply } from './support/http.js';
import { adminToken, createUser, type TestUser } from './support/people.js';

/**
 * Issue #14, refresh grace (REFRESH_REUSE_GRACE_SECONDS): two tabs or a client
 * retry presenting the same refresh token within the window get the same
 * successor pair and nothing is revoked; after it, reuse revokes the grant as
 * before (RFC 9700 §4.14.2). Across replicas: the state is in PostgreSQL.
 */
const CALLBACK = 'https://grace-app.example/callback';
const GRACE_SECONDS = 3;

async function setUp(suite: RunningSuite): Promise<{ clientId: string; user: TestUser; admin: string }> {
  const admin = await adminToken(suite);
  const user = await createUser(suite, admin, { fhirUser: `Patient/pg-${randomBytes(3).toString('hex')}` });
  const reply = await postRegistration(suite, {
    client_name: 'Grace App',
    redirect_uris: [CALLBACK],
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    scope: 'launch/patient openid fhirUser offline_access patient/*.rs',
  });
  assert.equal(reply.status, 201, reply.text);
  return { clientId: reply.json.client_id as string, user, admin };
}

async function tokensFor(suite: RunningSuite, clientId: string, user: TestUser): Promise<Reply> {
  const { code, verifier } = await obtainCode(
    suite,
    { client_id: clientId, redirect_uri: CALLBACK, scope: 'launch/patient openid fhirUser offline_access patient/*.rs' },
    { username: user.username, password: user.password },
  );
  const tokens = await tokenRequest(suite, { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, client_id: clientId, code_verifier: verifier });
  assert.equal(tokens.status, 200, tokens.text);
  assert.ok(tokens.json.refresh_token);
  return tokens;
}

const refresh = (suite: RunningSuite, clientId: string, refreshToken: string) => tokenRequest(suite, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId });
const adminAuth = (suite: RunningSuite) => basicAuth(suite.adminClientId, suite.adminClientSecret);

describe(`refresh grace: REFRESH_REUSE_GRACE_SECONDS=${GRACE_SECONDS}`, () => {
  let suite: RunningSuite;
  let clientId: string;
  let user: TestUser;
  before(async () => {
    suite = await startSuite({ env: { REFRESH_REUSE_GRACE_SECONDS: String(GRACE_SECONDS) } });
    ({ clientId, user } = await setUp(suite));
  });
  after(async () => suite?.stop());

  it('two refreshes racing with the same token get the same successor pair; nothing is revoked', async () => {
    const first = await tokensFor(suite, clientId, user);
    const old = first.json.refresh_token as string;
    const [a, b] = await Promise.all([refresh(suite, clientId, old), refresh(suite, clientId, old)]);
    assert.equal(a.status, 200, a.text);
    assert.equal(b.status, 200, b.text);
    assert.equal(a.json.refresh_token, b.json.refresh_token, 'one successor refresh token, not two');
    assert.equal(a.json.access_token, b.json.access_token, 'the same access token');
    assert.notEqual(a.json.refresh_token, old);
    // The grant lives: the access tokens of before and after are active, the successor refreshes.
    assert.equal((await introspect(suite, first.json.access_token as string, adminAuth(suite))).json.active, true);
    assert.equal((await introspect(suite, a.json.access_token as string, adminAuth(suite))).json.active, true);
    const next = await refresh(suite, clientId, a.json.refresh_token as string);
    assert.equal(next.status, 200, next.text);
  });

  it('a retry a moment later gets the same answer too; after the window, reuse revokes the grant as before', async () => {
    const first = await tokensFor(suite, clientId, user);
    const old = first.json.refresh_token as string;
    const a = await refresh(suite, clientId, old);
    assert.equal(a.status, 200, a.text);
    const again = await refresh(suite, clientId, old);
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(again.json, a.json, 'the very same response');
    await new Promise((r) => setTimeout(r, GRACE_SECONDS * 1000 + 500));
    const late = await refresh(suite, clientId, old);
    assert.equal(late.status, 400, late.text);
    assert.equal(late.json.error, 'invalid_grant');
    assert.equal((await introspect(suite, a.json.access_token as string, adminAuth(suite))).json.active, false, 'reuse after the window revokes the grant');
    assert.equal((await refresh(suite, clientId, a.json.refresh_token as string)).json.error, 'invalid_grant');
  });

  it('another client presenting the token within the window gets invalid_grant and no tokens', async () => {
    const other = await setUp(suite);
    const first = await tokensFor(suite, clientId, user);
    const old = first.json.refresh_token as string;
    assert.equal((await refresh(suite, clientId, old)).status, 200);
    const stolen = await refresh(suite, other.clientId, old);
    assert.equal(stolen.status, 400, stolen.text);
    assert.equal(stolen.json.error, 'invalid_grant');
    assert.equal(stolen.json.access_token, undefined);
  });

  it('a grant revoked inside the window gives nothing back', async () => {
    const first = await tokensFor(suite, clientId, user);
    const old = first.json.refresh_token as string;
    const a = await refresh(suite, clientId, old);
    assert.equal(a.status, 200);
    // Revoking the successor refresh token (RFC 7009) revokes the grant.
    const revoke = await fetch(`${suite.baseUrl}/revoke`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: a.json.refresh_token as string, client_id: clientId }) });
    assert.equal(revoke.status, 200);
    const replay = await refresh(suite, clientId, old);
    assert.equal(replay.status, 400, replay.text);
    assert.equal(replay.json.error, 'invalid_grant');
  });
});

describe('refresh grace off (the default): racing refreshes are reuse', () => {
  let suite: RunningSuite;
  let clientId: string;
  let user: TestUser;
  before(async () => {
    suite = await startSuite();
    ({ clientId, user } = await setUp(suite));
  });
  after(async () => suite?.stop());

  it('one 200, one invalid_grant, and the grant is revoked', async () => {
    const first = await tokensFor(suite, clientId, user);
    const old = first.json.refresh_token as string;
    const answers = await Promise.all([refresh(suite, clientId, old), refresh(suite, clientId, old)]);
    assert.deepEqual(answers.map((r) => r.status).sort(), [200, 400], answers.map((r) => r.text).join(' | '));
    const ok = answers.find((r) => r.status === 200)!;
    assert.equal(answers.find((r) => r.status === 400)!.json.error, 'invalid_grant');
    assert.equal((await introspect(suite, ok.json.access_token as string, adminAuth(suite))).json.active, false);
  });
});
