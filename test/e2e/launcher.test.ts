// Issue #16: the EHR launcher (the seed's "FHIR Launch" portlet). A practitioner opens /launcher for a patient,
// chooses a SMART app built with SMART's JavaScript client (npm `fhirclient`, browser bundle, served on loopback),
// and the app completes the EHR launch with that patient in context: consent only, no second sign-in. A
// practitioner who may not open the patient gets an error page. An EHR opens the launcher with its own signed
// launch JWT instead of a sign-in (forged, expired and replayed ones are refused). Framing: only EHR_ORIGINS, and
// only the flow and launcher pages. The consent page shows the app's logo and links.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import type { Browser, Page } from 'playwright-core';
import { sharedSuite, startSuite, type RunningSuite } from '#testing';
import { allow, browserUnavailable, launchBrowser, newContext, signIn } from './support/browser.js';
import { clientKey, type ClientKey } from './support/client-keys.js';
import { FhirclientApp } from './support/fhirclient-app.js';
import { browse, CookieJar, formActionOf, startAuthorization } from './support/form-flow.js';
import { bearer, call, register, registerAnonymously, type RegisteredClient } from './support/http.js';
import { adminToken, createUser, type TestUser } from './support/people.js';

const SHOTS = process.env.E2E_SCREENSHOTS === '1';
const EHR_SCOPE = 'launch openid fhirUser patient/*.rs';
/** The app's https logo, served by a Chromium route standing in for the app's logo host (this machine has no network). */
const SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48"><rect width="48" height="48" rx="8" fill="#1d7348"/><polyline points="6,26 16,26 20,14 26,36 31,22 35,26 42,26" fill="none" stroke="#fff" stroke-width="3" stroke-linejoin="round"/></svg>';
const LOGO = 'https://launcher-app.example/logo.svg';

const ticketOf = (html: string) => /name="ticket" value="([^"]+)"/.exec(html)?.[1];

