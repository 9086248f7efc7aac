import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { sharedSuite, type RunningSuite } from '#testing';
import { alertOf, browse, CookieJar, csrfOf, obtainCode, postForm, startAuthorization, submitLogin, type AuthorizationParams } from './support/form-flow.js';
import { assertOAuthError, basicAuth, bearer, call, machineClient, register, revoke, tokenFor, tokenRequest, type RegisteredClient, type Reply } from './support/http.js';
import { adminToken, createUser, type TestUser } from './support/people.js';

/**
 * Hostile and malformed input to the authorization service's endpoints
 * (/authorize, the interaction pages, /launch, /userinfo, /admin/users,
 * /logout) and to the code and refresh grants it backs: each gets its exact,
 * spec-shaped answer, never a 5xx. No browser: pages are driven with fetch.
 */

const APP = 'https://app.example';
const CALLBACK = `${APP}/callback`;
/** A registered redirect URI with a query of its own (RFC 6749 §3.1.2: kept when the code is added). */
const CALLBACK_WITH_QUERY = `${APP}/cb?tenant=a/b&x`;
const POST_LOGOUT = `${APP}/signed-out`;
const SCOPE = 'openid fhirUser launch/patient patient/*.rs';
const WRONG_CREDENTIALS = 'The username or password is incorrect.';
const THROTTLED = 'Too many failed sign-in attempts. Wait a few minutes and try again.';

/** An HTML error page of the suite: exact status, the error code shown, never a redirect. */
function assertErrorPage(reply: Reply, status: number, code: string, description?: RegExp): void {
  const context = `${reply.status} ${reply.headers.get('location') ?? ''} ${reply.text.slice(0, 300)}`;
  assert.equal(reply.status, status, context);
  assert.match(reply.headers.get('content-type') ?? '', /^text\/html/, context);
  assert.equal(reply.headers.get('location'), null, context);
  assert.match(reply.text, new RegExp(`<code>${code}</code>`), context);
  assert.equal(reply.headers.get('cache-control'), 'no-store');
  assert.match(reply.headers.get('content-security-policy') ?? '', /frame-ancestors/);
  if (description) assert.match(alertOf(reply.text) ?? '', description, context);
}

/** A 303 back to the client's redirect URI carrying an RFC 6749 §4.1.2.1 error with `iss` (RFC 9207). */
function assertErrorRedirect(suite: RunningSuite, reply: Reply, redirectUri: string, error: string, state: string | null): URL {
  const location = reply.headers.get('location') ?? '';
  assert.equal(reply.status, 303, `${reply.status} ${location} ${reply.text.slice(0, 300)}`);
  const target = new URL(location);
  assert.equal(`${target.origin}${target.pathname}`, redirectUri);
  assert.equal(target.searchParams.get('error'), error, location);
  assert.equal(target.searchParams.get('state'), state);
  assert.equal(target.searchParams.get('iss'), suite.issuer);
  assert.equal(target.searchParams.get('code'), null);
  return target;
}

