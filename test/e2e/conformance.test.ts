import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as oidc from 'openid-client';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import type { Browser } from 'playwright-core';
import { sharedSuite, type RunningSuite } from '#testing';
import { allow, browserUnavailable, launchBrowser, newContext, signIn, TestApp } from './support/browser.js';
import { browse, completeInteraction, CookieJar, csrfOf, inputValuesOf, obtainCode, pkcePair, postForm, startAuthorization, type AuthorizationParams, type PageAnswers } from './support/form-flow.js';
import { assertActive, assertInactive, assertOAuthError, basicAuth, bearer, call, form, introspect, machineClient, postRegistration, register, revoke, tokenFor, tokenRequest, type RegisteredClient, type Reply } from './support/http.js';
import { adminToken, createUser, type TestUser } from './support/people.js';

/**
 * The checks of CONFORMANCE.md that no other e2e file proves, one test per
 * check ID (the test name starts with it), black-box through the gateway.
 * docs/conformance.md maps every check ID to the test that proves it.
 */

const APP = 'https://conformance-app.example';
const CALLBACK = `${APP}/callback`;
const POST_LOGOUT = `${APP}/signed-out`;
const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
const CONDITION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/condition-category';
const LAB = `patient/Observation.rs?category=${OBSERVATION_CATEGORY}|laboratory`;
const VITALS = `patient/Observation.rs?category=${OBSERVATION_CATEGORY}|vital-signs`;
const PROBLEMS = `patient/Condition.rs?category=${CONDITION_CATEGORY}|problem-list-item`;
const APP_SCOPE = 'launch launch/patient openid fhirUser profile offline_access online_access patient/*.rs user/*.rs';

function scopes(scope: unknown): string[] {
  return String(scope).split(' ').sort();
}

/** The code-exchange request of a confidential client (RFC 6749 §4.1.3). */
function exchange(suite: RunningSuite, client: RegisteredClient, code: string, verifier: string): Promise<Reply> {
  return tokenRequest(suite, { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: verifier }, { authorization: basicAuth(client.client_id, client.client_secret!) });
}

