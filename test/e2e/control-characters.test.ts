import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect as netConnect } from 'node:net';
import { sharedSuite, type RunningSuite } from '#testing';
import { completeInteraction, CookieJar, csrfOf, pkcePair, startAuthorization } from './support/form-flow.js';
import { basicAuth, bearer, machineClient, register, replyOf, tokenFor, type RegisteredClient, type Reply } from './support/http.js';
import { adminToken, createUser, type TestUser } from './support/people.js';

/**
 * Bad bytes are bad input (issue #14): NUL, the other C0 controls, DEL and
 * (in JSON, the only place they can be written) lone UTF-16 surrogates, in
 * every parameter of every endpoint, are refused with 400 before anything is
 * stored — never a 5xx (PostgreSQL refuses `\u0000` in text and jsonb, and
 * unpaired surrogates in jsonb). At /authorize, once the client and the
 * redirect URI are verified, the refusal is the RFC 6749 §4.1.2.1 redirect
 * `invalid_request` (or, for a browser nobody is signed in on, the sign-in
 * page first: RFC 9700 §4.11.2).
 */

const APP = 'https://cc.example';
const CALLBACK = `${APP}/callback`;
const SCOPE = 'openid fhirUser launch/patient patient/*.rs offline_access';

/** Characters PostgreSQL refuses or that no parameter of ours may carry. */
const CONTROLS: Array<[string, string]> = [
  ['NUL', '\u0000'],
  ['SOH', '\u0001'],
  ['TAB', '\t'],
  ['LF', '\n'],
  ['ESC', '\u001b'],
  ['US', '\u001f'],
  ['DEL', '\u007f'],
];
/** Only JSON can carry an unpaired surrogate (`"\ud800"`); URL decoding turns the bytes of one into U+FFFD. */
const JSON_ONLY: Array<[string, string]> = [
  ['lone high surrogate', '\ud800'],
  ['lone low surrogate', '\udfff'],
];

type Expect = 'api' | 'page' | 'authorize';
type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

interface FieldCase {
  endpoint: string;
  method: string;
  path: string;
  kind: 'query' | 'form' | 'json';
  fields: Record<string, string> | Json;
  headers?: Record<string, string>;
  expect: Expect;
}

const isObject = (v: Json): v is { [key: string]: Json } => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every string leaf of a JSON value (and every member name), each replaced in turn by `replace`. */
function jsonVariants(value: Json, replace: (s: string) => string): Array<[string, Json]> {
  const out: Array<[string, Json]> = [];
  if (typeof value === 'string') out.push(['', replace(value)]);
  else if (Array.isArray(value)) {
    value.forEach((item, i) => {
      for (const [where, changed] of jsonVariants(item, replace)) out.push([`[${i}]${where}`, value.map((v, j) => (j === i ? changed : v))]);
    });
  } else if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      for (const [where, changed] of jsonVariants(item, replace)) out.push([`.${key}${where}`, { ...value, [key]: changed }]);
    }
    const first = Object.keys(value)[0];
    if (first !== undefined) out.push([`.<name ${first}>`, Object.fromEntries(Object.entries(value).map(([k, v]) => [k === first ? replace(k) : k, v]))]);
  }
  return out;
}