function json(token: string | undefined, method: string, body?: unknown): RequestInit {
  return {
    method,
    headers: { ...(token ? { authorization: bearer(token) } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  };
}

describe('authorization service: hostile and malformed input', () => {
  let suite: RunningSuite & { owned: boolean };
  let admin: string;
  let app: RegisteredClient;
  let publicApp: RegisteredClient;
  let machine: RegisteredClient;
  let ehrToken: string;
  let machineToken: string;
  let patient: TestUser;
  const params = (extra: Partial<AuthorizationParams> = {}): AuthorizationParams => ({ client_id: app.client_id, redirect_uri: CALLBACK, scope: SCOPE, ...extra });
  const answers = (user: TestUser) => ({ username: user.username, password: user.password });
  const appAuth = () => basicAuth(app.client_id, app.client_secret!);

  before(async () => {
    suite = await sharedSuite();
    admin = await adminToken(suite);
    patient = await createUser(suite, admin, { fhirUser: 'Patient/pt-rob', display_name: 'Robin Robust' });
    app = await register(suite, {
      client_name: 'Robustness App',
      redirect_uris: [CALLBACK, CALLBACK_WITH_QUERY],
      post_logout_redirect_uris: [POST_LOGOUT],
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      scope: 'launch/patient openid fhirUser profile offline_access patient/*.rs',
    });
    publicApp = await register(suite, {
      client_name: 'Robustness Public App',
      redirect_uris: [CALLBACK],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      scope: 'launch/patient openid fhirUser patient/*.rs',
    });
    machine = await machineClient(suite, 'system/Patient.rs');
    machineToken = await tokenFor(suite, machine);
    const ehr = await machineClient(suite, 'launch');
    ehrToken = await tokenFor(suite, ehr, 'launch');
  });
  after(async () => {
    if (suite?.owned) await suite.stop();
  });

  describe('/authorize', () => {
    /** A browser with a live session: errors of a verified request go straight back (RFC 9700 §4.11.2: the person signed in first). */
    let signedIn: CookieJar;
    before(async () => {
      signedIn = (await obtainCode(suite, params(), answers(patient))).jar;
    });

    it('no parameters at all: an error page, no redirect', async () => {
      assertErrorPage(await browse(suite, new CookieJar(), '/authorize'), 400, 'invalid_request', /client_id is required/);
    });

    it('an unknown client, a very long one and a Unicode one: invalid_client on a page', async () => {
      for (const clientId of ['no-such-client', 'c'.repeat(4000), 'клиент-😀-\u0000-<script>']) {
        const reply = await browse(suite, new CookieJar(), `/authorize?${new URLSearchParams({ ...params({ client_id: clientId }), response_type: 'code' })}`);
        assertErrorPage(reply, 400, 'invalid_client', /not registered/);
        assert.doesNotMatch(reply.text, /<script>/, 'nothing of the request is echoed unescaped');
      }
    });

    it('an unregistered redirect URI (open redirector attempt): an error page, never a redirect there', async () => {
      for (const redirect of ['https://evil.example/callback', `${CALLBACK}/`, `${CALLBACK}?x=1`, CALLBACK.replace('https:', 'http:')]) {
        const started = await startAuthorization(suite, new CookieJar(), params({ redirect_uri: redirect }));
        assertErrorPage(started.reply, 400, 'invalid_request', /redirect_uri is not registered/);
      }
    });

    it('client_id twice: an error page (the client cannot be trusted with a redirect)', async () => {
      const query = `${new URLSearchParams({ ...params(), response_type: 'code' })}&client_id=${encodeURIComponent(publicApp.client_id)}`;
      assertErrorPage(await browse(suite, new CookieJar(), `/authorize?${query}`), 400, 'invalid_request', /client_id parameter is repeated/);
    });

    it('scope twice: a redirect with invalid_request, state and iss', async () => {
      const query = new URLSearchParams({ ...params(), response_type: 'code', aud: suite.fhirBaseUrl, code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256', state: 'st-dup' });
      query.append('scope', 'openid');
      const reply = await browse(suite, signedIn.clone(), `/authorize?${query}`);
      assertErrorRedirect(suite, reply, CALLBACK, 'invalid_request', 'st-dup');
    });

    it('request objects are not supported, and discovery says so (OIDC Core §6)', async () => {
      const byValue = await startAuthorization(suite, signedIn.clone(), params({ request: 'eyJhbGciOiJub25lIn0.e30.', state: 'st-req' }));
      assertErrorRedirect(suite, byValue.reply, CALLBACK, 'request_not_supported', 'st-req');
      // A request object by reference (OIDC Core §6.2); a pushed request's URN is another matter (test/e2e/par.test.ts).
      const byReference = await startAuthorization(suite, signedIn.clone(), params({ request_uri: 'https://app.example/request.jwt', state: 'st-req' }));
      assertErrorRedirect(suite, byReference.reply, CALLBACK, 'request_uri_not_supported', 'st-req');
      const metadata = await call(suite, '/.well-known/openid-configuration');
      assert.equal(metadata.json.request_parameter_supported, false);
      assert.equal(metadata.json.request_uri_parameter_supported, false);
    });

    it('parameters named like Object.prototype members are ignored like any unknown parameter (RFC 6749 §3.1)', async () => {
      const odd = JSON.parse('{"constructor":"x","toString":"y","__proto__":"z","hasOwnProperty":"w","valueOf":"v"}') as Partial<AuthorizationParams>;
      const started = await startAuthorization(suite, new CookieJar(), params(odd));
      assert.ok(started.interaction, `${started.reply.status} ${started.reply.text.slice(0, 200)}`);
    });

    it('a huge state: refused at the redirect URI without echoing it; a too large request is refused before that', async () => {
      const started = await startAuthorization(suite, signedIn.clone(), params({ state: 's'.repeat(9000) }));
      assertErrorRedirect(suite, started.reply, CALLBACK, 'invalid_request', null);
      const huge = await startAuthorization(suite, new CookieJar(), params({ state: 's'.repeat(40000) }));
      assert.equal(huge.reply.status, 431, 'the URL is larger than the edge accepts');
    });

    it('POST with a JSON body or no content type: 400, nothing redirected', async () => {
      const asJson = await browse(suite, new CookieJar(), '/authorize', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...params(), response_type: 'code' }) });
      assertErrorPage(asJson, 400, 'invalid_request', /must be sent as a form/);
      const untyped = await browse(suite, new CookieJar(), '/authorize', { method: 'POST', body: new URLSearchParams({ ...params(), response_type: 'code' }).toString(), headers: { 'content-type': '' } });
      assertOAuthError(untyped, 400, 'invalid_request');
      assert.equal(untyped.headers.get('location'), null);
      const empty = await browse(suite, new CookieJar(), '/authorize', { method: 'POST' });
      assertErrorPage(empty, 400, 'invalid_request');
    });

    it('POST form: the same checks as GET (scope twice → redirect with invalid_request)', async () => {
      const fields: Array<[string, string]> = [...Object.entries({ ...params(), response_type: 'code', aud: suite.fhirBaseUrl, code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256', state: 'st-post' }), ['scope', 'openid']];
      assertErrorRedirect(suite, await postForm(suite, signedIn.clone(), '/authorize', fields), CALLBACK, 'invalid_request', 'st-post');
    });

    it('a registered loopback redirect URI matches on any port (RFC 8252 §7.3); the code is bound to the port used', async () => {
      const native = await register(suite, {
        client_name: 'Native App',
        application_type: 'native',
        redirect_uris: ['http://127.0.0.1/callback'],
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        scope: 'openid fhirUser launch/patient',
      });
      const redirect = 'http://127.0.0.1:51234/callback';
      const c = await obtainCode(suite, { client_id: native.client_id, redirect_uri: redirect, scope: 'openid fhirUser launch/patient' }, answers(patient));
      assert.equal(`${c.callback.origin}${c.callback.pathname}`, redirect);
      const exchange = (redirectUri: string, code: string, verifier: string) =>
        tokenRequest(suite, { grant_type: 'authorization_code', client_id: native.client_id, code, redirect_uri: redirectUri, code_verifier: verifier });
      const ok = await exchange(redirect, c.code, c.verifier);
      assert.equal(ok.status, 200, ok.text);
      const d = await obtainCode(suite, { client_id: native.client_id, redirect_uri: redirect, scope: 'openid fhirUser launch/patient' }, answers(patient), c.jar);
      assertOAuthError(await exchange('http://127.0.0.1:51235/callback', d.code, d.verifier), 400, 'invalid_grant');
      for (const other of ['http://127.0.0.1:51234/callback/', 'http://127.0.0.2:51234/callback', 'http://127.0.0.1:51234/other']) {
        const refused = await startAuthorization(suite, new CookieJar(), { client_id: native.client_id, redirect_uri: other, scope: 'openid' });
        assertErrorPage(refused.reply, 400, 'invalid_request', /redirect_uri is not registered/);
      }
    });

    it('the code goes back to a redirect URI with a query, the query kept byte for byte', async () => {
      const jar = new CookieJar();
      const { callback } = await obtainCode(suite, params({ redirect_uri: CALLBACK_WITH_QUERY }), answers(patient), jar);
      assert.ok(callback.href.startsWith(`${CALLBACK_WITH_QUERY}&code=`), callback.href);
    });
  });

  describe('interaction pages', () => {
    it('an unknown or malformed interaction id: the "start again" page or 404, never 5xx', async () => {
      assertErrorPage(await browse(suite, new CookieJar(), '/interaction/abc'), 400, 'invalid_request', /expired or was opened in another browser/);
      assertErrorPage(await browse(suite, new CookieJar(), `/interaction/${'A'.repeat(43)}`, { headers: { cookie: 'smart_interaction=forged' } }), 400, 'invalid_request');
      for (const path of [`/interaction/${'x'.repeat(100)}`, '/interaction/%E2%9C%93', '/interaction/a.b']) {
        const reply = await browse(suite, new CookieJar(), path);
        assert.equal(reply.status, 404, `${path}: ${reply.status} ${reply.text.slice(0, 200)}`);
      }
    });

    it('the interaction of a real /authorize, opened without its binding cookie (another browser): refused', async () => {
      const started = await startAuthorization(suite, new CookieJar(), params());
      assert.match(started.reply.headers.getSetCookie().join('\n'), /smart_interaction=[^;]+; Path=\/interaction\/[^;]+; HttpOnly; SameSite=Lax/);
      assertErrorPage(await browse(suite, new CookieJar(), started.interaction!), 400, 'invalid_request', /another browser/);
    });

    it('POST login without the csrf token, or with a wrong one: 403 page, no session', async () => {
      const jar = new CookieJar();
      const started = await startAuthorization(suite, jar, params());
      const page = await browse(suite, jar, started.interaction!);
      assert.equal(page.status, 200);
      const csrf = csrfOf(page.text);
      const attempts: Array<Record<string, string>> = [
        { username: patient.username, password: patient.password },
        { csrf: '', username: patient.username, password: patient.password },
        { csrf: `${csrf.slice(0, -1)}${csrf.endsWith('x') ? 'y' : 'x'}`, username: patient.username, password: patient.password },
      ];
      for (const fields of attempts) {
        const reply = await postForm(suite, jar, `${started.interaction}/login`, fields);
        assertErrorPage(reply, 403, 'invalid_request', /could not be verified/);
        assert.equal(jar.get('smart_session'), undefined);
      }
      // The right token still works afterwards.
      const ok = await submitLogin(suite, jar, started.interaction!, patient.username, patient.password, csrf);
      assert.equal(ok.status, 303, ok.text.slice(0, 200));
    });

    it('an unknown step, or GET on a step: no such page / not accepted', async () => {
      const jar = new CookieJar();
      const started = await startAuthorization(suite, jar, params());
      const csrf = csrfOf((await browse(suite, jar, started.interaction!)).text);
      const unknown = await postForm(suite, jar, `${started.interaction}/bogus`, { csrf });
      assert.equal(unknown.status, 404, unknown.text);
      assertErrorPage(await browse(suite, jar, `${started.interaction}/login`), 405, 'invalid_request');
      // A consent POST before login goes back to the login page, granting nothing.
      const early = await postForm(suite, jar, `${started.interaction}/consent`, { csrf, decision: 'approve', scope: 'openid' });
      assert.equal(early.status, 303);
      assert.equal(early.headers.get('location'), started.interaction);
    });

    it('login throttling: the same generic message for an unknown user and a wrong password; then 429 even for the right password', async () => {
      const victim = await createUser(suite, admin, { fhirUser: 'Patient/pt-throttle' });
      const jar = new CookieJar();
      const started = await startAuthorization(suite, jar, params());
      const csrf = csrfOf((await browse(suite, jar, started.interaction!)).text);
      const unknown = await submitLogin(suite, jar, started.interaction!, `nobody-${victim.username}`, 'whatever-password', csrf);
      assert.equal(unknown.status, 401);
      assert.equal(alertOf(unknown.text), WRONG_CREDENTIALS);
      for (let i = 0; i < 5; i++) {
        const wrong = await submitLogin(suite, jar, started.interaction!, victim.username, `wrong-${i}-password`, csrf);
        assert.equal(wrong.status, 401, `attempt ${i + 1}`);
        assert.equal(alertOf(wrong.text), WRONG_CREDENTIALS, 'no user enumeration');
      }
      const locked = await submitLogin(suite, jar, started.interaction!, victim.username, victim.password, csrf);
      assert.equal(locked.status, 429, locked.text.slice(0, 300));
      assert.equal(alertOf(locked.text), THROTTLED);
      assert.equal(jar.get('smart_session'), undefined);
      // Another username from the same address is not locked by this one's failures.
      const other = await submitLogin(suite, jar, started.interaction!, patient.username, patient.password, csrf);
      assert.equal(other.status, 303);
    });
  });

  describe('prompt, max_age, denial and replays', () => {
    let jar: CookieJar;
    const scope = 'openid fhirUser launch/patient';
    before(async () => {
      jar = new CookieJar();
      await obtainCode(suite, params({ scope }), answers(patient), jar);
    });

    const firstPage = async (extra: Partial<AuthorizationParams>) => {
      const started = await startAuthorization(suite, jar, params({ scope, ...extra }));
      assert.ok(started.interaction, started.reply.text.slice(0, 200));
      return { started, page: await browse(suite, jar, started.interaction) };
    };

    /** Interactions stored for the request whose `state` is `state` (null in the embedded mode, which has no database URL). */
    const storedInteractions = async (state: string): Promise<number | null> => {
      if (!suite.databaseUrl) return null;
      const db = new pg.Client({ connectionString: suite.databaseUrl });
      await db.connect();
      try {
        return (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM interaction WHERE request->>'state' = $1`, [state])).rows[0]!.n;
      } finally {
        await db.end();
      }
    };

    it('with a session and a remembered consent, nothing is asked: /authorize itself answers with the code, and stores no interaction', async () => {
      const state = `st-silent-${randomBytes(6).toString('hex')}`;
      const started = await startAuthorization(suite, jar, params({ scope, state }));
      assert.equal(started.reply.status, 303);
      assert.equal(started.interaction, undefined, 'no interaction page');
      assert.equal(`${started.callback?.origin}${started.callback?.pathname}`, CALLBACK);
      assert.ok(started.callback?.searchParams.get('code'));
      assert.equal(started.callback?.searchParams.get('state'), state);
      assert.equal(started.callback?.searchParams.get('iss'), suite.issuer);
      const silentRows = await storedInteractions(state);
      if (silentRows !== null) assert.equal(silentRows, 0, 'an interaction that ended at /authorize leaves no row');
      // One that goes on to a page is stored, signed in already, for that page to find.
      const consentState = `st-page-${randomBytes(6).toString('hex')}`;
      const { page } = await firstPage({ prompt: 'consent', state: consentState });
      assert.equal(page.status, 200);
      assert.match(page.text, /\/consent"/);
      const pageRows = await storedInteractions(consentState);
      if (pageRows !== null) assert.equal(pageRows, 1);
    });

    it('prompt=login and max_age=0 ask for the password again; prompt=consent asks for consent again', async () => {
      for (const extra of [{ prompt: 'login' }, { max_age: '0' }]) {
        const { page } = await firstPage(extra);
        assert.equal(page.status, 200, JSON.stringify(extra));
        assert.match(page.text, /\/login"/, JSON.stringify(extra));
      }
      const { page } = await firstPage({ prompt: 'consent' });
      assert.equal(page.status, 200);
      assert.match(page.text, /\/consent"/);
    });

    it('deny: access_denied at the redirect URI with state and iss; the finished interaction cannot be replayed', async () => {
      const { started, page } = await firstPage({ prompt: 'consent', state: 'st-deny' });
      const csrf = csrfOf(page.text);
      const denied = await postForm(suite, jar, `${started.interaction}/consent`, { csrf, decision: 'deny' });
      assertErrorRedirect(suite, denied, CALLBACK, 'access_denied', 'st-deny');
      const replay = await postForm(suite, jar, `${started.interaction}/consent`, { csrf, decision: 'approve', scope: 'openid' });
      assertErrorPage(replay, 400, 'invalid_request', /expired/);
    });

    it('approve: only what stayed ticked (plus the required scopes) is granted, never anything not requested', async () => {
      const { started, page } = await firstPage({ prompt: 'consent', scope: 'openid fhirUser launch/patient patient/*.rs' });
      const fields: Array<[string, string]> = [['csrf', csrfOf(page.text)], ['scope', 'openid'], ['scope', 'user/*.cruds'], ['decision', 'approve']];
      const done = await postForm(suite, jar, `${started.interaction}/consent`, fields);
      assert.equal(done.status, 303);
      const code = new URL(done.headers.get('location')!).searchParams.get('code')!;
      const tokens = await tokenRequest(suite, { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: started.verifier }, { authorization: appAuth() });
      assert.equal(tokens.status, 200, tokens.text);
      assert.deepEqual(String(tokens.json.scope).split(' ').sort(), ['fhirUser', 'launch/patient', 'openid']);
    });
  });

  describe('/launch', () => {
    it('without a token: 401 invalid_token with a Bearer challenge', async () => {
      const reply = await call(suite, '/launch', json(undefined, 'POST', { patient: 'pt-1' }));
      assertOAuthError(reply, 401, 'invalid_token');
      assert.match(reply.headers.get('www-authenticate') ?? '', /^Bearer /);
      assertOAuthError(await call(suite, '/launch', json('not-a-token', 'POST', { patient: 'pt-1' })), 401, 'invalid_token');
    });

    it('with a token without the launch scope: 403 insufficient_scope', async () => {
      const reply = await call(suite, '/launch', json(machineToken, 'POST', { patient: 'pt-1' }));
      assertOAuthError(reply, 403, 'insufficient_scope');
      assert.match(reply.headers.get('www-authenticate') ?? '', /error="insufficient_scope"/);
    });

    const bad: Array<[string, unknown, RegExp]> = [
      ['malformed JSON', '{"patient":', /./],
      ['a JSON array', '[{"patient":"pt-1"}]', /JSON object/],
      ['a JSON string', '"pt-1"', /./],
      ['missing patient', {}, /patient/],
      ['a patient that is not a FHIR id', { patient: 'Patient/pt-1' }, /patient/],
      ['an unknown member', { patient: 'pt-1', admin: true }, /admin/],
      ['fhirContext not an array', { patient: 'pt-1', fhirContext: 'Observation/1' }, /fhirContext/],
      ['a null fhirContext item', { patient: 'pt-1', fhirContext: [null] }, /fhirContext/],
      ['a null fhirContext', { patient: 'pt-1', fhirContext: null }, /fhirContext/],
      ['a __proto__ member', JSON.parse('{"patient":"pt-1","__proto__":{"polluted":true}}') as unknown, /__proto__/],
      ['an absolute reference in fhirContext', { patient: 'pt-1', fhirContext: [{ reference: 'https://fhir.example/Observation/1' }] }, /relative reference/],
      ['a fhirContext item with two kinds', { patient: 'pt-1', fhirContext: [{ reference: 'Observation/1', canonical: 'http://x.example/Q/1' }] }, /exactly one/],
      ['a fhirContext item with an unknown member', { patient: 'pt-1', fhirContext: [{ reference: 'Observation/1', extra: 1 }] }, /unknown member/],
      ['the launch patient again in fhirContext', { patient: 'pt-1', fhirContext: [{ reference: 'Patient/pt-1' }] }, /goes in patient/],
      ['a smart_style_url that is not http(s)', { patient: 'pt-1', smart_style_url: 'javascript:alert(1)' }, /smart_style_url/],
      ['need_patient_banner not a boolean', { patient: 'pt-1', need_patient_banner: 'yes' }, /need_patient_banner/],
    ];
    for (const [name, body, description] of bad) {
      it(`refuses ${name}: 400 invalid_request`, async () => {
        const reply = await call(suite, '/launch', json(ehrToken, 'POST', body));
        assertOAuthError(reply, 400, 'invalid_request', name);
        assert.match(String(reply.json.error_description ?? ''), description, reply.text);
      });
    }

    it('GET is not allowed; a valid POST still works after all that', async () => {
      const get = await call(suite, '/launch', { headers: { authorization: bearer(ehrToken) } });
      assert.equal(get.status, 405);
      const ok = await call(suite, '/launch', json(ehrToken, 'POST', { patient: 'pt-1', fhirContext: [{ reference: 'Observation/o-1', role: 'https://example.org/focus' }] }));
      assert.equal(ok.status, 201, ok.text);
      assert.equal(typeof ok.json.launch, 'string');
    });
  });

  describe('/userinfo', () => {
    it('without a token, or with a garbage one: 401 invalid_token (GET and POST)', async () => {
      for (const method of ['GET', 'POST']) {
        for (const token of [undefined, 'garbage']) {
          const reply = await call(suite, '/userinfo', { method, ...(token ? { headers: { authorization: bearer(token) } } : {}) });
          assertOAuthError(reply, 401, 'invalid_token', `${method} ${token}`);
          assert.match(reply.headers.get('www-authenticate') ?? '', /^Bearer /);
        }
      }
    });

    it('with a client_credentials token (no openid): 403 insufficient_scope (GET and POST)', async () => {
      for (const method of ['GET', 'POST']) {
        const reply = await call(suite, '/userinfo', { method, headers: { authorization: bearer(machineToken) } });
        assertOAuthError(reply, 403, 'insufficient_scope', method);
      }
    });

    it('with a user token: the claims, GET and POST alike', async () => {
      const { code, verifier } = await obtainCode(suite, params({ scope: 'openid fhirUser profile launch/patient' }), answers(patient));
      const tokens = await tokenRequest(suite, { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: verifier }, { authorization: appAuth() });
      assert.equal(tokens.status, 200, tokens.text);
      for (const method of ['GET', 'POST']) {
        const reply = await call(suite, '/userinfo', { method, headers: { authorization: bearer(tokens.json.access_token as string) } });
        assert.equal(reply.status, 200, reply.text);
        assert.equal(reply.json.sub, patient.id);
        assert.equal(reply.json.preferred_username, patient.username);
        assert.equal(reply.json.fhirUser, `${suite.fhirBaseUrl}/Patient/pt-rob`);
      }
    });
  });

  describe('/admin/users', () => {
    it('without a token: 401; with a token without the admin scope: 403', async () => {
      assertOAuthError(await call(suite, '/admin/users'), 401, 'invalid_token');
      assertOAuthError(await call(suite, '/admin/users', json(undefined, 'POST', { username: 'x' })), 401, 'invalid_token');
      assertOAuthError(await call(suite, '/admin/users', { headers: { authorization: bearer(machineToken) } }), 403, 'insufficient_scope');
      assertOAuthError(await call(suite, `/admin/users/${patient.id}`, json(machineToken, 'PATCH', { disabled: true })), 403, 'insufficient_scope');
    });

    const good = { username: 'valid.user', password: 'long-enough-password', display_name: 'Valid User', fhirUser: 'Practitioner/pr-9' };
    const bad: Array<[string, unknown, RegExp]> = [
      ['a username with spaces', { ...good, username: 'bad name' }, /username/],
      ['a username too long', { ...good, username: 'u'.repeat(129) }, /username/],
      ['a Unicode username', { ...good, username: 'ünïcødé' }, /username/],
      ['a short password', { ...good, password: 'short' }, /at least 8/],
      ['a password that is not a string', { ...good, password: 12345678 }, /password/],
      ['an absolute fhirUser', { ...good, fhirUser: 'https://fhir.example/Patient/1' }, /fhirUser/],
      ['a fhirUser of another type', { ...good, fhirUser: 'Observation/1' }, /fhirUser/],
      ['no display name', { username: good.username, password: good.password }, /display_name/],
      ['an unknown field', { ...good, role: 'admin' }, /role/],
      ['a password_hash field', { ...good, password_hash: 'scrypt$1$1$1$a$b' }, /password_hash/],
      ['a bad patient entry', { ...good, patients: [{ id: 'a b', name: 'X' }] }, /patients/],
      ['patients not an array', { ...good, patients: 'pt-1' }, /patients/],
      ['a JSON array body', [good], /JSON object/],
      ['malformed JSON', '{"username":', /./],
    ];
    for (const [name, body, description] of bad) {
      it(`create refuses ${name}: 400 invalid_request`, async () => {
        const reply = await call(suite, '/admin/users', json(admin, 'POST', body));
        assertOAuthError(reply, 400, 'invalid_request', name);
        assert.match(String(reply.json.error_description ?? ''), description, reply.text);
      });
    }

    it('PATCH fhirUser: null removes the link', async () => {
      const user = await createUser(suite, admin, { fhirUser: 'Practitioner/pr-unlink' });
      const reply = await call(suite, `/admin/users/${user.id}`, json(admin, 'PATCH', { fhirUser: null }));
      assert.equal(reply.status, 200, reply.text);
      assert.equal(reply.json.fhirUser, undefined);
    });

    it('a duplicate username (case-insensitively) is refused', async () => {
      const reply = await call(suite, '/admin/users', json(admin, 'POST', { ...good, username: patient.username.toUpperCase() }));
      assertOAuthError(reply, 400, 'invalid_request');
      assert.match(String(reply.json.error_description), /taken/);
    });

    it('an unknown or malformed id: 404, never 5xx', async () => {
      for (const id of ['00000000-0000-0000-0000-000000000000', 'no-such-user']) {
        const reply = await call(suite, `/admin/users/${id}`, { headers: { authorization: bearer(admin) } });
        assert.equal(reply.status, 404, reply.text);
        assert.equal(reply.json.error, 'not_found');
        assert.equal((await call(suite, `/admin/users/${id}`, json(admin, 'PATCH', { disabled: true }))).status, 404);
        assert.equal((await call(suite, `/admin/users/${id}`, json(admin, 'DELETE'))).status, 404);
      }
      assert.equal((await call(suite, `/admin/users/${'x'.repeat(100)}`, { headers: { authorization: bearer(admin) } })).status, 404);
    });

    it('list paging: bad limits are refused', async () => {
      assertOAuthError(await call(suite, '/admin/users?limit=abc', { headers: { authorization: bearer(admin) } }), 400, 'invalid_request');
      assertOAuthError(await call(suite, '/admin/users?limit=1&limit=2', { headers: { authorization: bearer(admin) } }), 400, 'invalid_request');
      const page = await call(suite, '/admin/users?limit=1', { headers: { authorization: bearer(admin) } });
      assert.equal(page.status, 200);
      assert.equal((page.json.users as unknown[]).length, 1);
      assert.equal(JSON.stringify(page.json).includes('scrypt$'), false, 'never a password hash');
    });

    it('PATCH disabled: the session ends and the user can no longer sign in; PATCH refuses bad fields', async () => {
      const user = await createUser(suite, admin, { fhirUser: 'Patient/pt-disabled' });
      const jar = new CookieJar();
      await obtainCode(suite, params(), answers(user), jar);
      assert.ok(jar.get('smart_session'));

      assertOAuthError(await call(suite, `/admin/users/${user.id}`, json(admin, 'PATCH', { disabled: 'yes' })), 400, 'invalid_request');
      assertOAuthError(await call(suite, `/admin/users/${user.id}`, json(admin, 'PATCH', { username: 'renamed' })), 400, 'invalid_request');
      for (const member of ['display_name', 'password', 'disabled', 'patients']) {
        const reply = await call(suite, `/admin/users/${user.id}`, json(admin, 'PATCH', { [member]: null }));
        assertOAuthError(reply, 400, 'invalid_request', `${member}: null`);
      }
      assertOAuthError(await call(suite, `/admin/users/${user.id}`, json(admin, 'PATCH', '{"constructor":{"prototype":{"disabled":true}}}')), 400, 'invalid_request');
      const patched = await call(suite, `/admin/users/${user.id}`, json(admin, 'PATCH', { disabled: true }));
      assert.equal(patched.status, 200, patched.text);
      assert.equal(patched.json.disabled, true);

      // The old session no longer signs anyone in: the login page comes back.
      const started = await startAuthorization(suite, jar, params());
      const page = await browse(suite, jar, started.interaction!);
      assert.equal(page.status, 200);
      assert.match(page.text, /\/login"/);
      // And the right password gets the same generic message as a wrong one.
      const login = await submitLogin(suite, jar, started.interaction!, user.username, user.password, csrfOf(page.text));
      assert.equal(login.status, 401);
      assert.equal(alertOf(login.text), WRONG_CREDENTIALS);
    });

    it('DELETE disables (the record stays, for the audit trail)', async () => {
      const user = await createUser(suite, admin, { fhirUser: 'Patient/pt-deleted' });
      const deleted = await call(suite, `/admin/users/${user.id}`, json(admin, 'DELETE'));
      assert.equal(deleted.status, 200, deleted.text);
      assert.equal(deleted.json.disabled, true);
      const read = await call(suite, `/admin/users/${user.id}`, { headers: { authorization: bearer(admin) } });
      assert.equal(read.json.disabled, true);
      const jar = new CookieJar();
      const started = await startAuthorization(suite, jar, params());
      const login = await submitLogin(suite, jar, started.interaction!, user.username, user.password);
      assert.equal(login.status, 401);
      assert.equal(alertOf(login.text), WRONG_CREDENTIALS);
    });
  });

  describe('/logout', () => {
    it('a garbage id_token_hint: 400 page', async () => {
      for (const hint of ['garbage', 'a.b.c', `${'x'.repeat(3000)}`]) {
        assertErrorPage(await browse(suite, new CookieJar(), `/logout?id_token_hint=${hint}`), 400, 'invalid_request', /id_token_hint/);
      }
    });

    it('an unregistered post_logout_redirect_uri: 400 page, no redirect', async () => {
      const queries: Array<Record<string, string>> = [
        { client_id: app.client_id, post_logout_redirect_uri: 'https://evil.example/' },
        { client_id: app.client_id, post_logout_redirect_uri: `${POST_LOGOUT}/` },
        { post_logout_redirect_uri: POST_LOGOUT },
        { client_id: 'no-such-client', post_logout_redirect_uri: POST_LOGOUT },
      ];
      for (const query of queries) {
        assertErrorPage(await browse(suite, new CookieJar(), `/logout?${new URLSearchParams(query)}`), 400, 'invalid_request', /post_logout_redirect_uri/);
      }
    });

    it('repeated parameters: 400 page', async () => {
      assertErrorPage(await browse(suite, new CookieJar(), '/logout?state=a&state=b'), 400, 'invalid_request', /repeated/);
    });

    it('without a hint: a confirmation page; POSTing it without its cookie does not log out; with it, it does', async () => {
      const jar = new CookieJar();
      const scope = 'openid fhirUser launch/patient';
      await obtainCode(suite, params({ scope }), answers(patient), jar);
      assert.ok(jar.get('smart_session'));

      const confirm = await browse(suite, jar, '/logout');
      assert.equal(confirm.status, 200);
      assert.match(confirm.text, /<form[^>]*method="post"[^>]*action="\/logout"/);
      const csrf = csrfOf(confirm.text);
      assert.ok(jar.get('smart_logout'));

      const forged = jar.clone();
      forged.delete('smart_logout');
      const notConfirmed = await postForm(suite, forged, '/logout', { csrf });
      assert.equal(notConfirmed.status, 200);
      assert.match(notConfirmed.text, /name="csrf"/, 'the confirmation page again');
      assert.ok(forged.get('smart_session'), 'the session cookie is not cleared');
      const wrongCsrf = await postForm(suite, jar.clone(), '/logout', { csrf: 'x'.repeat(32) });
      assert.match(wrongCsrf.text, /name="csrf"/);

      // Still signed in: prompt=none comes straight back with a code.
      const silent = await startAuthorization(suite, forged, params({ scope, prompt: 'none' }));
      const back = silent.callback!;
      assert.ok(back.searchParams.get('code'), back.href);

      const done = await postForm(suite, jar, '/logout', { csrf });
      assert.equal(done.status, 200);
      assert.match(done.text, /signed out/i);
      assert.equal(jar.get('smart_session'), undefined, 'the session cookie is cleared');

      // The server-side session has ended too: the old cookie value no longer signs in.
      const again = await startAuthorization(suite, forged, params({ scope, prompt: 'none' }));
      assertErrorRedirect(suite, again.reply, CALLBACK, 'login_required', again.state);
    });

    it("an id_token_hint of someone else than the signed-in person asks first; one's own signs out at once", async () => {
      const signIn = async (user: TestUser) => {
        const c = await obtainCode(suite, params({ scope: 'openid fhirUser launch/patient' }), answers(user));
        const tokens = await tokenRequest(suite, { grant_type: 'authorization_code', code: c.code, redirect_uri: CALLBACK, code_verifier: c.verifier }, { authorization: appAuth() });
        assert.equal(tokens.status, 200, tokens.text);
        return { jar: c.jar, idToken: tokens.json.id_token as string };
      };
      const other = await createUser(suite, admin, { fhirUser: 'Patient/pt-other' });
      const victim = await signIn(patient);
      const attacker = await signIn(other);

      const forged = await browse(suite, victim.jar, `/logout?id_token_hint=${attacker.idToken}`);
      assert.equal(forged.status, 200);
      assert.match(forged.text, /name="csrf"/, 'a confirmation page, not a silent sign-out');
      assert.ok(victim.jar.get('smart_session'), 'still signed in');

      const own = await browse(suite, victim.jar, `/logout?${new URLSearchParams({ id_token_hint: victim.idToken, post_logout_redirect_uri: POST_LOGOUT, state: 's' })}`);
      assert.equal(own.status, 303, own.text.slice(0, 300));
      assert.equal(own.headers.get('location'), `${POST_LOGOUT}?state=s`);
      assert.equal(victim.jar.get('smart_session'), undefined);
    });

    it('with a registered post_logout_redirect_uri: 303 there with state, after confirmation', async () => {
      const jar = new CookieJar();
      const confirm = await browse(suite, jar, `/logout?${new URLSearchParams({ client_id: app.client_id, post_logout_redirect_uri: POST_LOGOUT, state: 'bye' })}`);
      assert.equal(confirm.status, 200);
      assert.match(confirm.headers.get('content-security-policy') ?? '', /form-action 'self' https:\/\/app\.example/);
      const done = await postForm(suite, jar, '/logout', { csrf: csrfOf(confirm.text), client_id: app.client_id, post_logout_redirect_uri: POST_LOGOUT, state: 'bye' });
      assert.equal(done.status, 303);
      assert.equal(done.headers.get('location'), `${POST_LOGOUT}?state=bye`);
    });
  });

  describe('token endpoint: the code and refresh grants', () => {
    const redeem = (fields: Record<string, string>, auth = appAuth()) => tokenRequest(suite, { grant_type: 'authorization_code', ...fields }, { authorization: auth });
    let jar: CookieJar;
    const code = () => obtainCode(suite, params(), answers(patient), jar);

    before(() => {
      jar = new CookieJar();
    });

    it('missing code: 400 invalid_request', async () => {
      assertOAuthError(await redeem({ redirect_uri: CALLBACK, code_verifier: 'x'.repeat(43) }), 400, 'invalid_request');
    });

    it('missing code_verifier: 400 invalid_grant, and the code is spent', async () => {
      const c = await code();
      assertOAuthError(await redeem({ code: c.code, redirect_uri: CALLBACK }), 400, 'invalid_grant');
      assertOAuthError(await redeem({ code: c.code, redirect_uri: CALLBACK, code_verifier: c.verifier }), 400, 'invalid_grant');
    });

    it('a wrong or missing redirect_uri: 400 invalid_grant', async () => {
      const c = await code();
      assertOAuthError(await redeem({ code: c.code, redirect_uri: CALLBACK_WITH_QUERY, code_verifier: c.verifier }), 400, 'invalid_grant');
      const d = await code();
      assertOAuthError(await redeem({ code: d.code, code_verifier: d.verifier }), 400, 'invalid_grant');
    });

    it("another client's code: 400 invalid_grant", async () => {
      const c = await code();
      const reply = await tokenRequest(suite, { grant_type: 'authorization_code', client_id: publicApp.client_id, code: c.code, redirect_uri: CALLBACK, code_verifier: c.verifier });
      assertOAuthError(reply, 400, 'invalid_grant');
    });

    it('garbage codes: 400 invalid_grant', async () => {
      for (const garbage of ['BAD_CODE', 'x'.repeat(5000), '😀']) {
        assertOAuthError(await redeem({ code: garbage, redirect_uri: CALLBACK, code_verifier: 'x'.repeat(43) }), 400, 'invalid_grant');
      }
    });

    it('refresh_token: garbage → 400 invalid_grant; a client not registered for refresh_token → 400 unauthorized_client', async () => {
      assertOAuthError(await tokenRequest(suite, { grant_type: 'refresh_token', refresh_token: 'garbage' }, { authorization: appAuth() }), 400, 'invalid_grant');
      assertOAuthError(await tokenRequest(suite, { grant_type: 'refresh_token', refresh_token: 'x'.repeat(5000) }, { authorization: appAuth() }), 400, 'invalid_grant');
      assertOAuthError(await tokenRequest(suite, { grant_type: 'refresh_token', refresh_token: 'garbage', client_id: publicApp.client_id }), 400, 'unauthorized_client');
      assertOAuthError(await tokenRequest(suite, { grant_type: 'refresh_token' }, { authorization: appAuth() }), 400, 'invalid_request');
    });

    it('a valid code still works, and its refresh token cannot widen the scope', async () => {
      const c = await obtainCode(suite, params({ scope: 'openid launch/patient offline_access patient/*.rs' }), answers(patient), jar);
      const tokens = await redeem({ code: c.code, redirect_uri: CALLBACK, code_verifier: c.verifier });
      assert.equal(tokens.status, 200, tokens.text);
      const refresh = tokens.json.refresh_token as string;
      assert.ok(refresh);
      assertOAuthError(await tokenRequest(suite, { grant_type: 'refresh_token', refresh_token: refresh, scope: 'openid user/*.rs' }, { authorization: appAuth() }), 400, 'invalid_scope');
    });

    it('/revoke with a garbage refresh token: 200 (RFC 7009 §2.2)', async () => {
      for (const token of ['garbage', 'x'.repeat(5000)]) {
        const reply = await revoke(suite, token, appAuth(), { token_type_hint: 'refresh_token' });
        assert.equal(reply.status, 200, reply.text);
      }
    });
  });

  it('after all of that the suite is still ready', async () => {
    const ready = await call(suite, '/health/ready');
    assert.equal(ready.status, 200, ready.text);
  });
});