describe('EHR launcher: a practitioner launches a SMART app for a patient', { skip: browserUnavailable() }, () => {
  let suite: RunningSuite & { owned: boolean };
  let browser: Browser;
  let app: FhirclientApp;
  let admin: string;
  let client: RegisteredClient;
  let pending: RegisteredClient;
  let ehr: RegisteredClient;
  let ehrKey: ClientKey;
  let practitioner: TestUser;
  let stranger: TestUser;
  const tag = randomUUID().slice(0, 8);
  const patient = `pt-launcher-${tag}`;
  const appName = `Launcher Chart App ${tag}`;

  const launchJwt = (claims: Record<string, unknown>, options: { key?: ClientKey; exp?: number } = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: (options.key ?? ehrKey).alg, kid: (options.key ?? ehrKey).kid })
      .setIssuer(ehr.client_id)
      .setAudience(suite.issuer)
      .setIssuedAt()
      .setExpirationTime(options.exp ?? Math.floor(Date.now() / 1000) + 120)
      .setJti(randomUUID())
      .sign((options.key ?? ehrKey).privateKey);

  before(async () => {
    suite = await sharedSuite();
    browser = await launchBrowser();
    app = await FhirclientApp.start(suite.fhirBaseUrl, { standalone: EHR_SCOPE, ehr: EHR_SCOPE });
    admin = await adminToken(suite);
    practitioner = await createUser(suite, admin, { fhirUser: `Practitioner/pr-launcher-${tag}`, display_name: 'Dr. Lena Launcher', patients: [{ id: patient, name: 'Paula Portlet' }] });
    stranger = await createUser(suite, admin, { fhirUser: `Practitioner/pr-stranger-${tag}`, display_name: 'Dr. Stranger', patients: [{ id: `pt-other-${tag}`, name: 'Someone Else' }] });
    const metadata = {
      redirect_uris: [`${app.origin}/app.html`],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      scope: EHR_SCOPE,
    };
    // A launch_uri with a query of its own: the launcher adds iss and launch to it.
    client = await register(suite, {
      ...metadata,
      client_name: appName,
      launch_uri: `${app.origin}/launch.html?from=launcher`,
      logo_uri: LOGO,
      client_uri: 'https://launcher-app.example/',
      tos_uri: 'https://launcher-app.example/terms',
      policy_uri: 'https://launcher-app.example/privacy',
    });
    app.clientId = client.client_id;
    // Registered anonymously: its `launch` waits for an administrator, so the launcher does not offer it.
    pending = await registerAnonymously(suite, { ...metadata, client_name: `Pending Launcher App ${tag}`, launch_uri: `${app.origin}/launch.html` });
    ehrKey = await clientKey('ES256');
    ehr = await register(suite, { client_name: `Launcher EHR ${tag}`, grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [ehrKey.publicJwk] }, scope: 'launch' });
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    if (suite?.owned) await suite.stop();
  });

  async function launcherPage(): Promise<Page> {
    const context = await newContext(browser);
    await context.route(`${new URL(LOGO).origin}/**`, (route) => route.fulfill({ status: 200, contentType: 'image/svg+xml', body: SVG }));
    return context.newPage();
  }

  it('sign in at the launcher, choose the app: fhirclient completes the EHR launch with that patient and encounter; consent only, with the app’s logo and links', async () => {
    const page = await launcherPage();
    await page.goto(`${suite.issuer}/launcher?patient=${patient}&encounter=enc-${tag}`);
    assert.match(await page.title(), /sign in/i);
    await signIn(page, practitioner.username, practitioner.password);
    await page.waitForURL((url) => url.pathname === '/launcher' && url.searchParams.get('patient') === patient);
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Launch an app');
    const text = (await page.locator('main').textContent()) ?? '';
    assert.match(text, /Paula Portlet/);
    assert.match(text, new RegExp(appName));
    assert.doesNotMatch(text, /Pending Launcher App/, 'an app whose launch privilege waits for approval is not offered');
    const logo = page.locator('.launcher-app', { hasText: appName }).locator('img.client-logo');
    assert.equal(await logo.getAttribute('src'), LOGO);
    assert.equal(await logo.getAttribute('referrerpolicy'), 'no-referrer');
    if (SHOTS) {
      await page.screenshot({ path: 'docs/screenshots/launcher.png', fullPage: true });
      await page.setViewportSize({ width: 390, height: 844 });
      await page.screenshot({ path: 'docs/screenshots/launcher-phone.png', fullPage: true });
      await page.setViewportSize({ width: 1280, height: 720 });
    }

    await page.getByRole('button', { name: `Launch ${appName}` }).click();
    // fhirclient's launch page, opened with iss and launch (and the launch_uri's own query), goes on to /authorize.
    await page.waitForURL((url) => url.origin === new URL(suite.issuer).origin && url.pathname.startsWith('/interaction/'), { timeout: 15_000 });
    assert.match(await page.title(), /^Allow /, 'the consent page: the practitioner is already signed in');
    const links = Object.fromEntries(await page.locator('.client-links a').evaluateAll((as) => as.map((a) => [a.textContent, a.getAttribute('href')])));
    assert.deepEqual(links, { 'Home page': 'https://launcher-app.example/', 'Terms of service': 'https://launcher-app.example/terms', 'Privacy policy': 'https://launcher-app.example/privacy' });
    assert.equal(await page.locator('.client img.client-logo').getAttribute('src'), LOGO);
    await allow(page);
    const ready = await app.outcome(page);
    assert.equal(ready.error, undefined, ready.error);
    assert.equal(ready.patientId, patient);
    assert.equal(ready.tokenResponse!.patient, patient);
    assert.equal(ready.tokenResponse!.encounter, `enc-${tag}`);
    assert.equal(ready.tokenResponse!.fhirUser, `${suite.fhirBaseUrl}/${practitioner.fhirUser}`);

    // The launch is audited.
    let found: Record<string, unknown> | undefined;
    for (const deadline = Date.now() + 15_000; !found && Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
      const trail = await call(suite, `/admin/audit?type=launch.created&client_id=${client.client_id}&limit=100`, { headers: { authorization: bearer(admin) } });
      assert.equal(trail.status, 200, trail.text);
      found = (trail.json.events as Array<{ event: { data: Record<string, unknown> } }>).map((e) => e.event.data).find((d) => d.patient === patient);
    }
    assert.deepEqual(found, { client_id: client.client_id, user_id: practitioner.id, fhirUser: practitioner.fhirUser, patient, encounter: `enc-${tag}`, launched_by: 'launcher:sign-in' });
  });

  it('a practitioner who may not open the patient gets an error page, never a list', async () => {
    const page = await launcherPage();
    await page.goto(`${suite.issuer}/launcher?patient=${patient}`);
    await signIn(page, stranger.username, stranger.password);
    await page.waitForURL((url) => url.pathname === '/launcher');
    const again = await page.goto(`${suite.issuer}/launcher?patient=${patient}`);
    assert.equal(again?.status(), 403);
    const text = (await page.locator('main').textContent()) ?? '';
    assert.match(text, /access_denied/);
    assert.doesNotMatch(text, new RegExp(appName));
    assert.equal(await page.getByRole('button', { name: /^Launch/ }).count(), 0);
  });

  it('an EHR opens the launcher with its signed launch JWT: no sign-in; the launch goes to launch_uri with iss and launch; forged, expired and replayed JWTs are refused', async () => {
    const jwt = await launchJwt({ user: practitioner.username, fhirUser: practitioner.fhirUser, patient, encounter: `enc-jwt-${tag}` });
    const page = await launcherPage();
    const opened = await page.goto(`${suite.issuer}/launcher?launch_jwt=${jwt}`);
    assert.equal(opened?.status(), 200);
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Launch an app');
    assert.match((await page.locator('main').textContent()) ?? '', /Paula Portlet/);
    assert.equal((await page.context().cookies()).some((c) => c.name === 'smart_session'), false, 'nobody was signed in');

    // The form needs no cookie (an EHR on another site frames it): its ticket stands for the checked context.
    const ticket = ticketOf(await page.content());
    assert.ok(ticket);
    const launched = await fetch(`${suite.issuer}/launcher`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ ticket, client_id: client.client_id }) });
    assert.equal(launched.status, 303);
    const location = new URL(launched.headers.get('location') ?? '');
    assert.equal(`${location.origin}${location.pathname}`, `${app.origin}/launch.html`);
    assert.equal(location.searchParams.get('from'), 'launcher');
    assert.equal(location.searchParams.get('iss'), suite.fhirBaseUrl);
    assert.ok(location.searchParams.get('launch'));
    // EHR_SIGN_IN_TRUSTED is not set here: the EHR's word opened the launcher but signed nobody in, so the app's
    // /authorize with that launch asks the practitioner to sign in (the launch stays bound to them).
    const jar = new CookieJar();
    const started = await startAuthorization(suite, jar, { client_id: client.client_id, redirect_uri: `${app.origin}/app.html`, scope: EHR_SCOPE, launch: location.searchParams.get('launch')! });
    assert.ok(started.interaction, `${started.reply.status} ${started.reply.headers.get('location')}`);
    assert.match(formActionOf((await browse(suite, jar, started.interaction)).text) ?? '', /\/login$/, 'the sign-in page, untrusted');
    // Not an app the launcher offers, a made-up ticket: refused.
    const pendingLaunch = await fetch(`${suite.issuer}/launcher`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ ticket, client_id: pending.client_id }) });
    assert.equal(pendingLaunch.status, 400);
    const forgedTicket = await fetch(`${suite.issuer}/launcher`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ ticket: 'A'.repeat(43), client_id: client.client_id }) });
    assert.equal(forgedTicket.status, 403);

    const refused = async (url: string, status: number, what: string) => {
      const reply = await call(suite, url, { headers: { accept: 'text/html' }, redirect: 'manual' });
      assert.equal(reply.status, status, `${what}: ${reply.text.slice(0, 300)}`);
      assert.doesNotMatch(reply.text, /name="ticket"/, what);
    };
    await refused(`/launcher?launch_jwt=${jwt}`, 400, 'replayed');
    await refused(`/launcher?launch_jwt=${await launchJwt({ user: practitioner.username, patient }, { key: await clientKey('ES256', ehrKey.kid) })}`, 400, 'forged (another key)');
    await refused(`/launcher?launch_jwt=${await launchJwt({ user: practitioner.username, patient }, { exp: Math.floor(Date.now() / 1000) - 300 })}`, 400, 'expired');
    await refused(`/launcher?launch_jwt=${await launchJwt({ patient })}`, 400, 'no practitioner named');
    await refused(`/launcher?launch_jwt=${await launchJwt({ user: stranger.username, patient })}`, 403, 'a practitioner who may not open the patient');
    await refused(`/launcher?launch_jwt=${await launchJwt({ user: practitioner.username, fhirUser: stranger.fhirUser, patient })}`, 403, 'user and fhirUser of different people');
  });

  it('is not frameable without EHR_ORIGINS (frame-ancestors none, X-Frame-Options DENY)', async () => {
    const reply = await call(suite, `/launcher?patient=${patient}`, { headers: { accept: 'text/html' } });
    assert.equal(reply.status, 200);
    assert.match(reply.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    assert.equal(reply.headers.get('x-frame-options'), 'DENY');
  });
});

