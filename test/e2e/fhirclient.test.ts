// SMART's own JavaScript client (npm `fhirclient`, the browser bundle) in Chromium, against the suite: a
// standalone launch (FHIR.oauth2.authorize, sign-in, consent, FHIR.oauth2.ready), an EHR launch (POST /launch,
// then the app's launch page opened with `iss` and `launch`), and client.refresh() with fhirclient's defaults for
// a public client, which sends grant_type and refresh_token only: no client_id (RFC 6749 §6). There is no FHIR
// server behind the suite's FHIR base (only its /.well-known/smart-configuration), so no FHIR resource is read:
// the assertions are on the token response fhirclient holds.
//
// POST /launch is called with the bootstrap admin client's token (scope `admin`).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page, Request } from 'playwright-core';
import { sharedSuite, type RunningSuite } from '#testing';
import { allow, browserUnavailable, launchBrowser, newContext, signIn } from './support/browser.js';
import { FhirclientApp } from './support/fhirclient-app.js';
import { bearer, call, register, type RegisteredClient } from './support/http.js';
import { adminToken, createUser, type TestUser } from './support/people.js';

const skip = browserUnavailable();
const STANDALONE_SCOPE = 'launch/patient openid fhirUser offline_access patient/*.rs';
const EHR_SCOPE = 'launch openid fhirUser offline_access patient/*.rs';

