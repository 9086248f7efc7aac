import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { startSuite, type RunningSuite } from '#testing';
import { allow, browserUnavailable, launchBrowser, newContext, signIn, TestApp } from './support/browser.js';
import { manage, oidcConfig, register, type RegisteredClient } from './support/http.js';
import { adminToken, createUser, type TestUser } from './support/people.js';

const skip = browserUnavailable();

/** The patient both directories know: upstream as the identity, downstream as the local account. */
const PATIENT = 'Patient/pt-upstream-1';

/** Where the downstream's requests to the upstream went, as the browser made them. */
interface Hops {
  upstreamAuthorize: URL[];
  callbacks: URL[];
}

/**
 * The suite as the relying party of another OpenID Connect provider
 * (UPSTREAM_OIDC_*): here a second suite plays the upstream provider, and
 * `/authorize` at the downstream sends the browser to its login and back.
 */
describe('upstream OpenID Connect login: /authorize signs people in at the upstream provider', { skip }, () => {
  let upstream: RunningSuite | undefined;
  let downstream: RunningSuite | undefined;
  let browser: Browser;
  let app: TestApp;
  let upstreamPerson: TestUser;
  let upstreamStranger: TestUser;
  let localUser: TestUser;
  let appClient: RegisteredClient;
  let appConfig: oidc.Configuration;

  before(async () => {
    // Assigned one by one, so `after` stops whatever did start when another fails.
    await Promise.all([startSuite().then((s) => (upstream = s)), launchBrowser().then((b) => (browser = b)), TestApp.start().then((a) => (app = a))]);
    if (!upstream) throw new Error('the upstream suite did not start');
    const upstreamAdmin = await adminToken(upstream);
    upstreamPerson = await createUser(upstream, upstreamAdmin, { fhirUser: PATIENT, display_name: 'Una Stream' });
    upstreamStranger = await createUser(upstream, upstreamAdmin, { fhirUser: 'Patient/pt-nobody-here', display_name: 'No Local Account' });
    // The downstream is an ordinary confidential client of the upstream. Its address is known only once it
    // runs, so it registers with a placeholder redirect URI and sets the real one afterwards (RFC 7592 §2.2).
    const metadata = {
      client_name: 'Downstream SMART server',
      redirect_uris: ['http://127.0.0.1:9/login/callback'],
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      scope: 'openid fhirUser',
    };
    const rp = await register(upstream, metadata);
    downstream = await startSuite({
      env: {
        UPSTREAM_OIDC_ISSUER: upstream.issuer,
        UPSTREAM_OIDC_CLIENT_ID: rp.client_id,
        UPSTREAM_OIDC_CLIENT_SECRET: rp.client_secret!,
        UPSTREAM_OIDC_SCOPE: 'openid fhirUser',
        UPSTREAM_OIDC_USER_CLAIM: 'fhirUser',
        UPSTREAM_OIDC_MATCH: 'fhirUser',
        // The upstream is a SMART server: its /authorize needs the FHIR audience.
        UPSTREAM_OIDC_AUTHORIZE_PARAMS: `aud=${upstream.fhirBaseUrl}`,
      },
    });
    const updated = await manage(upstream, rp.client_id, 'PUT', rp.registration_access_token, { ...metadata, client_id: rp.client_id, redirect_uris: [`${downstream.issuer}/login/callback`] });
    assert.equal(updated.status, 200, updated.text);
    localUser = await createUser(downstream, await adminToken(downstream), { fhirUser: PATIENT, display_name: 'Una Stream (local)' });
    appClient = await register(downstream, {
      client_name: 'Patient Health Diary',
      redirect_uris: [app.callback],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      scope: 'launch/patient openid fhirUser patient/*.rs',
    });
    appConfig = await oidcConfig(downstream, appClient.client_id, oidc.None());
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    await Promise.all([downstream?.stop(), upstream?.stop()]);
  });

  async function freshPage(): Promise<{ page: Page; hops: Hops }> {
    const page = await (await newContext(browser)).newPage();
    const hops: Hops = { upstreamAuthorize: [], callbacks: [] };
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.origin === upstream!.issuer && url.pathname === '/authorize') hops.upstreamAuthorize.push(url);
      if (url.origin === downstream!.issuer && url.pathname === '/login/callback') hops.callbacks.push(url);
    });
    return { page, hops };
  }

  async function startFlow(params: Record<string, string> = {}) {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(appConfig, {
      redirect_uri: app.callback,
      scope: 'launch/patient openid fhirUser patient/*.rs',
      aud: downstream!.fhirBaseUrl,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...params,
    });
    return { url, verifier, state, nonce };
  }

  /**
   * Signs in at the upstream and approves the downstream there when asked;
   * returns once the browser is past the downstream's callback page.
   */
  async function upstreamSignIn(page: Page, person: TestUser): Promise<void> {
    assert.equal(new URL(page.url()).origin, upstream!.issuer, 'the browser is at the upstream provider');
    assert.match(await page.title(), /sign in/i);
    assert.match(await page.content(), /Downstream SMART server/);
    await signIn(page, person.username, person.password);
    // The next page is the upstream's consent (its URL is the login page's), or already the downstream.
    const deadline = Date.now() + 15_000;
    let approved = false;
    while (new URL(page.url()).origin === upstream!.issuer) {
      assert.ok(Date.now() < deadline, `still at the upstream: ${page.url()}`);
      await page.waitForLoadState().catch(() => undefined);
      const consent = await page.title().then((t) => t === 'Allow Downstream SMART server?', () => false);
      if (consent && !approved) {
        approved = true;
        await allow(page);
      }
      await page.waitForTimeout(50);
    }
    // The callback answers with a page that moves on by itself (the upstream's form-action would block a redirect to the app).
    await page.waitForURL((url) => url.pathname !== '/login/callback');
  }

  it('app → downstream → upstream login and consent → downstream consent → code; tokens name the local user', async () => {
    const { page, hops } = await freshPage();
    const flow = await startFlow();
    await page.goto(flow.url.href);
    await upstreamSignIn(page, upstreamPerson);

    // The upstream request: code flow with PKCE S256, state and nonce, to the fixed redirect URI.
    const sent = hops.upstreamAuthorize[0]!;
    assert.equal(sent.searchParams.get('response_type'), 'code');
    assert.equal(sent.searchParams.get('redirect_uri'), `${downstream!.issuer}/login/callback`);
    assert.equal(sent.searchParams.get('scope'), 'openid fhirUser');
    assert.equal(sent.searchParams.get('code_challenge_method'), 'S256');
    for (const p of ['state', 'nonce', 'code_challenge']) assert.ok(sent.searchParams.get(p), p);
    assert.equal(sent.searchParams.get('prompt'), null);

    // Back at the downstream, signed in as the local user: its own consent page.
    const consent = new URL(page.url());
    assert.equal(consent.origin, downstream!.issuer);
    assert.match(consent.pathname, /^\/interaction\/[A-Za-z0-9_-]+$/);
    assert.match(await page.content(), /Patient Health Diary/);
    // The password form is refused, even with the interaction's cookie and anti-CSRF token.
    const csrf = await page.locator('input[name="csrf"]').first().inputValue();
    const password = await page.request.post(`${consent.href}/login`, { form: { csrf, username: localUser.username, password: localUser.password }, maxRedirects: 0 });
    assert.equal(password.status(), 400);
    assert.equal(password.headers().location, undefined);

    await allow(page);
    const callback = await app.landed(page);
    assert.equal(callback.searchParams.get('iss'), downstream!.issuer);
    const tokens = await oidc.authorizationCodeGrant(appConfig, callback, { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce, idTokenExpected: true });
    assert.equal(tokens.fhirUser, `${downstream!.fhirBaseUrl}/${PATIENT}`);
    assert.equal(tokens.patient, 'pt-upstream-1', 'a patient user gets their own patient');
    const claims = tokens.claims()!;
    assert.equal(claims.sub, localUser.id, 'the local user, not the upstream subject');
    assert.equal(claims.fhirUser, `${downstream!.fhirBaseUrl}/${PATIENT}`);
    assert.equal(typeof claims.auth_time, 'number');

    // The callback works once: replayed in the same browser it is an error page, never a redirect.
    const replay = await page.goto(hops.callbacks[0]!.href);
    assert.equal(replay?.status(), 400);
    assert.equal(new URL(page.url()).origin, downstream!.issuer);

    // The downstream session is reused (consent remembered: straight back to the app) ...
    const again = await startFlow();
    await page.goto(again.url.href);
    assert.ok((await app.landed(page)).searchParams.get('code'));
    assert.equal(hops.upstreamAuthorize.length, 1, 'no second trip to the upstream');
    // ... and prompt=login sends the browser to the upstream again, asking it for a fresh login.
    const fresh = await startFlow({ prompt: 'login' });
    await page.goto(fresh.url.href);
    await upstreamSignIn(page, upstreamPerson);
    assert.equal(hops.upstreamAuthorize[1]?.searchParams.get('prompt'), 'login');
    assert.ok((await app.landed(page)).searchParams.get('code'));
  });

  it('an upstream person without a local account ends at the app with error=access_denied', async () => {
    const { page, hops } = await freshPage();
    const flow = await startFlow();
    await page.goto(flow.url.href);
    // Another browser holding the right state (but not the interaction's cookie) cannot finish it.
    const state = hops.upstreamAuthorize[0]!.searchParams.get('state')!;
    const foreign = await fetch(`${downstream!.issuer}/login/callback?code=stolen&state=${encodeURIComponent(state)}`, { redirect: 'manual' });
    assert.equal(foreign.status, 400);
    assert.equal(foreign.headers.get('location'), null);

    await upstreamSignIn(page, upstreamStranger);
    const callback = await app.landed(page);
    assert.equal(callback.searchParams.get('error'), 'access_denied');
    assert.equal(callback.searchParams.get('state'), flow.state);
    assert.equal(callback.searchParams.get('iss'), downstream!.issuer);
    assert.equal(callback.searchParams.get('code'), null);
  });

  it('a forged or unknown state on /login/callback gets an error page, never a redirect', async () => {
    for (const query of ['state=forged&code=abc', 'error=access_denied&state=forged', 'code=abc', 'state=a&state=b']) {
      const reply = await fetch(`${downstream!.issuer}/login/callback?${query}`, { redirect: 'manual' });
      assert.equal(reply.status, 400, query);
      assert.equal(reply.headers.get('location'), null, query);
      assert.match(reply.headers.get('content-type') ?? '', /^text\/html/, query);
      assert.equal(reply.headers.get('cache-control'), 'no-store', query);
    }
  });
});
