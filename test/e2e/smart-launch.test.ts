import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import * as oidc from 'openid-client';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { Browser, Page } from 'playwright-core';
import { sharedSuite, type RunningSuite } from '#testing';
import { allow, browserUnavailable, deny, launchBrowser, newContext, pickPatient, signIn, TestApp } from './support/browser.js';
import { assertOAuthError, basicAuth, call, introspect, register, tokenRequest, type RegisteredClient } from './support/http.js';
import { adminToken, createUser, type TestUser } from './support/people.js';

const skip = browserUnavailable();
/** Screenshots of the pages for the README, written only when asked (E2E_SCREENSHOTS=1). */
const SCREENSHOTS = process.env.E2E_SCREENSHOTS === '1' ? 'docs/screenshots' : undefined;

const PATIENTS = [
  { id: 'pt-ana', name: 'Ana Lima', birthDate: '1990-02-20' },
  { id: 'pt-ben', name: 'Ben Osei', birthDate: '1948-07-01' },
  { id: 'pt-cy', name: 'Cy Park' },
];

/** The test app of the running describe block (set in its before hook). */
let currentApp: TestApp | undefined;

interface Flow {
  config: oidc.Configuration;
  verifier: string;
  state: string;
  nonce: string;
  url: URL;
}

async function startFlow(config: oidc.Configuration, params: Record<string, string>, redirectUri = currentApp!.callback): Promise<Flow> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...params,
  });
  return { config, verifier, state, nonce, url };
}

function redeem(flow: Flow, callback: URL): Promise<oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers> {
  return oidc.authorizationCodeGrant(flow.config, callback, { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce, idTokenExpected: true });
}

function scopes(scope: unknown): string[] {
  return String(scope).split(' ').sort();
}

