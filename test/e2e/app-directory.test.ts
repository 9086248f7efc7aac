import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { sharedSuite, type RunningSuite } from '#testing';
import { browserUnavailable, launchBrowser, newContext, signIn } from './support/browser.js';
import { clientKey, signAssertion } from './support/client-keys.js';
import { obtainCode } from './support/form-flow.js';
import { assertOAuthError, basicAuth, call, eventually, postRegistration, register, seedBulkClient, tokenRequest } from './support/http.js';
import { adminToken, createUser, type TestUser } from './support/people.js';

const SHOTS = process.env.E2E_SCREENSHOTS === '1';

/** Issue #16: the app directory pages under /admin/apps, driven in Debian's Chromium. */
describe('app directory pages: an administrator manages apps in the browser', { skip: browserUnavailable() }, () => {
  let suite: RunningSuite & { owned: boolean };
  let browser: Browser;
  let page: Page;
  let siteAdmin: TestUser;
  const tag = crypto.randomUUID().slice(0, 8);
  const secretToken = (clientId: string, secret: string) => tokenRequest(suite, { grant_type: 'client_credentials' }, { authorization: basicAuth(clientId, secret) });

  before(async () => {
    suite = await sharedSuite();
    browser = await launchBrowser();
    const admin = await adminToken(suite);
    siteAdmin = await createUser(suite, admin, { fhirUser: 'Practitioner/pr-apps-admin', display_name: 'Ada Apps' });
    const promoted = await call(suite, `/admin/users/${siteAdmin.id}`, { method: 'PATCH', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: '{"admin":true}' });
    assert.equal(promoted.json.admin, true);
    page = await (await newContext(browser)).newPage();
  });
  after(async () => {
    await browser?.close();
    if (suite?.owned) await suite.stop();
  });

  it("signs in at /admin/apps and approves the seed's Bulk Client from the list; the client then gets a system/*.rs token", async () => {
    const key = await clientKey('ES384');
    const clientId = `BulkFHIR-${tag}`;
    const registered = await postRegistration(suite, seedBulkClient(clientId, { jwks: { keys: [key.publicJwk] } }));
    assert.equal(registered.status, 201, registered.text);
    const ask = async () =>
      tokenRequest(suite, {
        grant_type: 'client_credentials',
        scope: 'system/*.rs',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: await signAssertion(key, clientId, `${suite.issuer}/token`),
      });
    assertOAuthError(await ask(), 400, 'invalid_scope');

    await page.goto(`${suite.issuer}/admin/apps?status=pending`);
    await signIn(page, siteAdmin.username, siteAdmin.password);
    await page.waitForURL((url) => url.pathname === '/admin/apps');
    await page.getByLabel('Name or client ID').fill(tag);
    await page.getByLabel('Status').selectOption('pending');
    await page.getByRole('button', { name: 'Search' }).click();
    const row = page.locator('tr', { hasText: clientId });
    await row.waitFor();
    assert.match(await row.innerText(), /private_key_jwt[\s\S]*anonymous[\s\S]*pending/);
    if (SHOTS) await page.screenshot({ path: 'docs/screenshots/app-directory-list.png', fullPage: true });
    await row.getByRole('button', { name: /Approve/ }).click();
    await page.waitForSelector('[role="status"]');
    const granted = await ask();
    assert.equal(granted.status, 200, granted.text);
    assert.equal(granted.json.scope, 'system/*.rs');
  });

  it('registers an app with the form, edits it, disables and enables it, rotates its secret', async () => {
    await page.goto(`${suite.issuer}/admin/apps/new`);
    await page.getByLabel('Name', { exact: true }).fill(`Nightly export ${tag}`);
    await page.getByLabel('Client authentication').selectOption('client_secret_basic');
    await page.getByLabel(/Authorization code/).uncheck();
    await page.getByLabel('Refresh token').uncheck();
    await page.getByLabel(/Client credentials/).check();
    await page.getByLabel('Scope').fill('system/Patient.rs');
    await page.getByLabel('Contacts').fill('ops@example.org');
    if (SHOTS) await page.screenshot({ path: 'docs/screenshots/app-directory-register.png', fullPage: true });
    await page.getByRole('button', { name: 'Register' }).click();
    const secrets = page.locator('code.secret');
    await secrets.first().waitFor();
    const clientId = await secrets.nth(0).innerText();
    const firstSecret = await secrets.nth(1).innerText();
    assert.equal((await secretToken(clientId, firstSecret)).status, 200, 'the administrator vouched: usable at once');

    // Edit: a new name is saved; widening the scope waits for approval, the approved part keeps working.
    await page.getByRole('link', { name: "Open the app's page" }).click();
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByLabel('Name', { exact: true }).fill(`Nightly export ${tag} v2`);
    await page.getByLabel('Scope').fill('system/Patient.rs system/Observation.rs');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForSelector('[role="status"]');
    assert.equal(await page.locator('h1').innerText(), `Nightly export ${tag} v2`);
    assert.match(await page.locator('.lead').innerText(), /pending/);
    assert.equal(await page.locator('input[name="privilege"][value="system/Observation.rs"]').count(), 1, 'the added scope waits');
    const narrow = await eventually(() => secretToken(clientId, firstSecret), (r) => r.status === 200 && r.json.scope === 'system/Patient.rs', 'the approved scope still');
    assert.equal(narrow.json.scope, 'system/Patient.rs');
    if (SHOTS) await page.screenshot({ path: 'docs/screenshots/app-directory-detail.png', fullPage: true });

    await page.getByRole('button', { name: 'Disable' }).click();
    await page.waitForSelector('[role="status"]');
    assert.match(await page.locator('.lead').innerText(), /disabled/);
    assertOAuthError(await eventually(() => secretToken(clientId, firstSecret), (r) => r.status === 401, 'refused while disabled'), 401, 'invalid_client');
    await page.getByRole('button', { name: 'Enable' }).click();
    await page.waitForSelector('[role="status"]');
    await eventually(() => secretToken(clientId, firstSecret), (r) => r.status === 200, 'tokens again once enabled');

    await page.getByRole('button', { name: 'Rotate secret' }).click();
    const rotated = await page.locator('#new-secret').innerText();
    assert.notEqual(rotated, firstSecret);
    await eventually(() => secretToken(clientId, firstSecret), (r) => r.status === 401, 'the old secret refused');
    assert.equal((await secretToken(clientId, rotated)).status, 200, 'the new secret works');
    await page.goto(`${suite.issuer}/admin/apps/${clientId}`);
    assert.equal(await page.locator('#new-secret').count(), 0, 'shown once');
    // The trail is written by the audit service from the event stream: it may lag the action by a moment.
    const trail = /client\.secret_rotated[\s\S]*client\.enabled[\s\S]*client\.disabled/;
    let events = await page.locator('table.grants').last().innerText();
    for (const until = Date.now() + 10_000; !trail.test(events) && Date.now() < until; ) {
      await new Promise((r) => setTimeout(r, 250));
      await page.reload();
      events = await page.locator('table.grants').last().innerText();
    }
    assert.match(events, trail, 'audit events, newest first');
    assert.match(events, new RegExp(`user:${siteAdmin.id}`), 'by the signed-in administrator');
  });

  it("revokes every grant of an app from its page; the trail names the administrator", async () => {
    const admin = await adminToken(suite);
    const callback = 'https://revoke-all.example/callback';
    const scope = 'launch/patient openid patient/*.rs';
    const app = await register(suite, { client_name: `Revoke all ${tag}`, redirect_uris: [callback], token_endpoint_auth_method: 'none', grant_types: ['authorization_code'], response_types: ['code'], scope });
    const patient = await createUser(suite, admin, { fhirUser: `Patient/pt-revoke-all-${tag}`, display_name: 'Rory Revoke' });
    await obtainCode(suite, { client_id: app.client_id, redirect_uri: callback, scope }, { username: patient.username, password: patient.password });
    const live = async () => ((await call(suite, `/admin/grants?client_id=${app.client_id}`, { headers: { authorization: `Bearer ${admin}` } })).json.grants as Array<{ revoked_at?: string }>).filter((g) => !g.revoked_at);
    assert.equal((await live()).length, 1);

    await page.goto(`${suite.issuer}/admin/apps/${app.client_id}`);
    await page.getByRole('button', { name: 'Revoke all grants' }).click();
    await page.waitForSelector('[role="status"]');
    assert.equal((await live()).length, 0);
    const revoked = await eventually(
      () => call(suite, `/admin/audit?type=grant.revoked&client_id=${app.client_id}`, { headers: { authorization: `Bearer ${admin}` } }),
      (r) => r.status === 200 && (r.json.events as unknown[]).length === 1,
      'the grant.revoked event in the trail',
    );
    assert.deepEqual(
      (revoked.json.events as Array<{ event: { data: Record<string, unknown> } }>).map((e) => [e.event.data.reason, e.event.data.actor]),
      [['admin', `user:${siteAdmin.id}`]],
    );
  });

  it('shows configuration-managed clients read-only, refuses forms without the anti-CSRF token, and fits a phone', async () => {
    await page.goto(`${suite.issuer}/admin/apps/${suite.adminClientId}`);
    assert.match(await page.locator('[role="note"]').innerText(), /managed by the server configuration/);
    assert.equal(await page.getByRole('button', { name: 'Disable' }).count(), 0);
    const forged = await call(suite, `/admin/apps/${suite.adminClientId}/disable`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'csrf=x' });
    assert.equal(forged.status, 403);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${suite.issuer}/admin/apps?q=${tag}`);
    const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'));
    assert.ok(overflow <= 1, `no sideways scrolling at phone width (${overflow}px)`);
    if (SHOTS) await page.screenshot({ path: 'docs/screenshots/app-directory-phone.png', fullPage: true });
    const anonymous = await call(suite, '/admin/apps');
    assert.equal(anonymous.status, 200);
    assert.match(anonymous.text, /name="return_to" value="\/admin\/apps"/, 'the sign-in page returns to the directory');
  });
});