/** An EHR page on loopback that frames a URL of the suite. */
async function framingPage(): Promise<{ server: Server; origin: string; target: { url: string } }> {
  const target = { url: '' };
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>EHR</title><iframe src="${target.url}" width="600" height="400"></iframe>`));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, target };
}

describe('EHR launcher with EHR_ORIGINS and EHR_SIGN_IN_TRUSTED (embedded suite)', { skip: browserUnavailable() }, () => {
  let suite: RunningSuite;
  let browser: Browser;
  let ehrPage: Awaited<ReturnType<typeof framingPage>>;
  let other: Awaited<ReturnType<typeof framingPage>>;

  before(async () => {
    ehrPage = await framingPage();
    other = await framingPage();
    suite = await startSuite({ embedded: true, env: { EHR_ORIGINS: ehrPage.origin, EHR_SIGN_IN_TRUSTED: 'true' } });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await suite?.stop();
    ehrPage?.server.close();
    other?.server.close();
  });

  it('the launcher names the configured EHR origin in frame-ancestors; the administration and account pages are never frameable', async () => {
    const launcher = await call(suite, '/launcher?patient=p1', { headers: { accept: 'text/html' } });
    assert.match(launcher.headers.get('content-security-policy') ?? '', new RegExp(`frame-ancestors ${ehrPage.origin}(;|$)`));
    assert.equal(launcher.headers.get('x-frame-options'), null);
    for (const path of ['/admin', '/admin/apps', '/account']) {
      const reply = await call(suite, path, { headers: { accept: 'text/html' } });
      assert.match(reply.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/, path);
      assert.equal(reply.headers.get('x-frame-options'), 'DENY', path);
    }
  });

  it('Chromium shows the launcher in the configured EHR’s frame and refuses it in another site’s', async () => {
    for (const page of [ehrPage, other]) page.target.url = `${suite.issuer}/launcher?patient=p1`;
    const tab = await (await newContext(browser)).newPage();
    await tab.goto(`${ehrPage.origin}/`);
    const framed = tab.frameLocator('iframe');
    await framed.getByRole('heading', { name: 'Sign in' }).waitFor({ timeout: 10_000 });
    const blocked = await (await newContext(browser)).newPage();
    await blocked.goto(`${other.origin}/`);
    await blocked.waitForTimeout(1000);
    assert.equal(await blocked.frameLocator('iframe').getByRole('heading', { name: 'Sign in' }).count(), 0);
  });

  it('EHR_SIGN_IN_TRUSTED: the EHR’s signed word signs the practitioner in for the launches made from that page only: consent without a sign-in, audited; prompt=login and other pages still ask', async () => {
    const admin = await adminToken(suite);
    const tag = randomUUID().slice(0, 8);
    const patient = `pt-sso-${tag}`;
    const practitioner = await createUser(suite, admin, { fhirUser: `Practitioner/pr-sso-${tag}`, display_name: 'Dr. Sam Signon', patients: [{ id: patient, name: 'Sid Single' }] });
    const app = await FhirclientApp.start(suite.fhirBaseUrl, { standalone: EHR_SCOPE, ehr: EHR_SCOPE });
    try {
      const appName = `SSO Chart App ${tag}`;
      const client = await register(suite, {
        client_name: appName,
        redirect_uris: [`${app.origin}/app.html`],
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        scope: EHR_SCOPE,
        launch_uri: `${app.origin}/launch.html`,
      });
      app.clientId = client.client_id;
      const key = await clientKey('ES256');
      const ehr = await register(suite, { client_name: `SSO EHR ${tag}`, grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [key.publicJwk] }, scope: 'launch' });
      const launchJwt = (claims: Record<string, unknown> = {}) =>
        new SignJWT({ user: practitioner.username, patient, ...claims })
          .setProtectedHeader({ alg: key.alg, kid: key.kid })
          .setIssuer(ehr.client_id)
          .setAudience(suite.issuer)
          .setIssuedAt()
          .setExpirationTime('2m')
          .setJti(randomUUID())
          .sign(key.privateKey);

      // In a browser: the EHR opens the launcher, the practitioner chooses the app, fhirclient completes the launch.
      const page = await (await newContext(browser)).newPage();
      await page.goto(`${suite.issuer}/launcher?launch_jwt=${await launchJwt({ encounter: `enc-${tag}` })}`);
      await page.getByRole('button', { name: `Launch ${appName}` }).click();
      await page.waitForURL((url) => url.origin === new URL(suite.issuer).origin && url.pathname.startsWith('/interaction/'), { timeout: 15_000 });
      assert.match(await page.title(), /^Allow /, 'consent, without a second sign-in');
      await allow(page);
      const ready = await app.outcome(page);
      assert.equal(ready.error, undefined, ready.error);
      assert.equal(ready.patientId, patient);
      assert.equal(ready.tokenResponse!.encounter, `enc-${tag}`);
      assert.equal(ready.tokenResponse!.fhirUser, `${suite.fhirBaseUrl}/${practitioner.fhirUser}`);
      // Signed in for those launches only: no session cookie, and /account still asks who it is.
      assert.equal((await page.context().cookies()).some((c) => c.name === 'smart_session'), false);
      await page.goto(`${suite.issuer}/account`);
      assert.match(await page.title(), /sign in/i);

      // Audited: the EHR's word, as a login.
      let login: Record<string, unknown> | undefined;
      for (const deadline = Date.now() + 15_000; !login && Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
        const trail = await call(suite, '/admin/audit?type=login.succeeded&limit=100', { headers: { authorization: bearer(admin) } });
        assert.equal(trail.status, 200, trail.text);
        login = (trail.json.events as Array<{ event: { data: Record<string, unknown> } }>).map((e) => e.event.data).find((d) => d.user_id === practitioner.id);
      }
      assert.equal(login?.method, 'ehr_launch');
      assert.equal(login?.ehr_client_id, ehr.client_id);

      // Without a browser: a launch made from such a page goes straight to consent; prompt=login asks for the sign-in all the same.
      const launchFrom = async (): Promise<string> => {
        const opened = await call(suite, `/launcher?launch_jwt=${await launchJwt()}`, { headers: { accept: 'text/html' } });
        assert.equal(opened.status, 200, opened.text.slice(0, 300));
        const launched = await fetch(`${suite.issuer}/launcher`, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ ticket: ticketOf(opened.text)!, client_id: client.client_id }),
        });
        assert.equal(launched.status, 303);
        return new URL(launched.headers.get('location')!).searchParams.get('launch')!;
      };
      const stepAfter = async (extra: Record<string, string>): Promise<string | undefined> => {
        const jar = new CookieJar();
        const started = await startAuthorization(suite, jar, { client_id: client.client_id, redirect_uri: `${app.origin}/app.html`, scope: EHR_SCOPE, launch: await launchFrom(), ...extra });
        assert.ok(started.interaction, `${started.reply.status} ${started.reply.headers.get('location')}`);
        return formActionOf((await browse(suite, jar, started.interaction)).text);
      };
      assert.match((await stepAfter({ prompt: 'consent' })) ?? '', /\/consent$/);
      assert.match((await stepAfter({ prompt: 'login' })) ?? '', /\/login$/);
      assert.match((await stepAfter({ max_age: '0' })) ?? '', /\/login$/, 'max_age=0 needs a fresh sign-in');
    } finally {
      await app.close();
    }
  });
});