describe('SMART App Launch in a real browser (authorization code + PKCE, login, consent, launches, refresh, OIDC)', { skip }, () => {
  let suite: RunningSuite & { owned: boolean };
  let browser: Browser;
  let app: TestApp;
  let admin: string;
  let patientUser: TestUser;
  let practitioner: TestUser;
  let publicApp: RegisteredClient;
  let confidentialApp: RegisteredClient;
  let publicConfig: oidc.Configuration;
  let confidentialConfig: oidc.Configuration;
  const fhirUserUrl = (u: TestUser) => `${suite.fhirBaseUrl}/${u.fhirUser}`;
  const adminAuth = () => basicAuth(suite.adminClientId, suite.adminClientSecret);

  before(async () => {
    suite = await sharedSuite();
    browser = await launchBrowser();
    app = await TestApp.start();
    currentApp = app;
    admin = await adminToken(suite);
    patientUser = await createUser(suite, admin, { fhirUser: 'Patient/pt-self', display_name: 'Pat Self' });
    practitioner = await createUser(suite, admin, { fhirUser: 'Practitioner/pr-1', display_name: 'Dr. Quinn', patients: PATIENTS });
    publicApp = await register(suite, {
      client_name: 'Patient Health Diary',
      redirect_uris: [app.callback],
      post_logout_redirect_uris: [app.postLogout],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      scope: 'launch/patient openid fhirUser profile offline_access online_access patient/*.rs',
    });
    confidentialApp = await register(suite, {
      client_name: 'Clinic Dashboard',
      redirect_uris: [app.callback],
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      scope: 'launch launch/patient openid fhirUser offline_access patient/*.rs user/*.rs',
    });
    const discover = (id: string, auth: oidc.ClientAuth) => oidc.discovery(new URL(suite.issuer), id, undefined, auth, { execute: [oidc.allowInsecureRequests] });
    publicConfig = await discover(publicApp.client_id, oidc.None());
    confidentialConfig = await discover(confidentialApp.client_id, oidc.ClientSecretBasic(confidentialApp.client_secret!));
    if (SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    if (suite?.owned) await suite.stop();
  });

  async function freshPage(): Promise<Page> {
    return (await newContext(browser)).newPage();
  }

  it('patient standalone launch: login, consent, code with iss, tokens with the patient in context, ID token, userinfo, introspection', async () => {
    const page = await freshPage();
    const scope = 'launch/patient openid fhirUser offline_access patient/*.rs';
    const flow = await startFlow(publicConfig, { scope, aud: suite.fhirBaseUrl });
    await page.goto(flow.url.href);
    assert.match(await page.title(), /sign in/i);
    assert.match(await page.content(), /Patient Health Diary/);
    if (SCREENSHOTS) await page.screenshot({ path: `${SCREENSHOTS}/login.png`, fullPage: true });
    await signIn(page, patientUser.username, patientUser.password);
    // Consent: every requested scope listed; the mandatory ones cannot be unticked.
    for (const s of scope.split(' ')) assert.equal(await page.locator(`input[name="scope"][value="${s}"]`).count() > 0, true, s);
    for (const s of ['launch/patient', 'openid', 'fhirUser', 'offline_access']) {
      assert.equal(await page.locator(`input[type="checkbox"][value="${s}"]`).isDisabled(), true, `${s} is mandatory`);
    }
    assert.equal(await page.locator('input[type="checkbox"][value="patient/*.rs"]').isDisabled(), false);
    if (SCREENSHOTS) await page.screenshot({ path: `${SCREENSHOTS}/consent.png`, fullPage: true });
    await allow(page);
    const callback = await app.landed(page);
    assert.equal(callback.searchParams.get('iss'), suite.issuer, 'RFC 9207 iss');
    assert.equal(callback.searchParams.get('state'), flow.state);

    const tokens = await redeem(flow, callback);
    assert.equal(tokens.token_type.toLowerCase(), 'bearer');
    assert.deepEqual(scopes(tokens.scope), scopes(scope));
    assert.equal(tokens.patient, 'pt-self', 'a patient user gets their own patient');
    assert.equal(tokens.fhirUser, fhirUserUrl(patientUser));
    assert.equal(tokens.need_patient_banner, true);
    assert.equal(typeof tokens.expires_in, 'number');
    assert.equal(typeof tokens.refresh_token, 'string');
    const idClaims = tokens.claims()!;
    assert.equal(idClaims.sub, patientUser.id);
    assert.equal(idClaims.aud, publicApp.client_id);
    assert.equal(idClaims.nonce, flow.nonce);
    assert.equal(idClaims.fhirUser, fhirUserUrl(patientUser));
    assert.equal(typeof idClaims.at_hash, 'string');

    const style = await call(suite, new URL(tokens.smart_style_url as string).pathname);
    assert.equal(style.status, 200);
    assert.match(String(style.json.color_highlight), /^#[0-9a-f]{3,6}$/i);

    const active = await introspect(suite, tokens.access_token, adminAuth());
    assert.equal(active.json.active, true);
    assert.equal(active.json.patient, 'pt-self');
    assert.equal(active.json.fhirUser, fhirUserUrl(patientUser));
    assert.equal(active.json.sub, patientUser.id);

    const info = await oidc.fetchUserInfo(publicConfig, tokens.access_token, patientUser.id);
    assert.equal(info.fhirUser, fhirUserUrl(patientUser));

    // Same browser, same app, same scopes: the session and the remembered consent skip every page.
    const again = await startFlow(publicConfig, { scope, aud: suite.fhirBaseUrl });
    await page.goto(again.url.href);
    const second = await app.landed(page);
    assert.ok(second.searchParams.get('code'), 'remembered consent: straight back with a code');
    const secondTokens = await redeem(again, second);
    assert.equal(secondTokens.patient, 'pt-self');
  });

  it('practitioner standalone launch: the patient picker lists the patients the practitioner may open', async () => {
    const page = await freshPage();
    const scope = 'launch/patient openid fhirUser patient/*.rs';
    const flow = await startFlow(confidentialConfig, { scope, aud: suite.fhirBaseUrl });
    await page.goto(flow.url.href);
    await signIn(page, practitioner.username, practitioner.password);
    for (const p of PATIENTS) assert.match(await page.content(), new RegExp(p.name));
    if (SCREENSHOTS) await page.screenshot({ path: `${SCREENSHOTS}/patient-picker.png`, fullPage: true });
    await pickPatient(page, 'pt-ben');
    assert.match(await page.content(), /Ben Osei/, 'the consent page names the chosen patient');
    await allow(page);
    const tokens = await redeem(flow, await app.landed(page));
    assert.equal(tokens.patient, 'pt-ben');
    assert.equal(tokens.fhirUser, fhirUserUrl(practitioner));
    assert.equal(tokens.refresh_token, undefined, 'no offline_access, no refresh token');
  });

  it('EHR launch with POST /launch: patient, encounter, fhirContext, intent and banner come back with the token; the launch id is single use', async () => {
    const ehr = await register(suite, { client_name: 'Test EHR', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', scope: 'launch' });
    const ehrToken = (await tokenRequest(suite, { grant_type: 'client_credentials', scope: 'launch' }, { authorization: basicAuth(ehr.client_id, ehr.client_secret!) })).json.access_token as string;
    const created = await call(suite, '/launch', {
      method: 'POST',
      headers: { authorization: `Bearer ${ehrToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ patient: 'pt-ana', encounter: 'enc-7', fhirContext: [{ reference: 'DiagnosticReport/dr-1' }], intent: 'reconcile-medications', need_patient_banner: false }),
    });
    assert.equal(created.status, 201, created.text);
    const launch = created.json.launch as string;

    const page = await freshPage();
    const flow = await startFlow(confidentialConfig, { scope: 'launch openid fhirUser patient/*.rs', aud: suite.fhirBaseUrl, launch });
    await page.goto(flow.url.href);
    await signIn(page, practitioner.username, practitioner.password);
    await allow(page); // no picker: the EHR chose the patient
    const tokens = await redeem(flow, await app.landed(page));
    assert.equal(tokens.patient, 'pt-ana');
    assert.equal(tokens.encounter, 'enc-7');
    assert.deepEqual(tokens.fhirContext, [{ reference: 'DiagnosticReport/dr-1' }]);
    assert.equal(tokens.intent, 'reconcile-medications');
    assert.equal(tokens.need_patient_banner, false);
    assert.ok(String(tokens.scope).split(' ').includes('launch'));

    // The same launch value again is refused back at the app.
    const replay = await startFlow(confidentialConfig, { scope: 'launch openid fhirUser patient/*.rs', aud: suite.fhirBaseUrl, launch });
    await page.goto(replay.url.href);
    const refused = await app.landed(page);
    assert.equal(refused.searchParams.get('error'), 'invalid_request');
    assert.equal(refused.searchParams.get('code'), null);
    // A client without the launch scope cannot create launches.
    const plain = await call(suite, '/launch', { method: 'POST', headers: { authorization: `Bearer ${(await tokenRequest(suite, { grant_type: 'client_credentials', scope: 'admin' }, { authorization: adminAuth() })).json.access_token}`, 'content-type': 'application/json' }, body: '{"patient":"x"}' });
    assert.equal(plain.status, 201, 'admin may create launches too');
    const anonymous = await call(suite, '/launch', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"patient":"x"}' });
    assertOAuthError(anonymous, 401, 'invalid_token');
  });

  it('EHR launch with a launch JWT signed by a registered EHR key; a replayed JWT is refused', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES384');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'ehr-1', alg: 'ES384', use: 'sig' };
    const ehr = await register(suite, { client_name: 'JWT EHR', grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [jwk] }, scope: 'launch' });
    const launch = await new SignJWT({ patient: 'pt-cy', encounter: 'enc-9' })
      .setProtectedHeader({ alg: 'ES384', kid: 'ehr-1' })
      .setIssuer(ehr.client_id)
      .setAudience(suite.issuer)
      .setIssuedAt()
      .setExpirationTime('2m')
      .setJti(oidc.randomState())
      .sign(privateKey);
    const page = await freshPage();
    const flow = await startFlow(confidentialConfig, { scope: 'launch openid fhirUser patient/*.rs', aud: suite.fhirBaseUrl, launch });
    await page.goto(flow.url.href);
    await signIn(page, practitioner.username, practitioner.password);
    const callback = await (async () => {
      // The consent for this client and scope may already be remembered from the previous test.
      if (app.isOn(page)) return new URL(page.url());
      await page.waitForLoadState();
      await app.allowIfAsked(page);
      return app.landed(page);
    })();
    const tokens = await redeem(flow, callback);
    assert.equal(tokens.patient, 'pt-cy');
    assert.equal(tokens.encounter, 'enc-9');
    const replay = await startFlow(confidentialConfig, { scope: 'launch openid fhirUser patient/*.rs', aud: suite.fhirBaseUrl, launch });
    await page.goto(replay.url.href);
    assert.equal((await app.landed(page)).searchParams.get('error'), 'invalid_request');
  });

  it('consent with an unticked scope grants exactly what stayed ticked, and the token response says so', async () => {
    const page = await freshPage();
    const scope = 'launch/patient openid fhirUser patient/Patient.rs patient/Observation.rs';
    // prompt=consent: an earlier test's remembered consent already covers these scopes.
    const flow = await startFlow(publicConfig, { scope, aud: suite.fhirBaseUrl, prompt: 'consent' });
    await page.goto(flow.url.href);
    await signIn(page, patientUser.username, patientUser.password);
    await allow(page, ['patient/Observation.rs']);
    const tokens = await redeem(flow, await app.landed(page));
    assert.deepEqual(scopes(tokens.scope), scopes('launch/patient openid fhirUser patient/Patient.rs'));
    const active = await introspect(suite, tokens.access_token, adminAuth());
    assert.deepEqual(scopes(active.json.scope), scopes('launch/patient openid fhirUser patient/Patient.rs'));
  });

  it('"Deny" sends the browser back with error=access_denied, the state and iss', async () => {
    const page = await freshPage();
    const flow = await startFlow(confidentialConfig, { scope: 'launch/patient openid user/*.rs', aud: suite.fhirBaseUrl });
    await page.goto(flow.url.href);
    await signIn(page, practitioner.username, practitioner.password);
    await pickPatient(page, 'pt-ana');
    await deny(page);
    const callback = await app.landed(page);
    assert.equal(callback.searchParams.get('error'), 'access_denied');
    assert.equal(callback.searchParams.get('state'), flow.state);
    assert.equal(callback.searchParams.get('iss'), suite.issuer);
    assert.equal(callback.searchParams.get('code'), null);
  });

  it('refresh tokens rotate on every use; a reused one revokes the whole grant, its access tokens included', async () => {
    const page = await freshPage();
    const flow = await startFlow(publicConfig, { scope: 'launch/patient openid offline_access patient/*.rs', aud: suite.fhirBaseUrl });
    await page.goto(flow.url.href);
    await signIn(page, patientUser.username, patientUser.password);
    await app.allowIfAsked(page);
    const first = await redeem(flow, await app.landed(page));
    const second = await oidc.refreshTokenGrant(publicConfig, first.refresh_token!);
    assert.notEqual(second.refresh_token, first.refresh_token, 'rotated');
    assert.notEqual(second.access_token, first.access_token);
    assert.equal(second.patient, 'pt-self');
    // Narrowing on refresh is allowed; widening is not.
    const narrowed = await oidc.refreshTokenGrant(publicConfig, second.refresh_token!, { scope: 'patient/*.rs' });
    assert.equal(narrowed.scope, 'patient/*.rs');
    const widened = await tokenRequest(suite, { grant_type: 'refresh_token', client_id: publicApp.client_id, refresh_token: narrowed.refresh_token!, scope: 'patient/*.cruds' });
    assertOAuthError(widened, 400, 'invalid_scope');
    // The first refresh token comes back: reuse detected.
    const reuse = await tokenRequest(suite, { grant_type: 'refresh_token', client_id: publicApp.client_id, refresh_token: first.refresh_token! });
    assertOAuthError(reuse, 400, 'invalid_grant');
    const latest = await tokenRequest(suite, { grant_type: 'refresh_token', client_id: publicApp.client_id, refresh_token: narrowed.refresh_token! });
    assertOAuthError(latest, 400, 'invalid_grant', 'the newest refresh token died with the grant');
    for (const t of [first.access_token, second.access_token, narrowed.access_token]) {
      assert.deepEqual((await introspect(suite, t, adminAuth())).json, { active: false });
    }
    // The trail: two refreshes, the reuse and the revocation it caused, all of one grant.
    const grantId = decodeJwtGrant(second.access_token);
    const admin = { authorization: `Bearer ${await adminToken(suite)}` };
    const wanted = ['grant.revoked', 'refresh_token.reused', 'token.refreshed', 'token.refreshed'];
    let types: string[] = [];
    for (const deadline = Date.now() + 15_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
      const trail = await call(suite, `/admin/audit?client_id=${publicApp.client_id}&limit=1000`, { headers: admin });
      const events = (trail.json.events as Array<{ event: { type: string; data: Record<string, unknown> } }>).map((e) => e.event).filter((e) => e.data.grant_id === grantId);
      types = events.map((e) => e.type).filter((t) => wanted.includes(t)).sort();
      if (types.length >= wanted.length) {
        const refreshed = events.filter((e) => e.type === 'token.refreshed').map((e) => e.data.scope);
        assert.ok(refreshed.includes('patient/*.rs'), 'the narrowed refresh carries its narrowed scope');
        assert.equal(events.find((e) => e.type === 'grant.revoked')?.data.reason, 'refresh_token_reuse');
        break;
      }
    }
    assert.deepEqual(types, wanted);
  });

  it('an authorization code works once; a replay fails and revokes what the first use issued', async () => {
    const page = await freshPage();
    const flow = await startFlow(confidentialConfig, { scope: 'launch/patient openid user/*.rs', aud: suite.fhirBaseUrl });
    await page.goto(flow.url.href);
    await signIn(page, practitioner.username, practitioner.password);
    await pickPatient(page, 'pt-cy');
    await app.allowIfAsked(page);
    const callback = await app.landed(page);
    const tokens = await redeem(flow, callback);
    assert.equal((await introspect(suite, tokens.access_token, adminAuth())).json.active, true);
    const replay = await tokenRequest(
      suite,
      { grant_type: 'authorization_code', code: callback.searchParams.get('code')!, redirect_uri: app.callback, code_verifier: flow.verifier },
      { authorization: basicAuth(confidentialApp.client_id, confidentialApp.client_secret!) },
    );
    assertOAuthError(replay, 400, 'invalid_grant');
    assert.deepEqual((await introspect(suite, tokens.access_token, adminAuth())).json, { active: false });
  });

  it('a bad or wrong code verifier, and a garbage code, get exactly 400 invalid_grant', async () => {
    const page = await freshPage();
    const flow = await startFlow(publicConfig, { scope: 'launch/patient patient/*.rs', aud: suite.fhirBaseUrl });
    await page.goto(flow.url.href);
    await signIn(page, patientUser.username, patientUser.password);
    await app.allowIfAsked(page);
    const code = (await app.landed(page)).searchParams.get('code')!;
    const wrong = await tokenRequest(suite, { grant_type: 'authorization_code', client_id: publicApp.client_id, code, redirect_uri: app.callback, code_verifier: oidc.randomPKCECodeVerifier() });
    assertOAuthError(wrong, 400, 'invalid_grant');
    const garbage = await tokenRequest(suite, { grant_type: 'authorization_code', client_id: publicApp.client_id, code: 'nope', redirect_uri: app.callback, code_verifier: flow.verifier });
    assertOAuthError(garbage, 400, 'invalid_grant');
  });

  for (const [name, params, description] of [
    ['a wrong aud', { aud: 'https://other.example.org/fhir' }, /aud/],
    ['a missing aud', { aud: undefined }, /aud/],
    ['missing PKCE', { code_challenge: undefined, code_challenge_method: undefined }, /code_challenge/],
    ['plain PKCE', { code_challenge_method: 'plain' }, /S256/],
    ['response_type=token', { response_type: 'token' }, /code/],
  ] as const) {
    it(`${name} is refused back at the app with error, state and iss, and no code, once the person has signed in`, async () => {
      const page = await freshPage();
      const flow = await startFlow(publicConfig, { scope: 'launch/patient patient/*.rs', aud: suite.fhirBaseUrl });
      for (const [k, v] of Object.entries(params)) {
        if (v === undefined) flow.url.searchParams.delete(k);
        else flow.url.searchParams.set(k, v);
      }
      await page.goto(flow.url.href);
      // RFC 9700 §4.11.2: nobody is signed in, so the sign-in page comes before any error redirect.
      assert.match(await page.title(), /sign in/i);
      await signIn(page, patientUser.username, patientUser.password);
      const callback = await app.landed(page);
      assert.equal(callback.searchParams.get('error'), name === 'response_type=token' ? 'unsupported_response_type' : 'invalid_request');
      assert.match(callback.searchParams.get('error_description') ?? '', description);
      assert.equal(callback.searchParams.get('state'), flow.state);
      assert.equal(callback.searchParams.get('iss'), suite.issuer);
      assert.equal(callback.searchParams.get('code'), null);
    });
  }

  it('an unregistered redirect URI gets an error page, never a redirect', async () => {
    const page = await freshPage();
    const flow = await startFlow(publicConfig, { scope: 'launch/patient patient/*.rs', aud: suite.fhirBaseUrl });
    flow.url.searchParams.set('redirect_uri', `${app.origin}/elsewhere`);
    const response = await page.goto(flow.url.href);
    assert.equal(response?.status(), 400);
    assert.equal(new URL(page.url()).origin, new URL(suite.issuer).origin, 'the browser stays on the authorization server');
    assert.match(await page.content(), /redirect_uri/);
    const headers = response!.headers();
    assert.match(headers['content-security-policy'] ?? '', /frame-ancestors 'none'/);
    assert.equal(headers['x-frame-options'], 'DENY');
    assert.equal(headers['referrer-policy'], 'no-referrer');
  });

  it('a wrong password shows one generic message; the login page is protected against framing', async () => {
    const page = await freshPage();
    const flow = await startFlow(publicConfig, { scope: 'launch/patient patient/*.rs', aud: suite.fhirBaseUrl });
    const response = await page.goto(flow.url.href);
    assert.match(response!.headers()['content-security-policy'] ?? '', new RegExp(`form-action 'self' ${app.origin}`));
    await signIn(page, patientUser.username, 'not-the-password');
    const wrongPassword = await page.locator('[role="alert"]').innerText();
    await signIn(page, 'nobody-here', 'not-the-password');
    const unknownUser = await page.locator('[role="alert"]').innerText();
    assert.equal(wrongPassword, unknownUser, 'no user enumeration');
    await signIn(page, patientUser.username, patientUser.password);
    await app.allowIfAsked(page);
    assert.ok((await app.landed(page)).searchParams.get('code'));
  });

  it('RP-initiated logout ends the session: back to the registered post-logout URI with state, and the next launch asks to sign in again', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const flow = await startFlow(publicConfig, { scope: 'launch/patient openid online_access patient/*.rs', aud: suite.fhirBaseUrl });
    await page.goto(flow.url.href);
    await signIn(page, patientUser.username, patientUser.password);
    await app.allowIfAsked(page);
    const tokens = await redeem(flow, await app.landed(page));
    assert.equal(typeof tokens.refresh_token, 'string', 'online_access gives a session-bound refresh token');
    const cookies = await context.cookies(suite.issuer);
    const session = cookies.find((c) => c.name === 'smart_session');
    assert.ok(session, 'a session cookie');
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Lax');

    const logout = oidc.buildEndSessionUrl(publicConfig, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: app.postLogout, state: 'bye-1' });
    await page.goto(logout.href);
    const landed = await app.landed(page);
    assert.equal(landed.pathname, '/signed-out');
    assert.equal(landed.searchParams.get('state'), 'bye-1');

    const online = await tokenRequest(suite, { grant_type: 'refresh_token', client_id: publicApp.client_id, refresh_token: tokens.refresh_token! });
    assertOAuthError(online, 400, 'invalid_grant', 'online_access ends with the session');

    const next = await startFlow(publicConfig, { scope: 'launch/patient patient/*.rs', aud: suite.fhirBaseUrl });
    await page.goto(next.url.href);
    assert.match(await page.title(), /sign in/i);

    // An unregistered post_logout_redirect_uri is never followed.
    const bad = oidc.buildEndSessionUrl(publicConfig, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: `${app.origin}/evil` });
    const refused = await page.goto(bad.href);
    assert.equal(refused?.status(), 400);
  });

  it('discovery advertises the launch capabilities and endpoints that now work', async () => {
    const smart = await call(suite, '/.well-known/smart-configuration');
    for (const capability of ['launch-standalone', 'launch-ehr', 'client-public', 'client-confidential-symmetric', 'context-standalone-patient', 'context-ehr-patient', 'context-ehr-encounter', 'permission-patient', 'permission-user', 'permission-offline', 'permission-online', 'permission-v1', 'permission-v2', 'sso-openid-connect', 'context-banner', 'context-style', 'authorize-post']) {
      assert.ok((smart.json.capabilities as string[]).includes(capability), capability);
    }
    assert.equal(smart.json.authorization_endpoint, `${suite.issuer}/authorize`);
    const oidcDoc = await call(suite, '/.well-known/openid-configuration');
    assert.equal(oidcDoc.json.userinfo_endpoint, `${suite.issuer}/userinfo`);
    assert.equal(oidcDoc.json.end_session_endpoint, `${suite.issuer}/logout`);
    assert.deepEqual(oidcDoc.json.response_types_supported, ['code']);
    assert.ok((oidcDoc.json.grant_types_supported as string[]).includes('authorization_code'));
    assert.ok((oidcDoc.json.grant_types_supported as string[]).includes('refresh_token'));
    assert.ok((oidcDoc.json.id_token_signing_alg_values_supported as string[]).includes('RS256'));
  });
});

/** The grant an access token belongs to (its `grant_id` claim). */
function decodeJwtGrant(accessToken: string): string {
  return String(decodeJwt(accessToken).grant_id);
}
