import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { sharedSuite, type RunningSuite } from '#testing';
import { browse, csrfOf, obtainCode, postForm, type CookieJar } from './support/form-flow.js';
import { assertActive, assertInactive, basicAuth, bearer, call, introspect, machineClient, register, revoke, tokenFor, tokenRequest, type RegisteredClient } from './support/http.js';
import { adminToken, createUser, type TestUser } from './support/people.js';

const CALLBACK = 'https://refresh-introspection.example/callback';
const OFFLINE = 'launch/patient openid fhirUser offline_access patient/*.rs';
const ONLINE = 'launch/patient openid fhirUser online_access patient/*.rs';
/** What the introspection of an access token and of a refresh token of one grant say alike. */
const SHARED = ['client_id', 'sub', 'iss', 'patient', 'fhirUser', 'need_patient_banner', 'smart_style_url'] as const;

/**
 * RFC 7662 §2.1: "the token" is any token the server issued, refresh tokens
 * included (issue #13). Introspected by the client it was issued to, or by a
 * caller allowed to introspect any token; inactive once rotated out,
 * revoked, or of a revoked grant or an ended online_access session.
 */
describe('refresh token introspection (RFC 7662 §2.1)', () => {
  let suite: RunningSuite & { owned: boolean };
  let admin: string;
  let person: TestUser;
  let app: RegisteredClient;
  let stranger: RegisteredClient;
  let resourceServer: RegisteredClient;
  const appAuth = () => basicAuth(app.client_id, app.client_secret!);
  const adminAuth = () => basicAuth(suite.adminClientId, suite.adminClientSecret);

  async function launch(scope = OFFLINE): Promise<{ access: string; refresh: string; grantId: string; jar: CookieJar }> {
    const { code, verifier, jar } = await obtainCode(suite, { client_id: app.client_id, redirect_uri: CALLBACK, scope }, { username: person.username, password: person.password });
    const tokens = await tokenRequest(suite, { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: verifier }, { authorization: appAuth() });
    assert.equal(tokens.status, 200, tokens.text);
    assert.equal(typeof tokens.json.refresh_token, 'string', tokens.text);
    const access = tokens.json.access_token as string;
    return { access, refresh: tokens.json.refresh_token as string, grantId: String(decodeJwt(access).grant_id), jar };
  }

  async function refreshed(refreshToken: string): Promise<{ access: string; refresh: string }> {
    const tokens = await tokenRequest(suite, { grant_type: 'refresh_token', refresh_token: refreshToken }, { authorization: appAuth() });
    assert.equal(tokens.status, 200, tokens.text);
    return { access: tokens.json.access_token as string, refresh: tokens.json.refresh_token as string };
  }

  before(async () => {
    suite = await sharedSuite();
    admin = await adminToken(suite);
    person = await createUser(suite, admin, { fhirUser: 'Patient/pt-rti', display_name: 'Riley Refresh' });
    app = await register(suite, {
      client_name: 'Refresh Introspection App',
      redirect_uris: [CALLBACK],
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      scope: 'launch/patient openid fhirUser offline_access online_access patient/*.rs',
    });
    stranger = await machineClient(suite, 'system/Patient.rs');
    resourceServer = await machineClient(suite, 'system/Patient.rs introspect');
  });
  after(async () => {
    if (suite?.owned) await suite.stop();
  });

  it('is active after issue, for its client and for callers allowed to introspect any token, with what the access token says', async () => {
    const started = Math.floor(Date.now() / 1000);
    const tokens = await launch();
    const reply = await assertActive(introspect(suite, tokens.refresh, appAuth()), 'its own client');
    const body = reply.json;
    assert.equal(body.token_type, 'refresh_token');
    assert.equal(body.scope, OFFLINE);
    assert.equal(body.client_id, app.client_id);
    assert.equal(body.iss, suite.issuer);
    assert.equal(body.patient, 'pt-rti');
    assert.equal(body.fhirUser, `${suite.fhirBaseUrl}/Patient/pt-rti`);
    assert.ok(typeof body.iat === 'number' && body.iat >= started - 5 && body.iat <= Date.now() / 1000 + 5, `iat ${body.iat}`);
    assert.ok(typeof body.exp === 'number' && body.exp > Date.now() / 1000 + 86_400, `exp ${body.exp}: an offline token lives long`);
    assert.equal(body.aud, undefined);
    assert.equal(body.grant_id, undefined, 'the grant id is never said');
    const access = (await assertActive(introspect(suite, tokens.access, appAuth()))).json;
    for (const name of SHARED) assert.deepEqual(body[name], access[name], name);

    // RFC 7662 §2.1: token_type_hint is only a hint.
    await assertActive(introspect(suite, tokens.refresh, appAuth(), { token_type_hint: 'access_token' }), 'hinted as an access token');
    await assertActive(introspect(suite, tokens.refresh, adminAuth()), 'the admin client');
    await assertActive(introspect(suite, tokens.refresh, basicAuth(resourceServer.client_id, resourceServer.client_secret!)), 'a client with introspect');
    await assertActive(introspect(suite, tokens.refresh, bearer(await tokenFor(suite, resourceServer))), 'a Bearer token with introspect');
  });

  it('is {active:false} for another client without introspect', async () => {
    const tokens = await launch();
    await assertInactive(introspect(suite, tokens.refresh, basicAuth(stranger.client_id, stranger.client_secret!)));
    await assertActive(introspect(suite, tokens.refresh, appAuth()), 'still active for its own client');
  });

  it('is {active:false} once rotated out (used); the new one is active', async () => {
    const tokens = await launch();
    const next = await refreshed(tokens.refresh);
    await assertInactive(introspect(suite, tokens.refresh, appAuth()), 'the used one');
    await assertInactive(introspect(suite, tokens.refresh, adminAuth()), 'the used one, to the admin');
    await assertActive(introspect(suite, next.refresh, appAuth()), 'the new one');
  });

  it('is {active:false} after /revoke (RFC 7009)', async () => {
    const tokens = await launch();
    assert.equal((await revoke(suite, tokens.refresh, appAuth())).status, 200);
    await assertInactive(introspect(suite, tokens.refresh, appAuth()));
    await assertInactive(introspect(suite, tokens.access, appAuth()), 'its grant went with it');
  });

  it('is {active:false} after its grant is revoked (DELETE /admin/grants/:id)', async () => {
    const tokens = await launch();
    const deleted = await call(suite, `/admin/grants/${tokens.grantId}`, { method: 'DELETE', headers: { authorization: bearer(admin) } });
    assert.equal(deleted.status, 204, deleted.text);
    await assertInactive(introspect(suite, tokens.refresh, appAuth()));
    await assertInactive(introspect(suite, tokens.refresh, adminAuth()));
  });

  it('an online_access token is {active:false} once the login session it belongs to ended', async () => {
    const tokens = await launch(ONLINE);
    await assertActive(introspect(suite, tokens.refresh, appAuth()), 'while the person is signed in');
    const page = await browse(suite, tokens.jar, '/account');
    assert.equal(page.status, 200, page.text.slice(0, 300));
    const signedOut = await postForm(suite, tokens.jar, '/account/logout', { csrf: csrfOf(page.text) });
    assert.equal(signedOut.status, 303, signedOut.text.slice(0, 300));
    await assertInactive(introspect(suite, tokens.refresh, appAuth()));
  });

  it('a token that is neither an access token of ours nor a live refresh token stays {active:false}', async () => {
    for (const token of ['not-a-token-of-ours-at-all', 'x'.repeat(600), 'a.b.c']) await assertInactive(introspect(suite, token, adminAuth()), token.slice(0, 30));
  });
});
