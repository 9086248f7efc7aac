import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import type { Browser } from 'playwright-core';
import { sharedSuite, type RunningSuite } from '#testing';
import { allow, browserUnavailable, launchBrowser, newContext, signIn, TestApp } from './support/browser.js';
import { assertOAuthError, basicAuth, call, introspect, machineClient, register, tokenFor, tokenRequest } from './support/http.js';
import { adminToken, createUser, type TestUser } from './support/people.js';

describe('grant administration: an admin sees what a person granted and revokes it', { skip: browserUnavailable() }, () => {
  let suite: RunningSuite & { owned: boolean };
  let browser: Browser;
  let app: TestApp;
  let admin: string;
  let person: TestUser;
  let config: oidc.Configuration;
  let clientId: string;
  const authHeader = (token: string) => ({ authorization: `Bearer ${token}` });

  before(async () => {
    suite = await sharedSuite();
    browser = await launchBrowser();
    app = await TestApp.start();
    admin = await adminToken(suite);
    person = await createUser(suite, admin, { fhirUser: 'Patient/pt-grant', display_name: 'Gia Grant' });
    const client = await register(suite, {
      client_name: 'Grant Test App',
      redirect_uris: [app.callback],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'launch/patient openid offline_access patient/*.rs',
    });
    clientId = client.client_id;
    config = await oidc.discovery(new URL(suite.issuer), clientId, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    if (suite?.owned) await suite.stop();
  });

  async function launch(page: import('playwright-core').Page, expectConsent: boolean) {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: app.callback,
      scope: 'launch/patient openid offline_access patient/*.rs',
      aud: suite.fhirBaseUrl,
      state,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    await page.goto(url.href);
    if (!app.isOn(page) && (await page.getByLabel(/username/i).count()) > 0) await signIn(page, person.username, person.password);
    if (expectConsent) {
      assert.equal(app.isOn(page), false, 'the consent page is shown');
      await allow(page);
    }
    return oidc.authorizationCodeGrant(config, await app.landed(page), { pkceCodeVerifier: verifier, expectedState: state, idTokenExpected: true });
  }

  it('lists the grant, revokes it: its tokens go inactive, refresh fails, and the remembered consent is forgotten', async () => {
    const page = await (await newContext(browser)).newPage();
    const tokens = await launch(page, true);
    const listed = await call(suite, `/admin/grants?user_id=${person.id}&client_id=${clientId}`, { headers: authHeader(admin) });
    assert.equal(listed.status, 200, listed.text);
    const grants = listed.json.grants as Array<Record<string, unknown>>;
    assert.equal(grants.length, 1);
    assert.equal(grants[0]!.patient, 'pt-grant');
    assert.equal(grants[0]!.scope, 'launch/patient openid offline_access patient/*.rs');
    const grantId = grants[0]!.id as string;

    const revoked = await call(suite, `/admin/grants/${grantId}`, { method: 'DELETE', headers: authHeader(admin) });
    assert.equal(revoked.status, 204);
    assert.deepEqual((await introspect(suite, tokens.access_token, basicAuth(suite.adminClientId, suite.adminClientSecret))).json, { active: false });
    const refresh = await tokenRequest(suite, { grant_type: 'refresh_token', client_id: clientId, refresh_token: tokens.refresh_token! });
    assertOAuthError(refresh, 400, 'invalid_grant');
    const shown = await call(suite, `/admin/grants/${grantId}`, { headers: authHeader(admin) });
    assert.equal(shown.json.revoke_reason, 'admin');

    // Same browser session: no login, but consent is asked again.
    const again = await launch(page, true);
    assert.equal((await introspect(suite, again.access_token, basicAuth(suite.adminClientId, suite.adminClientSecret))).json.active, true);
  });

  it('filters by patient, shows when a grant was last used, and revokes every grant of a client at once', async () => {
    const page = await (await newContext(browser)).newPage();
    const tokens = await launch(page, false); // the previous test ended with a fresh consent
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    const byPatient = await call(suite, `/admin/grants?patient=pt-grant&client_id=${clientId}`, { headers: authHeader(admin) });
    const live = (byPatient.json.grants as Array<Record<string, unknown>>).filter((g) => !g.revoked_at);
    assert.equal(live.length, 2, 'the one from the previous test and this one');
    assert.equal(typeof live[0]!.last_used_at, 'string', 'newest first; its refresh is the last use');
    assert.equal(((await call(suite, '/admin/grants?patient=nobody', { headers: authHeader(admin) })).json.grants as unknown[]).length, 0);

    const all = await call(suite, `/admin/clients/${clientId}/revoke-all`, { method: 'POST', headers: authHeader(admin) });
    assert.equal(all.status, 200, all.text);
    assert.equal(all.json.revoked_grants, 2);
    assert.deepEqual((await introspect(suite, refreshed.access_token, basicAuth(suite.adminClientId, suite.adminClientSecret))).json, { active: false });
    assertOAuthError(await tokenRequest(suite, { grant_type: 'refresh_token', client_id: clientId, refresh_token: refreshed.refresh_token! }), 400, 'invalid_grant');
    // The trail names the administrator: the admin token's client, on each grant.revoked (and on the DELETE of the previous test).
    let actors: unknown[] = [];
    for (const deadline = Date.now() + 15_000; actors.length < 3 && Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
      const trail = await call(suite, `/admin/audit?type=grant.revoked&client_id=${clientId}&limit=100`, { headers: authHeader(admin) });
      assert.equal(trail.status, 200, trail.text);
      actors = (trail.json.events as Array<{ event: { data: { reason: string; actor?: string } } }>).filter((e) => e.event.data.reason === 'admin').map((e) => e.event.data.actor);
    }
    assert.deepEqual(actors, Array(3).fill(`client:${suite.adminClientId}`));
    const machine = await machineClient(suite);
    assertOAuthError(await call(suite, `/admin/clients/${clientId}/revoke-all`, { method: 'POST', headers: authHeader(await tokenFor(suite, machine)) }), 403, 'insufficient_scope');
  });

  it('the administration page: an administrator signs in, sees the grant and revokes it; others cannot sign in', async () => {
    const siteAdmin = await createUser(suite, admin, { fhirUser: 'Practitioner/pr-site-admin', display_name: 'Site Admin' });
    const promoted = await call(suite, `/admin/users/${siteAdmin.id}`, { method: 'PATCH', headers: { ...authHeader(admin), 'content-type': 'application/json' }, body: '{"admin":true}' });
    assert.equal(promoted.json.admin, true);
    const appPage = await (await newContext(browser)).newPage();
    const tokens = await launch(appPage, true);

    const page = await (await newContext(browser)).newPage();
    await page.goto(`${suite.issuer}/admin`);
    await signIn(page, person.username, person.password);
    assert.match(await page.locator('[role="alert"]').innerText(), /incorrect|may not administer/, 'a person without the admin flag is refused');
    await signIn(page, siteAdmin.username, siteAdmin.password);
    await page.waitForSelector('table.grants');
    const row = page.locator('tr', { hasText: 'Grant Test App' }).filter({ hasText: person.username });
    assert.equal(await row.count(), 1);
    if (process.env.E2E_SCREENSHOTS === '1') await page.screenshot({ path: 'docs/screenshots/admin-grants.png', fullPage: true });
    await row.getByRole('button', { name: /Revoke/ }).click();
    await page.waitForSelector('[role="status"]');
    assert.equal(await page.locator('tr', { hasText: 'Grant Test App' }).filter({ hasText: person.username }).count(), 0);
    assert.deepEqual((await introspect(suite, tokens.access_token, basicAuth(suite.adminClientId, suite.adminClientSecret))).json, { active: false });

    // Forms without the page's token are refused.
    const forged = await call(suite, '/admin/grants/00000000-0000-0000-0000-000000000000/revoke', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'csrf=x' });
    assert.equal(forged.status, 403);
  });

  it('is for admins only, and unknown grants are 404', async () => {
    const machine = await machineClient(suite);
    const notAdmin = await call(suite, '/admin/grants', { headers: authHeader(await tokenFor(suite, machine)) });
    assertOAuthError(notAdmin, 403, 'insufficient_scope');
    const anonymous = await call(suite, '/admin/grants');
    assertOAuthError(anonymous, 401, 'invalid_token');
    const unknown = await call(suite, '/admin/grants/00000000-0000-0000-0000-000000000000', { headers: authHeader(admin) });
    assert.equal(unknown.status, 404);
  });
});
