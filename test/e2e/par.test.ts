import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as oauth from 'oauth4webapi';
import type { Browser } from 'playwright-core';
import { sharedSuite, type RunningSuite } from '#testing';
import { browserUnavailable, launchBrowser, newContext, signIn, TestApp } from './support/browser.js';
import { clientKey, signAssertion } from './support/client-keys.js';
import { browse, CookieJar } from './support/form-flow.js';
import { basicAuth, bearer, call, form, manage, register, tokenRequest, type RegisteredClient } from './support/http.js';
import { assertAccepted, assertErrorPage, authorizationServer, push, redeem, type PushedFlow } from './support/par.js';
import { adminToken, createUser, type TestUser } from './support/people.js';

const skip = browserUnavailable();
const SCOPE = 'launch/patient openid fhirUser offline_access patient/*.rs';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

describe('pushed authorization requests (RFC 9126) with oauth4webapi and a real browser', { skip }, () => {
  let suite: RunningSuite & { owned: boolean };
  let browser: Browser;
  let app: TestApp;
  let as: oauth.AuthorizationServer;
  let patient: TestUser;
  let confidential: RegisteredClient;
  let publicApp: RegisteredClient;
  let other: RegisteredClient;

  const clientOf = (c: RegisteredClient): oauth.Client => ({ client_id: c.client_id });
  const secretOf = (c: RegisteredClient) => (c.token_endpoint_auth_method === 'client_secret_post' ? oauth.ClientSecretPost : oauth.ClientSecretBasic)(c.client_secret!);
  const pushed = (c: RegisteredClient, extra: Record<string, string> = {}) =>
    push(as, clientOf(c), c.client_secret ? secretOf(c) : oauth.None(), { redirect_uri: app.callback, scope: SCOPE, aud: suite.fhirBaseUrl, ...extra });
  /** A plain authorization request of `clientId`, as /par or /authorize parameters. */
  const PLAIN = (clientId: string) => ({ response_type: 'code', client_id: clientId, redirect_uri: app.callback, scope: SCOPE, aud: suite.fhirBaseUrl, state: 's', code_challenge: CHALLENGE, code_challenge_method: 'S256' });
  const authorize = (flow: PushedFlow, jar = new CookieJar()) => browse(suite, jar, `${flow.authorizeUrl.pathname}${flow.authorizeUrl.search}`);

  /** Signs the patient in on a fresh browser profile at `url` and returns where the browser lands at the app. */
  async function signInAt(url: URL | string): Promise<URL> {
    const page = await (await newContext(browser)).newPage();
    await page.goto(url.toString());
    await signIn(page, patient.username, patient.password);
    await app.allowIfAsked(page);
    return app.landed(page);
  }

  before(async () => {
    suite = await sharedSuite();
    browser = await launchBrowser();
    app = await TestApp.start();
    as = await authorizationServer(suite);
    patient = await createUser(suite, await adminToken(suite), { fhirUser: 'Patient/pt-par', display_name: 'Par Patient' });
    const code = { grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], scope: SCOPE };
    confidential = await register(suite, { ...code, scope: `${SCOPE} launch`, client_name: 'PAR Confidential', redirect_uris: [app.callback, `${app.origin}/other`], token_endpoint_auth_method: 'client_secret_basic' });
    publicApp = await register(suite, { ...code, client_name: 'PAR Public', redirect_uris: [app.callback], token_endpoint_auth_method: 'none' });
    other = await register(suite, { ...code, client_name: 'PAR Other', redirect_uris: [app.callback], token_endpoint_auth_method: 'client_secret_post' });
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    if (suite?.owned) await suite.stop();
  });

  it('every discovery document advertises the endpoint and whether pushing is required (RFC 9126 §5)', async () => {
    for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server', '/.well-known/smart-configuration', '/fhir/.well-known/smart-configuration']) {
      const doc = (await call(suite, path)).json;
      assert.equal(doc.pushed_authorization_request_endpoint, `${suite.issuer}/par`, path);
      assert.equal(doc.require_pushed_authorization_requests, false, path);
    }
    assert.equal(as.pushed_authorization_request_endpoint, `${suite.issuer}/par`);
  });

  it('a confidential client (client_secret_basic) pushes, the person signs in and consents, the code is redeemed', async () => {
    const flow = await pushed(confidential);
    assert.match(flow.requestUri, /^urn:ietf:params:oauth:request_uri:[A-Za-z0-9_-]{43}$/);
    assert.equal(flow.expiresIn, 60);
    const tokens = await redeem(as, clientOf(confidential), secretOf(confidential), flow, await signInAt(flow.authorizeUrl), app.callback);
    assert.equal(tokens.token_type.toLowerCase(), 'bearer');
    assert.deepEqual(String(tokens.scope).split(' ').sort(), SCOPE.split(' ').sort());
    assert.equal(tokens.patient, 'pt-par');
    assert.ok(tokens.refresh_token);
  });

  it('a public client pushes with its client_id only; parameters sent beside client_id at /authorize are ignored (RFC 9126 §4)', async () => {
    const flow = await pushed(publicApp, { scope: 'launch/patient openid patient/*.rs' });
    const url = new URL(flow.authorizeUrl);
    // None of these may change the pushed request: not the redirect, the state, the scope, nor the PKCE challenge.
    for (const [name, value] of Object.entries({ redirect_uri: 'https://evil.example/cb', state: 'forged', scope: 'patient/*.cruds offline_access', code_challenge: 'x'.repeat(43), response_type: 'token' })) {
      url.searchParams.set(name, value);
    }
    const landed = await signInAt(url);
    assert.equal(landed.pathname, '/callback');
    assert.equal(landed.searchParams.get('state'), flow.state);
    const tokens = await redeem(as, clientOf(publicApp), oauth.None(), flow, landed, app.callback);
    assert.deepEqual(String(tokens.scope).split(' ').sort(), ['launch/patient', 'openid', 'patient/*.rs']);
    assert.equal(tokens.refresh_token, undefined);
  });

  it('a private_key_jwt client pushes with an assertion addressed to the issuer (oauth4webapi) or to the PAR endpoint; an assertion is spent once', async () => {
    const key = await clientKey('ES256');
    const signed = await register(suite, { client_name: 'PAR Signed', redirect_uris: [app.callback], token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [key.publicJwk] }, grant_types: ['authorization_code'], response_types: ['code'], scope: SCOPE });
    const flow = await push(as, clientOf(signed), oauth.PrivateKeyJwt({ key: key.privateKey, kid: key.kid }), { redirect_uri: app.callback, scope: SCOPE, aud: suite.fhirBaseUrl });
    assertAccepted(await authorize(flow), 'oauth4webapi assertion');
    const assertion = await signAssertion(key, signed.client_id, `${suite.issuer}/par`);
    const body = { ...PLAIN(signed.client_id), client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion };
    const first = await form(suite, '/par', body);
    assert.equal(first.status, 201, first.text);
    const replayed = await form(suite, '/par', body);
    assert.equal(replayed.status, 401, replayed.text);
    assert.equal(replayed.json.error, 'invalid_client');
  });

  it('a request_uri is used once; a second /authorize with it gets an error page', async () => {
    const flow = await pushed(confidential);
    assertAccepted(await authorize(flow), 'first use');
    assertErrorPage(await authorize(flow), 400, 'invalid_request_uri', 'second use');
  });

  it("another client's request_uri is refused with an error page, and stays usable by the client that pushed it", async () => {
    const flow = await pushed(confidential);
    const stolen = new URL(flow.authorizeUrl);
    stolen.searchParams.set('client_id', other.client_id);
    assertErrorPage(await browse(suite, new CookieJar(), `${stolen.pathname}${stolen.search}`), 400, 'invalid_request_uri', 'other client');
    assertAccepted(await authorize(flow), 'its own client');
  });

  it('an expired request_uri is refused (the row backdated past expires_in)', async (t) => {
    if (!suite.databaseUrl) return t.skip('no database handed over (embedded suite)');
    const flow = await pushed(other);
    const pg = (await import('pg')).default;
    const db = new pg.Client({ connectionString: suite.databaseUrl });
    await db.connect();
    try {
      const done = await db.query(`UPDATE pushed_authorization_request SET expires_at = now() - interval '1 second' WHERE client_id = $1`, [other.client_id]);
      assert.ok((done.rowCount ?? 0) >= 1);
    } finally {
      await db.end();
    }
    assertErrorPage(await authorize(flow), 400, 'invalid_request_uri', 'expired');
  });

  it('unknown, malformed and repeated request_uri values and a request_uri without client_id are error pages', async () => {
    for (const value of ['urn:ietf:params:oauth:request_uri:' + 'A'.repeat(43), 'urn:ietf:params:oauth:request_uri:short']) {
      const reply = await browse(suite, new CookieJar(), `/authorize?${new URLSearchParams({ client_id: publicApp.client_id, request_uri: value })}`);
      assertErrorPage(reply, 400, 'invalid_request_uri', value);
    }
    const noClient = await browse(suite, new CookieJar(), `/authorize?${new URLSearchParams({ request_uri: (await pushed(publicApp)).requestUri })}`);
    assertErrorPage(noClient, 400, 'invalid_request', 'without client_id');
    const twice = (await pushed(publicApp)).requestUri;
    const repeated = await browse(suite, new CookieJar(), `/authorize?${new URLSearchParams([['client_id', publicApp.client_id], ['request_uri', twice], ['request_uri', twice]])}`);
    assertErrorPage(repeated, 400, 'invalid_request', 'repeated');
  });

  it('an EHR launch can be pushed: the launch is resolved and spent at the push, the context comes back with the token', async () => {
    const admin = await adminToken(suite);
    const launched = await call(suite, '/launch', { method: 'POST', headers: { authorization: bearer(admin), 'content-type': 'application/json' }, body: JSON.stringify({ patient: 'pt-par', encounter: 'enc-par' }) });
    assert.equal(launched.status, 201, launched.text);
    const launch = launched.json.launch as string;
    const ehrScope = { scope: 'launch openid fhirUser patient/*.rs' };
    const ehrApp = await register(suite, { client_name: 'PAR EHR App', redirect_uris: [app.callback], token_endpoint_auth_method: 'client_secret_basic', grant_types: ['authorization_code'], response_types: ['code'], ...ehrScope });
    const flow = await pushed(ehrApp, { ...ehrScope, launch });
    const tokens = await redeem(as, clientOf(ehrApp), secretOf(ehrApp), flow, await signInAt(flow.authorizeUrl), app.callback);
    assert.equal(tokens.patient, 'pt-par');
    assert.equal(tokens.encounter, 'enc-par');
    const again = await form(suite, '/par', { ...PLAIN(ehrApp.client_id), ...ehrScope, launch }, { authorization: basicAuth(ehrApp.client_id, ehrApp.client_secret!) });
    assert.equal(again.status, 400, again.text);
    assert.equal(again.json.error, 'invalid_request');
  });

  it('a client registered with require_pushed_authorization_requests (RFC 9126 §6): echoed, an error page without a push, a flow with one', async () => {
    const strict = await register(suite, { client_name: 'PAR Required', redirect_uris: [app.callback], token_endpoint_auth_method: 'none', grant_types: ['authorization_code'], response_types: ['code'], scope: SCOPE, require_pushed_authorization_requests: true });
    assert.equal(strict.require_pushed_authorization_requests, true);
    const read = await manage(suite, strict.client_id, 'GET', strict.registration_access_token);
    assert.equal(read.json.require_pushed_authorization_requests, true, read.text);
    const plain = `/authorize?${new URLSearchParams(PLAIN(strict.client_id))}`;
    assertErrorPage(await browse(suite, new CookieJar(), plain), 400, 'invalid_request', 'without a push');
    assertAccepted(await authorize(await pushed(strict)), 'with a push');
    // RFC 7592 §2.2: turned off again, the plain request is accepted.
    const { client_id: _id, client_secret: _secret, registration_access_token: _rat, registration_client_uri: _uri, client_id_issued_at: _at, ...metadata } = read.json;
    const updated = await manage(suite, strict.client_id, 'PUT', strict.registration_access_token, { ...metadata, client_id: strict.client_id, require_pushed_authorization_requests: false });
    assert.equal(updated.status, 200, updated.text);
    assert.equal(updated.json.require_pushed_authorization_requests, false);
    assertAccepted(await browse(suite, new CookieJar(), plain), 'not required any more');
  });

  it('a token request is still needed after the push: the request_uri is no token (POST /token refuses it)', async () => {
    const flow = await pushed(confidential);
    const reply = await tokenRequest(suite, { grant_type: 'authorization_code', code: flow.requestUri, redirect_uri: app.callback, code_verifier: flow.verifier }, { authorization: basicAuth(confidential.client_id, confidential.client_secret!) });
    assert.equal(reply.status, 400);
    assert.equal(reply.json.error, 'invalid_grant');
  });

  describe('errors are OAuth JSON, never a redirect (RFC 9126 §2.3)', () => {
    const valid = () => {
      const { client_id: _id, ...rest } = PLAIN(confidential.client_id);
      return rest;
    };
    const basic = () => ({ authorization: basicAuth(confidential.client_id, confidential.client_secret!) });
    const cases: Array<[string, () => Record<string, string> | string, () => Record<string, string>, number, string]> = [
      ['no client authentication', () => valid(), () => ({}), 401, 'invalid_client'],
      ['a wrong client secret', () => valid(), () => ({ authorization: basicAuth(confidential.client_id, 'wrong') }), 401, 'invalid_client'],
      ['an unknown public client', () => ({ ...valid(), client_id: 'no-such-client' }), () => ({}), 401, 'invalid_client'],
      ['another method than the registered one', () => ({ ...valid(), client_id: other.client_id }), () => ({}), 401, 'invalid_client'],
      ['a request_uri inside the push (§2.1)', () => ({ ...valid(), request_uri: 'urn:ietf:params:oauth:request_uri:abc' }), basic, 400, 'invalid_request'],
      ['an unregistered redirect_uri', () => ({ ...valid(), redirect_uri: 'https://evil.example/cb' }), basic, 400, 'invalid_redirect_uri'],
      ['no redirect_uri with two registered', () => ({ ...valid(), redirect_uri: '' }), basic, 400, 'invalid_request'],
      ['no scope registered for the client', () => ({ ...valid(), scope: 'user/*.cruds' }), basic, 400, 'invalid_scope'],
      ['no code_challenge (PKCE)', () => ({ ...valid(), code_challenge: '' }), basic, 400, 'invalid_request'],
      ['code_challenge_method plain', () => ({ ...valid(), code_challenge_method: 'plain' }), basic, 400, 'invalid_request'],
      ['a wrong aud', () => ({ ...valid(), aud: 'https://other.example/fhir' }), basic, 400, 'invalid_request'],
      ['response_type token', () => ({ ...valid(), response_type: 'token' }), basic, 400, 'unsupported_response_type'],
      ['an unknown launch', () => ({ ...valid(), scope: 'launch openid', launch: 'no-such-launch' }), basic, 400, 'invalid_request'],
      ['a repeated parameter', () => `${new URLSearchParams(valid())}&scope=openid`, basic, 400, 'invalid_request'],
    ];
    for (const [what, body, headers, status, error] of cases) {
      it(`${what}: ${status} ${error}`, async () => {
        const reply = await form(suite, '/par', body(), headers());
        assert.equal(reply.status, status, reply.text);
        assert.match(reply.headers.get('content-type') ?? '', /^application\/json/);
        assert.equal(reply.json.error, error, reply.text);
        assert.equal(typeof reply.json.error_description, 'string');
        assert.equal(reply.headers.get('location'), null);
        assert.equal(reply.headers.get('cache-control'), 'no-store');
      });
    }

    it('a body that is not a form: 400 invalid_request', async () => {
      const reply = await call(suite, '/par', { method: 'POST', headers: { 'content-type': 'application/json', ...basic() }, body: JSON.stringify(valid()) });
      assert.equal(reply.status, 400, reply.text);
      assert.equal(reply.json.error, 'invalid_request');
    });

    it('oauth4webapi sees the error as the server said it', async () => {
      const response = await oauth.pushedAuthorizationRequest(as, clientOf(confidential), secretOf(confidential), { ...valid(), redirect_uri: 'https://evil.example/cb' }, { [oauth.allowInsecureRequests]: true });
      await assert.rejects(oauth.processPushedAuthorizationResponse(as, clientOf(confidential), response), (err: unknown) => err instanceof oauth.ResponseBodyError && err.error === 'invalid_redirect_uri' && err.status === 400);
    });

    for (const method of ['GET', 'PUT', 'DELETE']) {
      it(`${method} /par: 405 with Allow: POST`, async () => {
        const reply = await call(suite, '/par', { method });
        assert.equal(reply.status, 405, reply.text);
        assert.match(reply.headers.get('allow') ?? '', /POST/);
        assert.match(reply.headers.get('content-type') ?? '', /^application\/json/);
      });
    }
  });
});