/** Sends the request as given; redirects are not followed. */
async function send(suite: RunningSuite, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Reply> {
  const res = await fetch(new URL(path, suite.baseUrl), { method, headers, redirect: 'manual', ...(body !== undefined ? { body } : {}) });
  return replyOf(res);
}

/** A request written byte for byte on a socket (a header value fetch would refuse to send). */
function rawRequest(suite: RunningSuite, head: string): Promise<string> {
  const url = new URL(suite.baseUrl);
  return new Promise((resolve, reject) => {
    const socket = netConnect(Number(url.port), url.hostname, () => socket.end(Buffer.from(head, 'latin1')));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
  });
}

function assertRefused(c: FieldCase, reply: Reply, what: string, badState: boolean): void {
  const context = `${what} → ${reply.status} ${reply.headers.get('location') ?? ''} ${reply.text.slice(0, 200)}`;
  assert.ok(reply.status < 500, context);
  if (c.expect === 'authorize') {
    if (reply.status === 303) {
      const location = new URL(reply.headers.get('location') ?? '', 'http://suite.invalid');
      if (location.pathname.startsWith('/interaction/')) return; // deferred until someone signs in (RFC 9700 §4.11.2)
      assert.equal(`${location.origin}${location.pathname}`, CALLBACK, context);
      assert.equal(location.searchParams.get('error'), 'invalid_request', context);
      assert.equal(location.searchParams.get('code'), null, context);
      // A state that is itself bad is not echoed.
      if (badState) assert.equal(location.searchParams.get('state'), null, context);
      return;
    }
    // Before the client and redirect URI are verified: a page (a client id with a control character is not registered).
    assert.equal(reply.status, 400, context);
    assert.match(reply.headers.get('content-type') ?? '', /^text\/html/, context);
    assert.match(reply.text, /invalid_request|invalid_client/, context);
    return;
  }
  assert.equal(reply.status, 400, context);
  if (c.expect === 'page') {
    assert.match(reply.headers.get('content-type') ?? '', /^text\/html/, context);
    assert.match(reply.text, /invalid_request/, context);
  } else {
    assert.match(reply.headers.get('content-type') ?? '', /^application\/json/, context);
    assert.ok(['invalid_request', 'invalid_client_metadata'].includes(String(reply.json.error)), context);
  }
}

describe('control characters and lone surrogates in every parameter', () => {
  let suite: RunningSuite & { owned: boolean };
  let admin: string;
  let app: RegisteredClient;
  let machine: RegisteredClient;
  let ehrToken: string;
  let user: TestUser;
  let interaction: string;
  let interactionJar: CookieJar;
  let cases: FieldCase[];

  before(async () => {
    suite = await sharedSuite();
    admin = await adminToken(suite);
    user = await createUser(suite, admin, { fhirUser: 'Patient/pt-cc', display_name: 'Cora Control' });
    app = await register(suite, {
      client_name: 'Control App',
      redirect_uris: [CALLBACK],
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      scope: 'launch launch/patient openid fhirUser offline_access patient/*.rs',
    });
    machine = await machineClient(suite, 'system/Patient.rs introspect');
    const ehr = await machineClient(suite, 'launch');
    ehrToken = await tokenFor(suite, ehr, 'launch');
    interactionJar = new CookieJar();
    const started = await startAuthorization(suite, interactionJar, { client_id: app.client_id, redirect_uri: CALLBACK, scope: SCOPE });
    assert.ok(started.interaction, started.reply.text);
    interaction = started.interaction!;
    const loginPage = await send(suite, 'GET', interaction, { cookie: interactionJar.header(interaction), accept: 'text/html' });
    const csrf = csrfOf(loginPage.text);
    const { challenge } = pkcePair();
    // A launch bound to another client is resolved but never spent (architecture.md), so every request below can name it.
    const made = await send(suite, 'POST', '/launch', { authorization: bearer(ehrToken), 'content-type': 'application/json' }, JSON.stringify({ patient: 'pt-cc', client_id: machine.client_id }));
    assert.equal(made.status, 201, made.text);
    // The request itself is good; with prompt=none and nobody signed in it ends in login_required, never invalid_request.
    const auth = { response_type: 'code', client_id: app.client_id, redirect_uri: CALLBACK, scope: `launch ${SCOPE}`, state: 's-1', nonce: 'n-1', code_challenge: challenge, code_challenge_method: 'S256', aud: suite.fhirBaseUrl, prompt: 'none', max_age: '300', launch: made.json.launch as string };
    const machineBasic = { authorization: basicAuth(machine.client_id, machine.client_secret!) };
    const adminBearer = { authorization: bearer(admin) };
    const page = { accept: 'text/html' };
    const metadata: Json = {
      client_name: 'Controls',
      redirect_uris: [CALLBACK],
      post_logout_redirect_uris: [`${APP}/bye`],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'ES256',
      scope: 'openid patient/*.rs',
      contacts: ['ops@cc.example'],
      logo_uri: 'data:image/png;base64,AAAA',
      client_uri: `${APP}/`,
      policy_uri: `${APP}/policy`,
      tos_uri: `${APP}/tos`,
      software_id: 'sw-1',
      software_version: '1.0',
      id_token_signed_response_alg: 'RS256',
      jwks: { keys: [{ kty: 'EC', crv: 'P-256', kid: 'k1', use: 'sig', alg: 'ES256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' }] },
    };
    cases = [
      { endpoint: 'GET /authorize', method: 'GET', path: '/authorize', kind: 'query', fields: auth, headers: page, expect: 'authorize' },
      { endpoint: 'POST /authorize', method: 'POST', path: '/authorize', kind: 'form', fields: auth, headers: page, expect: 'authorize' },
      { endpoint: '/token client_credentials', method: 'POST', path: '/token', kind: 'form', fields: { grant_type: 'client_credentials', scope: 'system/Patient.rs', client_id: machine.client_id, client_secret: machine.client_secret! }, expect: 'api' },
      { endpoint: '/token authorization_code', method: 'POST', path: '/token', kind: 'form', fields: { grant_type: 'authorization_code', code: 'c0de', redirect_uri: CALLBACK, code_verifier: 'v'.repeat(43), client_id: app.client_id }, expect: 'api' },
      { endpoint: '/token refresh_token', method: 'POST', path: '/token', kind: 'form', fields: { grant_type: 'refresh_token', refresh_token: 'r'.repeat(43), scope: 'openid', client_id: app.client_id }, expect: 'api' },
      { endpoint: '/token jwt-bearer', method: 'POST', path: '/token', kind: 'form', fields: { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: 'a.b.c', scope: 'patient/*.rs', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: 'x.y.z' }, expect: 'api' },
      { endpoint: 'POST /register', method: 'POST', path: '/register', kind: 'json', fields: metadata, expect: 'api' },
      { endpoint: '/introspect', method: 'POST', path: '/introspect', kind: 'form', fields: { token: 'a'.repeat(43), token_type_hint: 'refresh_token' }, headers: machineBasic, expect: 'api' },
      { endpoint: '/revoke', method: 'POST', path: '/revoke', kind: 'form', fields: { token: 'a'.repeat(43), token_type_hint: 'access_token', client_id: machine.client_id, client_secret: machine.client_secret! }, expect: 'api' },
      { endpoint: '/launch', method: 'POST', path: '/launch', kind: 'json', fields: { patient: 'pt-cc', encounter: 'enc-1', fhirUser: 'Practitioner/pr-1', client_id: app.client_id, intent: 'reconcile', fhirContext: [{ reference: 'Observation/o-1', role: 'https://example.org/focus' }] }, headers: { authorization: bearer(ehrToken) }, expect: 'api' },
      { endpoint: 'POST /userinfo', method: 'POST', path: '/userinfo', kind: 'form', fields: { access_token: 'a.b.c' }, expect: 'api' },
      { endpoint: 'GET /logout', method: 'GET', path: '/logout', kind: 'query', fields: { id_token_hint: 'a.b.c', post_logout_redirect_uri: `${APP}/bye`, state: 'st', client_id: app.client_id }, headers: page, expect: 'page' },
      { endpoint: 'POST /logout', method: 'POST', path: '/logout', kind: 'form', fields: { csrf: 'x', post_logout_redirect_uri: `${APP}/bye`, state: 'st', client_id: app.client_id }, headers: page, expect: 'page' },
      { endpoint: 'interaction login', method: 'POST', path: `${interaction}/login`, kind: 'form', fields: { csrf, username: user.username, password: user.password }, headers: { ...page, cookie: interactionJar.header(interaction) }, expect: 'page' },
      { endpoint: 'interaction patient', method: 'POST', path: `${interaction}/patient`, kind: 'form', fields: { csrf, patient: 'pt-cc' }, headers: { ...page, cookie: interactionJar.header(interaction) }, expect: 'page' },
      { endpoint: 'interaction consent', method: 'POST', path: `${interaction}/consent`, kind: 'form', fields: { csrf, decision: 'approve', scope: 'openid' }, headers: { ...page, cookie: interactionJar.header(interaction) }, expect: 'page' },
      { endpoint: '/account/login', method: 'POST', path: '/account/login', kind: 'form', fields: { csrf: 'x', username: user.username, password: user.password }, headers: page, expect: 'page' },
      { endpoint: '/account/grants/:id/revoke', method: 'POST', path: '/account/grants/00000000-0000-4000-8000-000000000000/revoke', kind: 'form', fields: { csrf: 'x' }, headers: page, expect: 'page' },
      { endpoint: '/admin/login', method: 'POST', path: '/admin/login', kind: 'form', fields: { csrf: 'x', username: 'siteadmin', password: 'p' }, headers: page, expect: 'page' },
      { endpoint: '/admin/grants/:id/revoke', method: 'POST', path: '/admin/grants/00000000-0000-4000-8000-000000000000/revoke', kind: 'form', fields: { csrf: 'x' }, headers: page, expect: 'page' },
      { endpoint: 'POST /admin/users', method: 'POST', path: '/admin/users', kind: 'json', fields: { username: 'u-cc-new', password: 'a-long-password-1', display_name: 'New', fhirUser: 'Practitioner/pr-cc', patients: [{ id: 'pt-1', name: 'Pat One', birthDate: '1990-01-01' }] }, headers: adminBearer, expect: 'api' },
      { endpoint: 'PATCH /admin/users/:id', method: 'PATCH', path: `/admin/users/${user.id}`, kind: 'json', fields: { display_name: 'Renamed', fhirUser: 'Patient/pt-cc' }, headers: adminBearer, expect: 'api' },
      { endpoint: 'PUT /admin/users/:id/jwt-bearer-clients', method: 'PUT', path: `/admin/users/${user.id}/jwt-bearer-clients`, kind: 'json', fields: { client_ids: [machine.client_id] }, headers: adminBearer, expect: 'api' },
      { endpoint: 'GET /admin/audit', method: 'GET', path: '/admin/audit', kind: 'query', fields: { type: 'token.issued', client_id: machine.client_id, user_id: user.id, patient: 'pt-cc' }, headers: adminBearer, expect: 'api' },
      { endpoint: 'GET /admin/grants', method: 'GET', path: '/admin/grants', kind: 'query', fields: { client_id: app.client_id, user_id: user.id, patient: 'pt-cc' }, headers: adminBearer, expect: 'api' },
      { endpoint: 'GET /admin/clients', method: 'GET', path: '/admin/clients', kind: 'query', fields: { limit: '10', offset: '0' }, headers: adminBearer, expect: 'api' },
      { endpoint: 'GET /admin/users', method: 'GET', path: '/admin/users', kind: 'query', fields: { limit: '10' }, headers: adminBearer, expect: 'api' },
    ];
    const fresh = await machineClient(suite, 'system/Patient.rs');
    const { client_secret: _secret, registration_access_token: _rat, registration_client_uri: _uri, client_secret_expires_at: _exp, client_id_issued_at: _iat, ...current } = fresh;
    cases.push({ endpoint: 'PUT /register/:id', method: 'PUT', path: `/register/${fresh.client_id}`, kind: 'json', fields: current as Json, headers: { authorization: bearer(fresh.registration_access_token) }, expect: 'api' });
  });
  after(async () => {
    if (suite?.owned) await suite.stop();
  });

  it('refuses every one in every field with 400 (or the redirect error at /authorize), never a 5xx', async () => {
    const failures: string[] = [];
    let sent = 0;
    for (const c of cases) {
      const controls = c.kind === 'json' ? [...CONTROLS, ...JSON_ONLY] : CONTROLS;
      for (const [label, bad] of controls) {
        const replace = (s: string) => `${s.slice(0, 1)}${bad}${s.slice(1)}`;
        const requests: Array<[string, string, string | undefined, Record<string, string>, boolean]> = [];
        if (c.kind === 'json') {
          for (const [where, body] of jsonVariants(c.fields as Json, replace)) requests.push([where, c.path, JSON.stringify(body), { 'content-type': 'application/json' }, false]);
        } else {
          const fields = c.fields as Record<string, string>;
          const names = Object.keys(fields);
          for (const target of [...names, '<name>']) {
            const entries = names.map((n): [string, string] => [n, n === target ? replace(fields[n]!) : fields[n]!]);
            if (target === '<name>') entries.push([`x${bad}y`, '1']);
            const encoded = new URLSearchParams(entries).toString();
            if (c.kind === 'query') requests.push([target, `${c.path}?${encoded}`, undefined, {}, target === 'state']);
            else requests.push([target, c.path, encoded, { 'content-type': 'application/x-www-form-urlencoded' }, target === 'state']);
          }
        }
        for (const [where, path, body, type, badState] of requests) {
          const what = `${c.endpoint} ${label} in ${where}`;
          sent++;
          const reply = await send(suite, c.method, path, { ...c.headers, ...type }, body);
          try {
            assertRefused(c, reply, what, badState);
          } catch (err: unknown) {
            failures.push(err instanceof Error ? err.message.split('\n')[0]! : String(err));
          }
        }
      }
    }
    const byEndpoint = new Map<string, number>();
    for (const f of failures) {
      const key = f.replace(/ (NUL|SOH|TAB|LF|ESC|US|DEL|lone \w+ surrogate) in \S+/, '').slice(0, 60);
      byEndpoint.set(key, (byEndpoint.get(key) ?? 0) + 1);
    }
    const summary = [...byEndpoint].map(([k, n]) => `${n} × ${k}`).join('\n');
    assert.deepEqual(failures, [], `${failures.length} of ${sent} requests not refused:\n${summary}\n${failures.slice(0, 20).join('\n')}`);
  });

  it('over-long values in every field: a 4xx or a success, never a 5xx (PostgreSQL index rows are at most ~2.7 kB)', async () => {
    const failures: string[] = [];
    for (const c of cases) {
      const long = (s: string) => `${s}${'x'.repeat(20_000)}`;
      const requests: Array<[string, string, string | undefined, Record<string, string>]> = [];
      if (c.kind === 'json') {
        for (const [where, body] of jsonVariants(c.fields as Json, long)) requests.push([where, c.path, JSON.stringify(body), { 'content-type': 'application/json' }]);
      } else {
        const fields = c.fields as Record<string, string>;
        for (const target of Object.keys(fields)) {
          const encoded = new URLSearchParams(Object.entries(fields).map(([n, v]): [string, string] => [n, n === target ? long(v) : v])).toString();
          if (c.kind === 'query') requests.push([target, `${c.path}?${encoded.slice(0, 7000)}`, undefined, {}]);
          else requests.push([target, c.path, encoded, { 'content-type': 'application/x-www-form-urlencoded' }]);
        }
      }
      for (const [where, path, body, type] of requests) {
        const reply = await send(suite, c.method, path, { ...c.headers, ...type }, body);
        if (reply.status >= 500) failures.push(`${c.endpoint} long ${where} → ${reply.status} ${reply.text.slice(0, 150)}`);
      }
    }
    assert.deepEqual(failures, []);
  });

  it('refuses them in path segments, in Basic credentials and in raw (unencoded) bytes', async () => {
    const failures: string[] = [];
    const check = (what: string, reply: Reply, expect: Expect = 'api') => {
      try {
        assertRefused({ endpoint: what, method: '', path: '', kind: 'query', fields: {}, expect }, reply, what, false);
      } catch (err: unknown) {
        failures.push(err instanceof Error ? err.message.split('\n')[0]! : String(err));
      }
    };
    for (const [label, bad] of CONTROLS) {
      const seg = encodeURIComponent(`a${bad}b`);
      check(`GET /register/:id ${label}`, await send(suite, 'GET', `/register/${seg}`, { authorization: bearer('x') }));
      check(`GET /admin/users/:id ${label}`, await send(suite, 'GET', `/admin/users/${seg}`, { authorization: bearer(admin) }));
      check(`GET /admin/grants/:id ${label}`, await send(suite, 'GET', `/admin/grants/${seg}`, { authorization: bearer(admin) }));
      check(`GET /admin/clients/:id ${label}`, await send(suite, 'GET', `/admin/clients/${seg}`, { authorization: bearer(admin) }));
      check(`GET /interaction/:id ${label}`, await send(suite, 'GET', `/interaction/${seg}`, { accept: 'text/html' }), 'page');
      check(`Basic id ${label}`, await send(suite, 'POST', '/token', { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(`a${bad}b`, 'secret') }, 'grant_type=client_credentials'));
      check(`Basic secret ${label}`, await send(suite, 'POST', '/introspect', { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(machine.client_id, `s${bad}t`) }, 'token=abc'));
      check(`raw byte in a form ${label}`, await send(suite, 'POST', '/token', { 'content-type': 'application/x-www-form-urlencoded' }, `grant_type=client_credentials&client_id=a${bad}b`));
    }
    assert.deepEqual(failures, [], failures.join('\n'));
  });

  it('the app directory forms: line breaks only in the multi-line fields (redirect URIs, contacts, pasted key), never in a name or scope', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' };
    const body = (fields: Record<string, string>) => new URLSearchParams({ csrf: 'x', client_name: 'App', scope: 'openid', redirect_uris: `${CALLBACK}\r\n${APP}/other`, contacts: 'a@cc.example\nb@cc.example', public_key: '-----BEGIN PUBLIC KEY-----\n\tabc\r\n-----END PUBLIC KEY-----', ...fields }).toString();
    // The multi-line fields pass the edge (the page then refuses the unsigned form: 403, not a control-character 400).
    const passes = await send(suite, 'POST', '/admin/apps/new', form, body({}));
    assert.equal(passes.status, 403, passes.text.slice(0, 200));
    for (const [name, value] of [['client_name', 'App\nEvil'], ['client_name', 'App\tName'], ['scope', 'openid\r\nlaunch'], ['launch_uri', `${APP}/launch\n`]]) {
      const reply = await send(suite, 'POST', '/admin/apps/new', form, body({ [name]: value! }));
      assert.equal(reply.status, 400, `${name}: ${reply.status} ${reply.text.slice(0, 200)}`);
      assert.match(reply.text, new RegExp(`the ${name} parameter contains a control character`));
    }
  });

  it('never lets a control character in a header reach a service (User-Agent with DEL, X-Forwarded-For)', async () => {
    const url = new URL(suite.baseUrl);
    const answer = await rawRequest(suite, `GET /authorize?client_id=${app.client_id} HTTP/1.1\r\nHost: ${url.host}\r\nUser-Agent: a\u007fb\r\nX-Forwarded-For: 1.2.3.4\u007f\r\nConnection: close\r\n\r\n`);
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
    assert.ok(status >= 200 && status < 500, answer.slice(0, 300));
  });

  it('state=x%00y: redirect error at once with prompt=none, sign-in first otherwise, never stored or 503', async () => {
    const { challenge } = pkcePair();
    const query = (extra: Record<string, string>) =>
      new URLSearchParams({ response_type: 'code', client_id: app.client_id, redirect_uri: CALLBACK, scope: SCOPE, code_challenge: challenge, code_challenge_method: 'S256', aud: suite.fhirBaseUrl, state: 'x\u0000y', ...extra }).toString();
    const now = await send(suite, 'GET', `/authorize?${query({ prompt: 'none' })}`, { accept: 'text/html' });
    assert.equal(now.status, 303, now.text.slice(0, 300));
    const target = new URL(now.headers.get('location')!);
    assert.equal(`${target.origin}${target.pathname}`, CALLBACK);
    assert.equal(target.searchParams.get('error'), 'invalid_request');
    assert.equal(target.searchParams.get('state'), null);
    assert.equal(target.searchParams.get('iss'), suite.issuer);

    // Nobody signed in: the error waits until someone has (RFC 9700 §4.11.2), and then goes back, without the state.
    const jar = new CookieJar();
    const deferred = await send(suite, 'GET', `/authorize?${query({})}`, { accept: 'text/html' });
    assert.equal(deferred.status, 303, deferred.text.slice(0, 300));
    const next = deferred.headers.get('location')!;
    assert.match(next, /^\/interaction\//);
    jar.absorb(deferred.headers);
    const back = await completeInteraction(suite, jar, next, { username: user.username, password: user.password });
    assert.equal(back.searchParams.get('error'), 'invalid_request', back.toString());
    assert.equal(back.searchParams.get('state'), null);
    assert.equal(back.searchParams.get('code'), null);
  });

  it('keeps serving afterwards', async () => {
    const reply = await send(suite, 'GET', '/health/ready', {});
    assert.equal(reply.status, 200, reply.text);
    assert.ok(await tokenFor(suite, machine));
  });
});