describe('CONFORMANCE.md checks not proven elsewhere', () => {
  let suite: RunningSuite & { owned: boolean };
  let admin: string;
  let patient: TestUser;
  let practitioner: TestUser;
  let app: RegisteredClient;
  let ehrToken: string;
  let staleCode: { code: string; verifier: string; issuedAt: number };
  const adminAuth = () => basicAuth(suite.adminClientId, suite.adminClientSecret);
  const appAuth = () => basicAuth(app.client_id, app.client_secret!);
  const params = (extra: Partial<AuthorizationParams> = {}): AuthorizationParams => ({ client_id: app.client_id, redirect_uri: CALLBACK, scope: 'launch/patient openid fhirUser patient/*.rs', ...extra });
  const as = (user: TestUser, extra: Partial<PageAnswers> = {}): PageAnswers => ({ username: user.username, password: user.password, ...extra });

  /** A whole launch, then the code exchanged: the token response. */
  async function launch(authorization: Partial<AuthorizationParams>, answers: PageAnswers, jar = new CookieJar()): Promise<{ tokens: Reply; jar: CookieJar }> {
    const { code, verifier } = await obtainCode(suite, params(authorization), answers, jar);
    const tokens = await exchange(suite, app, code, verifier);
    assert.equal(tokens.status, 200, tokens.text);
    return { tokens, jar };
  }

  /** An EHR launch context created with POST /launch by the test EHR. */
  async function ehrLaunch(context: Record<string, unknown>): Promise<string> {
    const created = await call(suite, '/launch', { method: 'POST', headers: { authorization: bearer(ehrToken), 'content-type': 'application/json' }, body: JSON.stringify(context) });
    assert.equal(created.status, 201, created.text);
    return created.json.launch as string;
  }

  before(async () => {
    suite = await sharedSuite();
    admin = await adminToken(suite);
    patient = await createUser(suite, admin, { fhirUser: 'Patient/pt-conf', display_name: 'Casey Conform' });
    practitioner = await createUser(suite, admin, { fhirUser: 'Practitioner/pr-conf', display_name: 'Dr. Conform', patients: [{ id: 'pt-c1', name: 'Pat One' }] });
    app = await register(suite, {
      client_name: 'Conformance App',
      redirect_uris: [CALLBACK],
      post_logout_redirect_uris: [POST_LOGOUT],
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      scope: APP_SCOPE,
    });
    ehrToken = await tokenFor(suite, await machineClient(suite, 'launch'), 'launch');
    // AZ-10: a code left unredeemed from the start; the last test redeems it after its lifetime.
    const pending = await obtainCode(suite, params(), as(patient));
    staleCode = { ...pending, issuedAt: Date.now() };
  });
  after(async () => {
    if (suite?.owned) await suite.stop();
  });

  it('SC-04 a requested category sub-scope is shown on its own and can be left out', async () => {
    const scope = `launch/patient openid ${LAB} ${VITALS}`;
    const jar = new CookieJar();
    const started = await startAuthorization(suite, jar, params({ scope, prompt: 'consent' }));
    assert.ok(started.interaction, started.reply.text.slice(0, 200));
    const login = await browse(suite, jar, started.interaction);
    await postForm(suite, jar, `${started.interaction}/login`, { csrf: csrfOf(login.text), username: patient.username, password: patient.password });
    const consent = await browse(suite, jar, started.interaction);
    assert.deepEqual(inputValuesOf(consent.text, 'scope'), ['launch/patient', 'openid', LAB, VITALS], 'each category is its own checkbox');
    const done = await postForm(suite, jar, `${started.interaction}/consent`, [['csrf', csrfOf(consent.text)], ['scope', VITALS], ['decision', 'approve']]);
    const code = new URL(done.headers.get('location')!).searchParams.get('code')!;
    const tokens = await exchange(suite, app, code, started.verifier);
    assert.deepEqual(scopes(tokens.json.scope), scopes(`launch/patient openid ${VITALS}`));
  });

  it('IN-03 introspection echoes the launch context of the token response (patient, encounter, fhirContext, intent, need_patient_banner, smart_style_url)', async () => {
    const launchId = await ehrLaunch({
      patient: 'pt-c1',
      encounter: 'enc-c1',
      fhirContext: [{ reference: 'DiagnosticReport/dr-c1' }, { canonical: 'http://example.org/Questionnaire/phq-9|1.0', type: 'Questionnaire' }],
      intent: 'reconcile-medications',
      need_patient_banner: false,
      smart_style_url: 'https://ehr.example/style-v7.json',
    });
    const { tokens } = await launch({ scope: 'launch openid fhirUser patient/*.rs', launch: launchId }, as(practitioner));
    const body = tokens.json;
    const active = (await assertActive(introspect(suite, body.access_token as string, adminAuth()))).json;
    for (const name of ['patient', 'encounter', 'fhirContext', 'intent', 'need_patient_banner', 'smart_style_url', 'fhirUser', 'scope']) {
      assert.deepEqual(active[name], body[name], `${name} echoed`);
    }
    assert.equal(active.client_id, app.client_id);
    assert.equal(active.token_type, 'Bearer');
    assert.equal(active.iss, suite.issuer);
    assert.equal(active.aud, suite.fhirBaseUrl);
    const claims = decodeJwt(body.access_token as string);
    assert.equal(active.exp, claims.exp);
    assert.equal(active.iat, claims.iat);
    assert.ok(Math.abs((active.exp as number) - (active.iat as number) - (body.expires_in as number)) <= 1, 'exp consistent with expires_in');
  });

  it('IN-04 introspection carries the iss, sub and fhirUser of the ID token', async () => {
    const { tokens } = await launch({}, as(patient));
    const idToken = decodeJwt(tokens.json.id_token as string);
    const active = (await assertActive(introspect(suite, tokens.json.access_token as string, adminAuth()))).json;
    assert.equal(active.iss, idToken.iss);
    assert.equal(active.sub, idToken.sub);
    assert.equal(active.fhirUser, idToken.fhirUser);
    assert.equal(active.fhirUser, `${suite.fhirBaseUrl}/Patient/pt-conf`);
  });

  it('TK-05 an EHR launch that says nothing about the banner still gets need_patient_banner and smart_style_url, and the style is JSON', async () => {
    const launchId = await ehrLaunch({ patient: 'pt-c1' });
    const { tokens } = await launch({ scope: 'launch openid fhirUser patient/*.rs', launch: launchId }, as(practitioner));
    assert.equal(tokens.json.need_patient_banner, true);
    assert.equal(typeof tokens.json.smart_style_url, 'string');
    const style = await call(suite, new URL(tokens.json.smart_style_url as string).pathname);
    assert.equal(style.status, 200);
    assert.match(style.headers.get('content-type') ?? '', /^application\/json/);
  });

  it('AZ-08 a patient/ scope without launch/patient establishes a patient (and says whether to show a banner)', async () => {
    const { tokens } = await launch({ scope: 'openid fhirUser patient/*.rs' }, as(patient));
    assert.equal(tokens.json.patient, 'pt-conf');
    assert.equal(tokens.json.need_patient_banner, true);
    assert.equal(typeof tokens.json.smart_style_url, 'string');
  });

  it('SC-08 offline_access refresh tokens outlive the session (logout); online_access ones end with it', async () => {
    const jar = new CookieJar();
    const offline = await launch({ scope: 'launch/patient openid fhirUser offline_access patient/*.rs' }, as(patient), jar);
    const online = await launch({ scope: 'launch/patient openid fhirUser online_access patient/*.rs' }, as(patient), jar);
    assert.equal(typeof offline.tokens.json.refresh_token, 'string');
    assert.equal(typeof online.tokens.json.refresh_token, 'string');
    // RP-initiated logout with the person's own ID token ends the session at once.
    const logout = await browse(suite, jar, `/logout?${new URLSearchParams({ id_token_hint: online.tokens.json.id_token as string, post_logout_redirect_uri: POST_LOGOUT, state: 'bye' })}`);
    assert.equal(logout.status, 303, logout.text.slice(0, 200));
    assert.equal(new URL(logout.headers.get('location')!).searchParams.get('state'), 'bye');
    const fromOffline = await tokenRequest(suite, { grant_type: 'refresh_token', refresh_token: offline.tokens.json.refresh_token as string }, { authorization: appAuth() });
    assert.equal(fromOffline.status, 200, `offline_access survives logout: ${fromOffline.text}`);
    assert.equal(fromOffline.json.patient, 'pt-conf');
    const again = await tokenRequest(suite, { grant_type: 'refresh_token', refresh_token: fromOffline.json.refresh_token as string }, { authorization: appAuth() });
    assert.equal(again.status, 200, 'and keeps working, rotated');
    const fromOnline = await tokenRequest(suite, { grant_type: 'refresh_token', refresh_token: online.tokens.json.refresh_token as string }, { authorization: appAuth() });
    assertOAuthError(fromOnline, 400, 'invalid_grant', 'online_access ends with the session');
  });

  it('BCP-02 a registered client sending a bad scope while nobody is signed in gets the sign-in page before any error redirect', async () => {
    const jar = new CookieJar();
    const started = await startAuthorization(suite, jar, params({ scope: 'not-a-scope', state: 'st-bcp02' }));
    assert.equal(started.reply.status, 303);
    assert.ok(started.interaction, `no redirect to the app before sign-in: ${started.reply.headers.get('location')}`);
    const page = await browse(suite, jar, started.interaction);
    assert.equal(page.status, 200);
    assert.match(page.text, /\/login"/, 'the sign-in page');
    const login = await postForm(suite, jar, `${started.interaction}/login`, { csrf: csrfOf(page.text), username: patient.username, password: patient.password });
    const next = await browse(suite, jar, login.headers.get('location')!);
    assert.equal(next.status, 303);
    const target = new URL(next.headers.get('location')!);
    assert.equal(`${target.origin}${target.pathname}`, CALLBACK);
    assert.equal(target.searchParams.get('error'), 'invalid_scope');
    assert.equal(target.searchParams.get('state'), 'st-bcp02');
    assert.equal(target.searchParams.get('iss'), suite.issuer);
    assert.equal(target.searchParams.get('code'), null);
    // Signed in now: the same bad request goes straight back with its error.
    const direct = await startAuthorization(suite, jar, params({ scope: 'not-a-scope', state: 'st-bcp02b' }));
    assert.equal(new URL(direct.reply.headers.get('location')!).searchParams.get('error'), 'invalid_scope');
  });

  it('BCP-02 a failed request never grants anything, even when its consent form is posted', async () => {
    const jar = new CookieJar();
    const started = await startAuthorization(suite, jar, params({ aud: 'https://inferno.healthit.gov/invalid_aud' }));
    assert.ok(started.interaction);
    const page = await browse(suite, jar, started.interaction);
    const forged = await postForm(suite, jar, `${started.interaction}/consent`, [['csrf', csrfOf(page.text)], ['scope', 'openid'], ['decision', 'approve']]);
    // Nobody signed in: back to the sign-in page; after it, the error and never a code.
    const callback = await completeInteraction(suite, jar, forged.headers.get('location') ?? started.interaction, as(patient));
    assert.equal(callback.searchParams.get('error'), 'invalid_request');
    assert.equal(callback.searchParams.get('code'), null);
  });

  it('AZ-04 G10 invalid aud: never a code, whoever is signed in', async () => {
    const jar = new CookieJar();
    await launch({}, as(patient), jar);
    const started = await startAuthorization(suite, jar, params({ aud: 'https://inferno.healthit.gov/invalid_aud' }));
    const target = new URL(started.reply.headers.get('location')!);
    assert.equal(target.searchParams.get('code'), null);
    assert.equal(target.searchParams.get('error'), 'invalid_request');
  });

  it('AZ-07 a bogus, or already used, launch value yields no code', async () => {
    const { jar } = await launch({}, as(practitioner, { patient: 'pt-c1' }));
    const used = await ehrLaunch({ patient: 'pt-c1' });
    await launch({ scope: 'launch openid patient/*.rs', launch: used }, as(practitioner), jar);
    for (const value of ['not-a-launch', used, 'eyJhbGciOiJFUzI1NiJ9.eyJwYXRpZW50IjoicHQtYzEifQ.c2ln']) {
      const started = await startAuthorization(suite, jar.clone(), params({ scope: 'launch openid patient/*.rs', launch: value }));
      const target = new URL(started.reply.headers.get('location')!, suite.baseUrl);
      assert.equal(target.searchParams.get('code'), null, value);
      assert.equal(target.searchParams.get('error'), 'invalid_request', value);
    }
  });

  it('AZ-06 state comes back byte for byte', async () => {
    const state = 'a+b/c=d&e?f%20g';
    const { callback } = await obtainCode(suite, params({ state }), as(patient));
    assert.equal(callback.searchParams.get('state'), state);
  });

  it('OIDC-08 prompt=none without a session: login_required at the redirect URI, no page', async () => {
    const jar = new CookieJar();
    const started = await startAuthorization(suite, jar, params({ prompt: 'none', state: 'st-none' }));
    assert.equal(started.reply.status, 303, 'no page is shown');
    assert.ok(started.callback, `straight back to the client: ${started.reply.headers.get('location')}`);
    const target = started.callback;
    assert.equal(`${target.origin}${target.pathname}`, CALLBACK);
    assert.equal(target.searchParams.get('error'), 'login_required');
    assert.equal(target.searchParams.get('state'), 'st-none');
  });

  it('BCP-12 the login form answers 303, never 307', async () => {
    const jar = new CookieJar();
    const started = await startAuthorization(suite, jar, params());
    const page = await browse(suite, jar, started.interaction!);
    const login = await postForm(suite, jar, `${started.interaction}/login`, { csrf: csrfOf(page.text), username: patient.username, password: patient.password });
    assert.equal(login.status, 303);
  });

  it('OIDC-07 at_hash is the left half of SHA-256 of the access token; OIDC-05 the ID token is RS256 with a published kid', async () => {
    const { tokens } = await launch({}, as(patient));
    const idToken = tokens.json.id_token as string;
    const digest = createHash('sha256').update(tokens.json.access_token as string, 'ascii').digest();
    assert.equal(decodeJwt(idToken).at_hash, digest.subarray(0, 16).toString('base64url'));
    const header = decodeProtectedHeader(idToken);
    assert.equal(header.alg, 'RS256');
    const jwks = await call(suite, '/jwks');
    assert.ok((jwks.json.keys as Array<{ kid: string }>).some((k) => k.kid === header.kid));
  });

  it('OIDC-10 the ID token of a refresh keeps iss, sub, aud, azp and auth_time, with a new iat', async () => {
    const { tokens } = await launch({ scope: 'launch/patient openid fhirUser offline_access patient/*.rs' }, as(patient));
    const first = decodeJwt(tokens.json.id_token as string);
    await new Promise((r) => setTimeout(r, 1100)); // iat has one-second resolution
    const refreshed = await tokenRequest(suite, { grant_type: 'refresh_token', refresh_token: tokens.json.refresh_token as string }, { authorization: appAuth() });
    assert.equal(refreshed.status, 200, refreshed.text);
    const second = decodeJwt(refreshed.json.id_token as string);
    for (const claim of ['iss', 'sub', 'aud', 'azp', 'auth_time'] as const) assert.deepEqual(second[claim], first[claim], claim);
    assert.ok(second.iat! > first.iat!, 'a new iat');
    assert.equal(second.nonce, undefined, 'no nonce on refresh');
  });

  it('JAT-04 an ID token is not an access token: userinfo answers 401 and introspection inactive', async () => {
    const { tokens } = await launch({}, as(patient));
    const userinfo = await call(suite, '/userinfo', { headers: { authorization: bearer(tokens.json.id_token as string) } });
    assertOAuthError(userinfo, 401, 'invalid_token');
    await assertInactive(introspect(suite, tokens.json.id_token as string, adminAuth()));
  });

  it('BCP-17 an access token in the query string is not accepted', async () => {
    const { tokens } = await launch({}, as(patient));
    const reply = await call(suite, `/userinfo?access_token=${encodeURIComponent(tokens.json.access_token as string)}`);
    assertOAuthError(reply, 401, 'invalid_token');
  });

  it('RF-03 a refresh token is bound to its client', async () => {
    const other = await register(suite, { client_name: 'Other', redirect_uris: [CALLBACK], token_endpoint_auth_method: 'client_secret_basic', grant_types: ['authorization_code', 'refresh_token'], scope: APP_SCOPE });
    const { tokens } = await launch({ scope: 'launch/patient openid offline_access patient/*.rs' }, as(patient));
    const stolen = await tokenRequest(suite, { grant_type: 'refresh_token', refresh_token: tokens.json.refresh_token as string }, { authorization: basicAuth(other.client_id, other.client_secret!) });
    assertOAuthError(stolen, 400, 'invalid_grant');
    const own = await tokenRequest(suite, { grant_type: 'refresh_token', refresh_token: tokens.json.refresh_token as string }, { authorization: appAuth() });
    assert.equal(own.status, 200, 'still usable by its own client');
  });

  it('REV-04 revoking a refresh token makes the access tokens of its grant inactive, and the refresh grant fails', async () => {
    const { tokens } = await launch({ scope: 'launch/patient openid offline_access patient/*.rs' }, as(patient));
    await assertActive(introspect(suite, tokens.json.access_token as string, adminAuth()));
    const revoked = await revoke(suite, tokens.json.refresh_token as string, appAuth(), { token_type_hint: 'refresh_token' });
    assert.equal(revoked.status, 200);
    await assertInactive(introspect(suite, tokens.json.access_token as string, adminAuth()));
    const refresh = await tokenRequest(suite, { grant_type: 'refresh_token', refresh_token: tokens.json.refresh_token as string }, { authorization: appAuth() });
    assertOAuthError(refresh, 400, 'invalid_grant');
  });

  it('TK-07 access tokens of a launch live at most an hour; BS-02 backend tokens at most five minutes, without a refresh token', async () => {
    const { tokens } = await launch({}, as(patient));
    assert.ok((tokens.json.expires_in as number) <= 3600);
    const machine = await machineClient(suite, 'system/Patient.rs');
    const backend = await tokenRequest(suite, { grant_type: 'client_credentials' }, { authorization: basicAuth(machine.client_id, machine.client_secret!) });
    assert.equal(backend.status, 200);
    assert.ok((backend.json.expires_in as number) <= 300);
    assert.equal(backend.json.refresh_token, undefined);
  });

  it('D-05 every scope in scopes_supported is accepted at /authorize by a client registered for it', async () => {
    const smart = (await call(suite, '/.well-known/smart-configuration')).json;
    // `system/…` and `introspect` are client_credentials scopes (trust tiers): no person grants them at /authorize.
    const supported = (smart.scopes_supported as string[]).filter((s) => !s.startsWith('system/') && s !== 'introspect');
    const wide = await register(suite, { client_name: 'Every scope', redirect_uris: [CALLBACK], token_endpoint_auth_method: 'client_secret_basic', grant_types: ['authorization_code', 'refresh_token'], scope: supported.join(' ') });
    const { jar } = await launch({}, as(patient));
    for (const scope of supported) {
      // `launch` alone needs the EHR's launch parameter: it is requested the EHR way (the signed-in patient's own record).
      const extra = scope === 'launch' ? { launch: await ehrLaunch({ patient: 'pt-conf' }) } : {};
      const started = await startAuthorization(suite, jar.clone(), { client_id: wide.client_id, redirect_uri: CALLBACK, scope, ...extra });
      const location = started.reply.headers.get('location') ?? '';
      // Accepted: on to a page (consent for this new client), never an error back to the client.
      assert.ok(started.interaction ?? started.callback?.searchParams.get('code'), `${scope} was refused: ${location}`);
    }
  });

  it('D-05 management_endpoint: a person sees the applications they allowed and takes access back; its tokens stop at once, and nobody else can take theirs', async () => {
    const smart = (await call(suite, '/.well-known/smart-configuration')).json;
    assert.equal(smart.management_endpoint, `${suite.issuer}/account`);
    const mine = await launch({ scope: 'launch/patient openid fhirUser offline_access patient/*.rs' }, as(patient));
    const theirs = await launch({ scope: 'launch/patient openid fhirUser offline_access patient/*.rs' }, as(practitioner, { patient: 'pt-c1' }));
    const myGrant = String(decodeJwt(mine.tokens.json.access_token as string).grant_id);
    const theirGrant = String(decodeJwt(theirs.tokens.json.access_token as string).grant_id);

    // Signed in from the launch: the page lists the person's own grants only.
    const page = await browse(suite, mine.jar, '/account');
    assert.equal(page.status, 200, page.text.slice(0, 300));
    assert.match(page.text, /Conformance App/);
    assert.match(page.text, new RegExp(`/account/grants/${myGrant}/revoke`));
    assert.doesNotMatch(page.text, new RegExp(theirGrant), "someone else's grant is not shown");
    const csrf = csrfOf(page.text);
    // Someone else's grant id posted by this person: nothing happens to it.
    await postForm(suite, mine.jar, `/account/grants/${theirGrant}/revoke`, { csrf });
    await assertActive(introspect(suite, theirs.tokens.json.access_token as string, adminAuth()));
    // Their own: gone at once, refresh included.
    const revoked = await postForm(suite, mine.jar, `/account/grants/${myGrant}/revoke`, { csrf });
    assert.equal(revoked.status, 303);
    await assertInactive(introspect(suite, mine.tokens.json.access_token as string, adminAuth()));
    assertOAuthError(await tokenRequest(suite, { grant_type: 'refresh_token', refresh_token: mine.tokens.json.refresh_token as string }, { authorization: appAuth() }), 400, 'invalid_grant');
    const after = await browse(suite, mine.jar, '/account?revoked=1');
    assert.doesNotMatch(after.text, new RegExp(`/account/grants/${myGrant}/revoke`));
    // A form without the page's anti-CSRF token does nothing.
    const forged = await postForm(suite, theirs.jar, `/account/grants/${theirGrant}/revoke`, { csrf: 'x'.repeat(32) });
    assert.equal(forged.status, 403);
    await assertActive(introspect(suite, theirs.tokens.json.access_token as string, adminAuth()));
    // Nobody signed in: the sign-in page.
    const anonymous = await browse(suite, new CookieJar(), '/account');
    assert.equal(anonymous.status, 200);
    assert.match(anonymous.text, /action="\/account\/login"/);
  });

  it('DCR-05 a requested client_id of the form of a user sub is refused; a server-chosen one never has it', async () => {
    const refused = await postRegistration(suite, { client_name: 'Impostor', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', client_id: patient.id });
    assertOAuthError(refused, 400, 'invalid_client_metadata');
    const chosen = await machineClient(suite);
    assert.doesNotMatch(chosen.client_id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
    assert.notEqual(chosen.client_id, patient.id);
  });

  it('AZ-01 a POSTed authorization request (form) is answered like a GET one, with a code', async () => {
    const jar = new CookieJar();
    await launch({}, as(patient), jar);
    const { verifier, challenge } = pkcePair();
    const fields = { response_type: 'code', client_id: app.client_id, redirect_uri: CALLBACK, scope: 'launch/patient openid fhirUser patient/*.rs', aud: suite.fhirBaseUrl, state: 'st-post', code_challenge: challenge, code_challenge_method: 'S256' };
    const posted = await postForm(suite, jar, '/authorize', fields);
    assert.equal(posted.status, 303);
    // Signed in, consent given: straight back with the code, as a GET would be.
    const callback = new URL(posted.headers.get('location')!);
    assert.equal(callback.searchParams.get('state'), 'st-post');
    const tokens = await exchange(suite, app, callback.searchParams.get('code')!, verifier);
    assert.equal(tokens.status, 200, tokens.text);
    assert.equal(tokens.json.patient, 'pt-conf');
  });

  it('INT-01 introspection accepts each advertised client authentication (client_secret_basic, client_secret_post) and a Bearer token; REV-01 a public client revokes with its client_id', async () => {
    const oidcDoc = (await call(suite, '/.well-known/openid-configuration')).json;
    const methods = oidcDoc.introspection_endpoint_auth_methods_supported as string[];
    assert.ok(methods.includes('client_secret_basic') && methods.includes('client_secret_post'), methods.join(' '));
    const { tokens } = await launch({}, as(patient));
    const accessToken = tokens.json.access_token as string;
    await assertActive(introspect(suite, accessToken, appAuth()), 'client_secret_basic');
    const post = await register(suite, { client_name: 'Post RS', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_post', scope: 'introspect' });
    await assertActive(form(suite, '/introspect', { token: accessToken, client_id: post.client_id, client_secret: post.client_secret! }), 'client_secret_post');
    const rsToken = (await tokenRequest(suite, { grant_type: 'client_credentials', scope: 'introspect', client_id: post.client_id, client_secret: post.client_secret! })).json.access_token as string;
    await assertActive(introspect(suite, accessToken, bearer(rsToken)), 'Bearer');
    assertOAuthError(await introspect(suite, accessToken), 401, 'invalid_client');

    const publicApp = await register(suite, { client_name: 'Public', redirect_uris: [CALLBACK], token_endpoint_auth_method: 'none', grant_types: ['authorization_code'], scope: 'launch/patient openid patient/*.rs' });
    const { code, verifier } = await obtainCode(suite, { client_id: publicApp.client_id, redirect_uri: CALLBACK, scope: 'launch/patient openid patient/*.rs' }, as(patient));
    const own = await tokenRequest(suite, { grant_type: 'authorization_code', client_id: publicApp.client_id, code, redirect_uri: CALLBACK, code_verifier: verifier });
    assert.equal(own.status, 200, own.text);
    assert.equal((await form(suite, '/revoke', { token: own.json.access_token as string, client_id: publicApp.client_id })).status, 200);
    await assertInactive(introspect(suite, own.json.access_token as string, adminAuth()));
  });

  it('BCP-16 forwarded headers from the outside are not trusted: the issuer and endpoints stay the configured ones', async () => {
    const headers = { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https', forwarded: 'host=evil.example;proto=https', host: new URL(suite.baseUrl).host };
    for (const path of ['/.well-known/smart-configuration', '/.well-known/openid-configuration']) {
      const doc = (await call(suite, path, { headers })).json;
      assert.equal(doc.issuer, suite.issuer);
      assert.equal(doc.token_endpoint, `${suite.issuer}/token`);
    }
    const started = await startAuthorization(suite, new CookieJar(), params({ scope: 'not-a-scope' }));
    assert.doesNotMatch(started.reply.headers.get('location') ?? '', /evil\.example/);
  });

  it('TK-03 the code exchange and the refresh answer with Cache-Control: no-store and Pragma: no-cache', async () => {
    const { tokens } = await launch({ scope: 'launch/patient openid offline_access patient/*.rs' }, as(patient));
    const refreshed = await tokenRequest(suite, { grant_type: 'refresh_token', refresh_token: tokens.json.refresh_token as string }, { authorization: appAuth() });
    assert.equal(refreshed.status, 200, refreshed.text);
    for (const [what, reply] of [['code exchange', tokens], ['refresh', refreshed]] as const) {
      assert.match(reply.headers.get('cache-control') ?? '', /no-store/i, what);
      assert.match(reply.headers.get('pragma') ?? '', /no-cache/i, what);
    }
  });

  it('BCP-14 no CORS on the authorization endpoint or its pages', async () => {
    const origin = { origin: 'https://x.test' };
    const started = await startAuthorization(suite, new CookieJar(), params());
    for (const reply of [
      await call(suite, `/authorize?client_id=${app.client_id}`, { headers: origin }),
      await call(suite, '/authorize', { method: 'OPTIONS', headers: { ...origin, 'access-control-request-method': 'POST' } }),
      await call(suite, started.interaction!, { headers: origin }),
    ]) {
      assert.equal(reply.headers.get('access-control-allow-origin'), null, `${reply.status}`);
    }
  });

  it('PAR-01 discovery advertises pushed authorization requests (the flows: par.test); DPOP-01 dpop_signing_alg_values_supported everywhere, and an invalid DPoP proof gets no token (the flows: dpop.test)', async () => {
    for (const path of ['/.well-known/smart-configuration', '/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
      const doc = (await call(suite, path)).json;
      assert.equal(doc.pushed_authorization_request_endpoint, `${suite.issuer}/par`, path);
      assert.equal(doc.require_pushed_authorization_requests, false, path);
      assert.deepEqual(doc.dpop_signing_alg_values_supported, ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'], path);
    }
    const machine = await machineClient(suite, 'system/Patient.rs');
    const reply = await tokenRequest(suite, { grant_type: 'client_credentials' }, { authorization: basicAuth(machine.client_id, machine.client_secret!), dpop: 'eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2In0.e30.c2ln' });
    assertOAuthError(reply, 400, 'invalid_dpop_proof');
  });
  it('AZ-10 a code redeemed after its lifetime gets 400 invalid_grant (codes live at most 60 s)', async () => {
    // AUTHORIZATION_CODE_TTL_SECONDS is 60 by default and cannot be configured higher.
    if (suite.databaseUrl) {
      // The stored lifetime is at most 60 s; the row is then backdated past it instead of waiting a minute.
      const pg = (await import('pg')).default;
      const db = new pg.Client({ connectionString: suite.databaseUrl });
      await db.connect();
      try {
        const codeHash = createHash('sha256').update(staleCode.code).digest('hex');
        const { rows } = await db.query<{ expires_at: Date }>('SELECT expires_at FROM authorization_code WHERE code_hash = $1', [codeHash]);
        assert.equal(rows.length, 1, 'the code is stored by its SHA-256');
        assert.ok(rows[0]!.expires_at.getTime() <= staleCode.issuedAt + 60_000 + 1_000, `expires ${rows[0]!.expires_at.toISOString()}, at most 60 s after it was issued`);
        await db.query(`UPDATE authorization_code SET expires_at = now() - interval '1 second' WHERE code_hash = $1`, [codeHash]);
      } finally {
        await db.end();
      }
    } else {
      // The embedded suite hands over no database: wait the lifetime out.
      const wait = staleCode.issuedAt + 61_000 - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    assertOAuthError(await exchange(suite, app, staleCode.code, staleCode.verifier), 400, 'invalid_grant');
  });
});

describe('CONFORMANCE.md checks in a real browser', { skip: browserUnavailable() }, () => {
  let suite: RunningSuite & { owned: boolean };
  let browser: Browser;
  let testApp: TestApp;
  let patient: TestUser;
  let client: RegisteredClient;
  let config: oidc.Configuration;

  before(async () => {
    suite = await sharedSuite();
    browser = await launchBrowser();
    testApp = await TestApp.start();
    const admin = await adminToken(suite);
    patient = await createUser(suite, admin, { fhirUser: 'Patient/pt-granular', display_name: 'Gran Ular' });
    client = await register(suite, {
      client_name: 'Granular App',
      redirect_uris: [testApp.callback],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'launch/patient openid fhirUser offline_access patient/Patient.rs patient/Observation.rs patient/Condition.rs',
    });
    config = await oidc.discovery(new URL(suite.issuer), client.client_id, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
  });
  after(async () => {
    await browser?.close();
    await testApp?.close();
    if (suite?.owned) await suite.stop();
  });

  it('SC-04 category sub-scopes are individually grantable: the person shares only lab results and the problem list', async () => {
    const page = await (await newContext(browser)).newPage();
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const requested = 'launch/patient openid fhirUser offline_access patient/Patient.rs patient/Observation.rs patient/Condition.rs';
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: testApp.callback,
      scope: requested,
      aud: suite.fhirBaseUrl,
      state,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    await page.goto(url.href);
    await signIn(page, patient.username, patient.password);
    // The whole types are offered ticked; their categories one by one, unticked, each its own choice.
    for (const whole of ['patient/Observation.rs', 'patient/Condition.rs']) assert.equal(await page.locator(`input[type="checkbox"][value="${whole}"]`).isChecked(), true, whole);
    for (const narrow of [LAB, VITALS, PROBLEMS]) {
      const box = page.locator(`input[type="checkbox"][value="${narrow}"]`);
      assert.equal(await box.count(), 1, `${narrow} offered`);
      assert.equal(await box.isChecked(), false, `${narrow} unticked at first`);
      assert.equal(await box.isDisabled(), false, `${narrow} can be ticked`);
    }
    assert.match(await page.content(), /lab results only/);
    await page.locator(`input[type="checkbox"][value="${LAB}"]`).check();
    await page.locator(`input[type="checkbox"][value="${PROBLEMS}"]`).check();
    await allow(page, ['patient/Observation.rs', 'patient/Condition.rs']);
    const callback = await testApp.landed(page);
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
    // Exactly what stayed ticked (G10 granular selection: no resource-level Observation or Condition scope).
    assert.deepEqual(scopes(tokens.scope), scopes(`launch/patient openid fhirUser offline_access patient/Patient.rs ${LAB} ${PROBLEMS}`));
    for (const type of ['Observation', 'Condition']) {
      assert.equal(String(tokens.scope).split(' ').some((s) => new RegExp(`${type}\\.(\\*|read|c?ru?d?s?)$`).test(s)), false, `no resource-level ${type} scope`);
    }
    // The narrowed grant survives a refresh unchanged.
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    assert.deepEqual(scopes(refreshed.scope), scopes(tokens.scope));
  });
});