describe('fhirclient (SMART JavaScript client) in Chromium', { skip }, () => {
  let suite: RunningSuite & { owned: boolean };
  let browser: Browser;
  let app: FhirclientApp;
  let admin: string;
  let client: RegisteredClient;
  let patientUser: TestUser;
  let practitioner: TestUser;

  before(async () => {
    suite = await sharedSuite();
    browser = await launchBrowser();
    app = await FhirclientApp.start(suite.fhirBaseUrl, { standalone: STANDALONE_SCOPE, ehr: EHR_SCOPE });
    admin = await adminToken(suite);
    patientUser = await createUser(suite, admin, { fhirUser: 'Patient/pt-fhirclient', display_name: 'Fern Client' });
    practitioner = await createUser(suite, admin, { fhirUser: 'Practitioner/pr-fhirclient', display_name: 'Dr. Client', patients: [{ id: 'pt-fc-ehr', name: 'Eve Hr' }] });
    client = await register(suite, {
      client_name: 'fhirclient test app',
      redirect_uris: [`${app.origin}/app.html`],
      launch_uri: `${app.origin}/launch.html`,
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      scope: 'launch launch/patient openid fhirUser offline_access patient/*.rs',
    });
    app.clientId = client.client_id;
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    if (suite?.owned) await suite.stop();
  });

  /** The token requests the page sends: body and whether an Authorization header came with it. */
  function tokenRequests(page: Page): Array<{ body: URLSearchParams; authorization: string | undefined }> {
    const seen: Array<{ body: URLSearchParams; authorization: string | undefined }> = [];
    page.on('request', (request: Request) => {
      if (request.method() === 'POST' && request.url() === `${suite.issuer}/token`) {
        seen.push({ body: new URLSearchParams(request.postData() ?? ''), authorization: request.headers()['authorization'] });
      }
    });
    return seen;
  }

  it('standalone launch: authorize, sign in, consent, ready(); then client.refresh() without client_id rotates the refresh token', async () => {
    const page = await (await newContext(browser)).newPage();
    const sent = tokenRequests(page);
    await page.goto(`${app.origin}/standalone.html`);
    await page.waitForURL((url) => url.origin === new URL(suite.issuer).origin, { timeout: 15_000 });
    assert.match(await page.title(), /sign in/i);
    await signIn(page, patientUser.username, patientUser.password);
    await allow(page);
    const ready = await app.outcome(page);
    assert.equal(ready.error, undefined, ready.error);
    assert.equal(ready.clientId, client.client_id);
    assert.equal(ready.patientId, 'pt-fhirclient');
    const first = ready.tokenResponse!;
    assert.equal(first.patient, 'pt-fhirclient');
    assert.equal(first.fhirUser, `${suite.fhirBaseUrl}/Patient/pt-fhirclient`);
    assert.deepEqual(String(first.scope).split(' ').sort(), STANDALONE_SCOPE.split(' ').sort());
    assert.equal(typeof first.refresh_token, 'string');
    assert.equal(typeof first.id_token, 'string');
    // The code exchange of a public client: client_id and the PKCE verifier (fhirclient's pkceMode "ifSupported").
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.body.get('grant_type'), 'authorization_code');
    assert.equal(sent[0]!.body.get('client_id'), client.client_id);
    assert.ok(sent[0]!.body.get('code_verifier'));

    const refreshed = (await page.evaluate('window.smartClient.refresh().then(function (state) { return state.tokenResponse; })')) as Record<string, unknown>;
    assert.equal(sent.length, 2);
    assert.equal(sent[1]!.body.get('grant_type'), 'refresh_token');
    assert.equal(sent[1]!.body.has('client_id'), false, "fhirclient's default refresh of a public client names no client");
    assert.equal(sent[1]!.authorization, undefined);
    assert.equal(typeof refreshed.access_token, 'string');
    assert.notEqual(refreshed.access_token, first.access_token);
    assert.equal(typeof refreshed.refresh_token, 'string');
    assert.notEqual(refreshed.refresh_token, first.refresh_token, 'rotated');
    assert.equal(refreshed.patient, 'pt-fhirclient');
    assert.deepEqual(String(refreshed.scope).split(' ').sort(), STANDALONE_SCOPE.split(' ').sort());
    // fhirclient keeps the rotated token for its next refresh: a second refresh works too.
    const again = (await page.evaluate('window.smartClient.refresh().then(function (state) { return state.tokenResponse; })')) as Record<string, unknown>;
    assert.notEqual(again.refresh_token, refreshed.refresh_token);
    assert.equal(sent[2]!.body.get('refresh_token'), refreshed.refresh_token);
  });

  it('EHR launch: the EHR creates the launch with POST /launch and opens the launch page with iss and launch; ready() holds the EHR context', async () => {
    const created = await call(suite, '/launch', {
      method: 'POST',
      headers: { authorization: bearer(admin), 'content-type': 'application/json' },
      body: JSON.stringify({ patient: 'pt-fc-ehr', encounter: 'enc-fc', user: practitioner.username, client_id: client.client_id }),
    });
    assert.equal(created.status, 201, created.text);
    const page = await (await newContext(browser)).newPage();
    const sent = tokenRequests(page);
    await page.goto(`${app.origin}/launch.html?iss=${encodeURIComponent(suite.fhirBaseUrl)}&launch=${encodeURIComponent(created.json.launch as string)}`);
    await page.waitForURL((url) => url.origin === new URL(suite.issuer).origin, { timeout: 15_000 });
    await signIn(page, practitioner.username, practitioner.password);
    await allow(page); // no patient picker: the EHR chose the patient
    const ready = await app.outcome(page);
    assert.equal(ready.error, undefined, ready.error);
    assert.equal(ready.patientId, 'pt-fc-ehr');
    const tokens = ready.tokenResponse!;
    assert.equal(tokens.encounter, 'enc-fc');
    assert.equal(tokens.need_patient_banner, true);
    assert.equal(tokens.smart_style_url, `${suite.issuer}/smart-style.json`);
    assert.equal(tokens.fhirUser, `${suite.fhirBaseUrl}/Practitioner/pr-fhirclient`);
    assert.ok(String(tokens.scope).split(' ').includes('launch'));

    const refreshed = (await page.evaluate('window.smartClient.refresh().then(function (state) { return state.tokenResponse; })')) as Record<string, unknown>;
    assert.equal(sent.at(-1)!.body.has('client_id'), false);
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token, 'rotated');
    assert.equal(refreshed.patient, 'pt-fc-ehr');
    assert.equal(refreshed.encounter, 'enc-fc');
  });

  it('EHR launch made for another user: fhirclient gets access_denied and no token', async () => {
    const created = await call(suite, '/launch', {
      method: 'POST',
      headers: { authorization: bearer(admin), 'content-type': 'application/json' },
      body: JSON.stringify({ patient: 'pt-fc-ehr', user: practitioner.username }),
    });
    assert.equal(created.status, 201, created.text);
    const page = await (await newContext(browser)).newPage();
    const sent = tokenRequests(page);
    await page.goto(`${app.origin}/launch.html?iss=${encodeURIComponent(suite.fhirBaseUrl)}&launch=${encodeURIComponent(created.json.launch as string)}`);
    await page.waitForURL((url) => url.origin === new URL(suite.issuer).origin, { timeout: 15_000 });
    await signIn(page, patientUser.username, patientUser.password);
    const ready = await app.outcome(page);
    assert.match(ready.error ?? '', /^Error: access_denied/);
    assert.equal(ready.tokenResponse, undefined);
    assert.equal(sent.length, 0, 'no code, so no token request');
  });
});
