import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as oidc from 'openid-client';
import { createRemoteJWKSet, decodeJwt, jwtVerify, SignJWT } from 'jose';
import { sharedSuite, startSuite, type RunningSuite } from '#testing';
import { allow, browserUnavailable, launchBrowser, newContext, signIn, TestApp } from './support/browser.js';
import { clientKey, JwksServer, signAssertion, type ClientKey } from './support/client-keys.js';
import { assertOAuthError, basicAuth, call, form, oidcConfig, register, tokenRequest, type RegisteredClient, type Reply } from './support/http.js';
import { adminToken, createUser } from './support/people.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const BULK_SCOPE = 'system/Patient.rs system/Observation.rs system/Group.read';

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A client_credentials request authenticated by `assertion` (SMART Backend Services). */
function backendToken(suite: RunningSuite, assertion: string, extra: Record<string, string> = {}): Promise<Reply> {
  return tokenRequest(suite, { grant_type: 'client_credentials', scope: 'system/Patient.rs', client_assertion_type: ASSERTION_TYPE, client_assertion: assertion, ...extra });
}

async function assertHealthy(suite: RunningSuite, what: string): Promise<void> {
  const health = await call(suite, '/health/ready');
  assert.equal(health.status, 200, `${what}: /health/ready ${health.status} ${health.text}`);
}

function registerBulk(suite: RunningSuite, keys: { jwks?: ClientKey[]; jwks_uri?: string }, extra: Record<string, unknown> = {}): Promise<RegisteredClient> {
  return register(suite, {
    client_name: 'Bulk Client',
    grant_types: ['client_credentials'],
    token_endpoint_auth_method: 'private_key_jwt',
    scope: BULK_SCOPE,
    ...(keys.jwks ? { jwks: { keys: keys.jwks.map((k) => k.publicJwk) } } : {}),
    ...(keys.jwks_uri ? { jwks_uri: keys.jwks_uri } : {}),
    ...extra,
  });
}

describe('private_key_jwt client authentication and SMART Backend Services (RFC 7523 §2.2)', () => {
  let suite: RunningSuite & { owned: boolean };
  let jwksServer: JwksServer;
  let es384: ClientKey;
  let rs384: ClientKey;
  let inline: RegisteredClient;
  let remote: RegisteredClient;
  let tokenUrl: string;

  before(async () => {
    suite = await sharedSuite();
    tokenUrl = `${suite.issuer}/token`;
    jwksServer = await JwksServer.start();
    es384 = await clientKey('ES384');
    rs384 = await clientKey('RS384');
    inline = await registerBulk(suite, { jwks: [es384, rs384] });
    remote = await registerBulk(suite, { jwks_uri: jwksServer.serve('remote', rs384) });
  });
  after(async () => {
    await jwksServer?.stop();
    if (suite?.owned) await suite.stop();
  });

  it('advertises private_key_jwt, the signing algorithms and client-confidential-asymmetric', async () => {
    const smart = (await call(suite, '/.well-known/smart-configuration')).json;
    assert.ok((smart.token_endpoint_auth_methods_supported as string[]).includes('private_key_jwt'));
    assert.deepEqual([...(smart.token_endpoint_auth_signing_alg_values_supported as string[])].sort(), ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512']);
    assert.ok((smart.capabilities as string[]).includes('client-confidential-asymmetric'));
    assert.ok((smart.grant_types_supported as string[]).includes('client_credentials'));
    const oauth = (await call(suite, '/.well-known/oauth-authorization-server')).json;
    assert.ok((oauth.introspection_endpoint_auth_methods_supported as string[]).includes('private_key_jwt'));
    assert.ok((oauth.revocation_endpoint_auth_methods_supported as string[]).includes('private_key_jwt'));
  });

  for (const alg of ['ES384', 'RS384'] as const) {
    it(`issues a backend-services token through openid-client's PrivateKeyJwt (${alg}, registered jwks)`, async () => {
      const key = alg === 'ES384' ? es384 : rs384;
      const config = await oidcConfig(suite, inline.client_id, oidc.PrivateKeyJwt({ key: key.privateKey, kid: key.kid }));
      const tokens = await oidc.clientCredentialsGrant(config, { scope: 'system/Patient.rs system/Group.read' });
      assert.equal(tokens.token_type.toLowerCase(), 'bearer');
      assert.ok(typeof tokens.expires_in === 'number' && tokens.expires_in > 0 && tokens.expires_in <= 300, `expires_in ${tokens.expires_in}`);
      assert.equal(tokens.refresh_token, undefined, 'no refresh token (SMART Backend Services)');
      assert.equal(tokens.scope, 'system/Patient.rs system/Group.read');
      const { payload } = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(`${suite.issuer}/jwks`)), { issuer: suite.issuer, audience: suite.fhirBaseUrl });
      assert.equal(payload.sub, inline.client_id);
      assert.equal(payload.client_id, inline.client_id);
      assert.equal(payload.patient, undefined);
      assert.equal(payload.fhirUser, undefined);
    });
  }

  it('fetches keys from the registered jwks_uri once and caches them', async () => {
    const config = await oidcConfig(suite, remote.client_id, oidc.PrivateKeyJwt({ key: rs384.privateKey, kid: rs384.kid }));
    for (let i = 0; i < 3; i++) assert.ok((await oidc.clientCredentialsGrant(config)).access_token);
    assert.equal(jwksServer.fetches.get('/jwks/remote'), 1);
  });

  it('accepts aud = token URL, and a client_id parameter that matches', async () => {
    const reply = await backendToken(suite, await signAssertion(es384, inline.client_id, tokenUrl), { client_id: inline.client_id });
    assert.equal(reply.status, 200, reply.text);
    assert.ok(reply.json.expires_in as number <= 300);
  });

  it('authenticates at /introspect and /revoke with an assertion', async () => {
    const token = (await backendToken(suite, await signAssertion(es384, inline.client_id, tokenUrl))).json.access_token as string;
    const own = await form(suite, '/introspect', { token, client_assertion_type: ASSERTION_TYPE, client_assertion: await signAssertion(es384, inline.client_id, `${suite.issuer}/introspect`) });
    assert.equal(own.status, 200, own.text);
    assert.equal(own.json.active, true);
    assert.equal(own.json.client_id, inline.client_id);
    const revoked = await form(suite, '/revoke', { token, client_assertion_type: ASSERTION_TYPE, client_assertion: await signAssertion(es384, inline.client_id, suite.issuer) });
    assert.equal(revoked.status, 200, revoked.text);
    const after = await form(suite, '/introspect', { token, client_assertion_type: ASSERTION_TYPE, client_assertion: await signAssertion(es384, inline.client_id, tokenUrl) });
    assert.deepEqual(after.json, { active: false });
    const stale = await form(suite, '/introspect', { token, client_assertion_type: ASSERTION_TYPE, client_assertion: await signAssertion(es384, inline.client_id, tokenUrl, { exp: Math.floor(Date.now() / 1000) - 300 }) });
    assertOAuthError(stale, 401, 'invalid_client');
  });

  it('answers an invalid client_assertion_type with exactly 400', async () => {
    const reply = await tokenRequest(suite, { grant_type: 'client_credentials', client_assertion_type: 'not_an_assertion_type', client_assertion: await signAssertion(es384, inline.client_id, tokenUrl) });
    assertOAuthError(reply, 400, 'invalid_client');
  });

  it('refuses a replayed jti', async () => {
    const assertion = await signAssertion(es384, inline.client_id, tokenUrl);
    assert.equal((await backendToken(suite, assertion)).status, 200);
    const replay = await backendToken(suite, assertion);
    assertOAuthError(replay, 401, 'invalid_client');
    assert.match(String(replay.json.error_description), /jti has already been used/);
  });

  const now = () => Math.floor(Date.now() / 1000);
  const failures: Array<[string, () => Promise<string>, RegExp]> = [
    ['an expired assertion', () => signAssertion(es384, inline.client_id, tokenUrl, { exp: now() - 120, iat: now() - 300 }), /expired/],
    ['exp too far in the future', () => signAssertion(es384, inline.client_id, tokenUrl, { exp: now() + 600 }), /more than 300 seconds/],
    ['no exp', () => signAssertion(es384, inline.client_id, tokenUrl, { exp: undefined }), /exp is required/],
    ['no jti', () => signAssertion(es384, inline.client_id, tokenUrl, { jti: undefined }), /jti is required/],
    ['a wrong aud', () => signAssertion(es384, inline.client_id, 'https://elsewhere.example/token'), /aud must be/],
    ['aud = FHIR server', () => signAssertion(es384, inline.client_id, `${suite.issuer}/fhir`), /aud must be/],
    ['an unknown iss', () => signAssertion(es384, 'not_a_valid_iss', tokenUrl), /iss is not a registered client/],
    ['iss ≠ sub', () => signAssertion(es384, inline.client_id, tokenUrl, { sub: 'someone-else' }), /sub must be the client_id/],
    ['an unknown kid', () => signAssertion(es384, inline.client_id, tokenUrl, {}, { kid: 'no-such-kid' }), /no key with kid "no-such-kid"/],
    ['no kid', () => signAssertion(es384, inline.client_id, tokenUrl, {}, { kid: undefined }), /no kid/],
    ['a wrong alg for the key', () => signAssertion(rs384, inline.client_id, tokenUrl, {}, { kid: es384.kid }), /cannot be used with RS384/],
    ['alg none', async () => `${b64({ alg: 'none', kid: es384.kid, typ: 'JWT' })}.${b64({ iss: inline.client_id, sub: inline.client_id, aud: tokenUrl, exp: now() + 120, jti: randomUUID() })}.`, /alg "none" is not accepted/],
    [
      'HMAC signed with the public key',
      () =>
        new SignJWT({ iss: inline.client_id, sub: inline.client_id, aud: tokenUrl, exp: now() + 120, jti: randomUUID() })
          .setProtectedHeader({ alg: 'HS256', kid: rs384.kid })
          .sign(new TextEncoder().encode(JSON.stringify(rs384.publicJwk))),
      /alg "HS256" is not accepted/,
    ],
    [
      'a tampered signature',
      async () => {
        const [h, p, s] = (await signAssertion(es384, inline.client_id, tokenUrl)).split('.');
        const sig = Buffer.from(s!, 'base64url');
        sig[5] = sig[5]! ^ 0xff;
        return `${h}.${p}.${sig.toString('base64url')}`;
      },
      /signature does not verify/,
    ],
    ['a tampered payload', async () => {
      const [h, , s] = (await signAssertion(es384, inline.client_id, tokenUrl)).split('.');
      return `${h}.${b64({ iss: inline.client_id, sub: inline.client_id, aud: tokenUrl, exp: now() + 120, jti: randomUUID(), scope: 'system/*.*' })}.${s}`;
    }, /signature does not verify/],
    ['a jku that is not the registered jwks_uri', () => signAssertion(es384, inline.client_id, tokenUrl, {}, { jku: `${jwksServer.base}/jwks/remote` }), /jku is not the registered jwks_uri/],
    ['a key registered with another client', () => signAssertion(rs384, remote.client_id, tokenUrl, {}, { kid: es384.kid }), /no key with kid/],
    ['garbage', async () => 'eyJhbGciOi.not-a.jwt', /not a well-formed/],
  ];
  for (const [name, make, description] of failures) {
    it(`refuses ${name} with 401 invalid_client and stays healthy`, async () => {
      const reply = await backendToken(suite, await make());
      assertOAuthError(reply, 401, 'invalid_client', name);
      assert.match(String(reply.json.error_description), description, name);
      assert.doesNotMatch(reply.text, /"(n|x|y|e)":"/, 'no key material in the error');
      await assertHealthy(suite, name);
    });
  }

  it('refuses an alg other than the registered token_endpoint_auth_signing_alg', async () => {
    const pinned = await registerBulk(suite, { jwks: [es384, rs384] }, { token_endpoint_auth_signing_alg: 'ES384' });
    assert.equal((await backendToken(suite, await signAssertion(es384, pinned.client_id, tokenUrl))).status, 200);
    const reply = await backendToken(suite, await signAssertion(rs384, pinned.client_id, tokenUrl));
    assertOAuthError(reply, 401, 'invalid_client');
    assert.match(String(reply.json.error_description), /alg must be ES384/);
  });

  it('refuses a secret client presenting an assertion, and an assertion client presenting a secret', async () => {
    const secretClient = await register(suite, { grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', scope: 'system/Patient.rs' });
    assertOAuthError(await backendToken(suite, await signAssertion(es384, secretClient.client_id, tokenUrl)), 401, 'invalid_client');
    assertOAuthError(await tokenRequest(suite, { grant_type: 'client_credentials' }, { authorization: basicAuth(inline.client_id, 'guess') }), 401, 'invalid_client');
  });

  it('picks up a rotated key at the jwks_uri (unknown kid → one refetch)', async () => {
    const first = await clientKey('ES384');
    const uri = jwksServer.serve('rotating', first);
    const client = await registerBulk(suite, { jwks_uri: uri });
    assert.equal((await backendToken(suite, await signAssertion(first, client.client_id, tokenUrl))).status, 200);
    const next = await clientKey('ES384');
    jwksServer.serve('rotating', first, next);
    // The cached set is fresh for its max-age, but an unknown kid triggers a refetch (rate-limited to one per 10 s).
    await new Promise((r) => setTimeout(r, 10_500));
    const reply = await backendToken(suite, await signAssertion(next, client.client_id, tokenUrl));
    assert.equal(reply.status, 200, reply.text);
  });

  const badUris: Array<[string, () => string, RegExp]> = [
    ['a jwks_uri that times out', () => `${jwksServer.base}/slow`, /did not answer within 3000 ms/],
    ['a jwks_uri that returns garbage', () => `${jwksServer.base}/garbage`, /did not return JSON/],
    ['a jwks_uri that is not found', () => `${jwksServer.base}/jwks/missing`, /HTTP 404/],
    ['a jwks_uri at a private address', () => 'https://10.20.30.40/jwks', /refused: 10\.20\.30\.40 is a private/],
    ['a jwks_uri at the cloud metadata address', () => 'https://169.254.169.254/latest/meta-data/jwks', /refused: 169\.254\.169\.254/],
    ['a jwks_uri whose host resolves to loopback', () => `http://localhost:${new URL(jwksServer.base).port}/jwks/remote`, /refused: localhost resolves to/],
  ];
  for (const [name, uri, description] of badUris) {
    it(`refuses ${name} with 401 invalid_client and stays healthy`, async () => {
      const client = await registerBulk(suite, { jwks_uri: uri() });
      const started = Date.now();
      const reply = await backendToken(suite, await signAssertion(rs384, client.client_id, tokenUrl));
      assertOAuthError(reply, 401, 'invalid_client', name);
      assert.match(String(reply.json.error_description), description, name);
      assert.ok(Date.now() - started < 4500, `answered in ${Date.now() - started} ms`);
      await assertHealthy(suite, name);
      // Other clients are unaffected.
      assert.equal((await backendToken(suite, await signAssertion(es384, inline.client_id, tokenUrl))).status, 200);
    });
  }
});

const realInfrastructure = Boolean(process.env.NATS_URL && process.env.DATABASE_URL);

describe('jti replay across token service replicas', { skip: realInfrastructure ? false : 'needs NATS_URL and DATABASE_URL' }, () => {
  let suite: RunningSuite;
  let second: ChildProcess;
  before(async () => {
    suite = await startSuite();
    second = await suite.startService('token');
    await new Promise((r) => setTimeout(r, 3000));
  });
  after(async () => {
    second?.kill('SIGTERM');
    await suite?.stop();
  });

  it('a jti accepted by one token process is refused by every other', async () => {
    const key = await clientKey('ES384');
    const client = await registerBulk(suite, { jwks: [key] });
    const tokenUrl = `${suite.issuer}/token`;
    for (let i = 0; i < 10; i++) {
      const assertion = await signAssertion(key, client.client_id, tokenUrl);
      // Sent at once, the copies land on both replicas of the queue group: exactly one may succeed.
      const replies = await Promise.all(Array.from({ length: 6 }, () => backendToken(suite, assertion)));
      const ok = replies.filter((r) => r.status === 200);
      assert.equal(ok.length, 1, `round ${i}: ${replies.map((r) => `${r.status} ${String(r.json.error_description ?? '')}`).join(' | ')}`);
      for (const r of replies.filter((x) => x.status !== 200)) {
        assertOAuthError(r, 401, 'invalid_client');
        assert.match(String(r.json.error_description), /jti has already been used/);
      }
      assert.equal(decodeJwt(ok[0]!.json.access_token as string).sub, client.client_id);
    }
  });
});

describe('an asymmetric user-facing app (SMART client-confidential-asymmetric): authorization code and refresh with private_key_jwt', { skip: browserUnavailable() }, () => {
  let suite: RunningSuite & { owned: boolean };
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let app: TestApp;
  before(async () => {
    suite = await sharedSuite();
    browser = await launchBrowser();
    app = await TestApp.start();
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    if (suite?.owned) await suite.stop();
  });

  it('completes the launch through openid-client with an RS384 assertion at /token, and refreshes the same way', async () => {
    const key = await clientKey('RS384');
    const scope = 'launch/patient openid fhirUser offline_access patient/*.rs';
    const client = await register(suite, {
      client_name: 'Asymmetric Client',
      redirect_uris: [app.callback],
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'RS384',
      jwks: { keys: [key.publicJwk] },
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      scope,
    });
    const user = await createUser(suite, await adminToken(suite), { fhirUser: 'Patient/pt-asym', display_name: 'Asym Patient' });
    const config = await oidcConfig(suite, client.client_id, oidc.PrivateKeyJwt({ key: key.privateKey, kid: key.kid }));
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: app.callback,
      scope,
      aud: suite.fhirBaseUrl,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const page = await (await newContext(browser)).newPage();
    await page.goto(url.href);
    await signIn(page, user.username, user.password);
    await allow(page);
    const callback = await app.landed(page);
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
    assert.equal(tokens.patient, 'pt-asym');
    assert.equal(tokens.claims()!.sub, user.id);
    assert.equal(typeof tokens.refresh_token, 'string');

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    assert.ok(refreshed.access_token);
    assert.equal(refreshed.patient, 'pt-asym');
    // A random refresh token is refused (Inferno's asymmetric launch group).
    await assert.rejects(oidc.refreshTokenGrant(config, 'not-a-refresh-token'), (err: unknown) => {
      assert.ok(err instanceof oidc.ResponseBodyError, String(err));
      assert.ok(err.status === 400 || err.status === 401, String(err.status));
      return true;
    });
    // The same code flow client with an ES384 assertion: refused, the client registered RS384.
    const wrongAlg = await clientKey('ES384');
    const reply = await tokenRequest(suite, {
      grant_type: 'refresh_token',
      refresh_token: refreshed.refresh_token ?? tokens.refresh_token!,
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: await signAssertion(wrongAlg, client.client_id, `${suite.issuer}/token`, {}, { kid: key.kid }),
    });
    assertOAuthError(reply, 401, 'invalid_client');
  });
});

describe('JWT bearer authorization grant (RFC 7523 §2.1)', () => {
  const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
  let suite: RunningSuite & { owned: boolean };
  let admin: string;
  let key: ClientKey;
  let client: RegisteredClient;
  let tokenUrl: string;
  let user: Awaited<ReturnType<typeof createUser>>;
  const adminCall = (path: string, method: 'GET' | 'PUT', body?: unknown, token = admin) =>
    call(suite, path, { method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const grant = (assertion: string, extra: Record<string, string> = {}) => tokenRequest(suite, { grant_type: JWT_BEARER, assertion, ...extra });

  before(async () => {
    suite = await sharedSuite();
    tokenUrl = `${suite.issuer}/token`;
    admin = await adminToken(suite);
    key = await clientKey('ES384');
    client = await register(suite, {
      client_name: 'Delegating Service',
      grant_types: [JWT_BEARER],
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [key.publicJwk] },
      scope: 'user/Patient.rs user/Observation.rs',
    });
    user = await createUser(suite, admin, { fhirUser: 'Practitioner/pr-jwt', display_name: 'Dr. Bearer' });
  });
  after(async () => {
    if (suite?.owned) await suite.stop();
  });

  it('refuses a user who has not allowed the client with invalid_grant', async () => {
    const reply = await grant(await signAssertion(key, client.client_id, tokenUrl, { sub: user.id }));
    assertOAuthError(reply, 400, 'invalid_grant');
    assert.match(String(reply.json.error_description), /not a user this client may act for/);
  });

  it('manages the allow-list through the admin API', async () => {
    assert.deepEqual((await adminCall(`/admin/users/${user.id}/jwt-bearer-clients`, 'GET')).json, { user_id: user.id, client_ids: [] });
    const put = await adminCall(`/admin/users/${user.id}/jwt-bearer-clients`, 'PUT', { client_ids: [client.client_id] });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(put.json, { user_id: user.id, client_ids: [client.client_id] });
    assert.deepEqual((await adminCall(`/admin/users/${user.id}/jwt-bearer-clients`, 'GET')).json.client_ids, [client.client_id]);
    assertOAuthError(await adminCall(`/admin/users/${user.id}/jwt-bearer-clients`, 'PUT', { client_ids: ['no-such-client'] }), 400, 'invalid_request');
    assertOAuthError(await adminCall(`/admin/users/${user.id}/jwt-bearer-clients`, 'PUT', { client_ids: 'x' }), 400, 'invalid_request');
    assert.equal((await adminCall('/admin/users/00000000-0000-0000-0000-000000000000/jwt-bearer-clients', 'GET')).status, 404);
    assert.equal((await call(suite, `/admin/users/${user.id}/jwt-bearer-clients`)).status, 401);
  });

  it('issues an access token for the user, scopes narrowed, no refresh token; the assertion is single use', async () => {
    const assertion = await signAssertion(key, client.client_id, tokenUrl, { sub: user.id });
    const reply = await grant(assertion, { scope: 'user/Patient.rs user/Encounter.rs' });
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.json.scope, 'user/Patient.rs');
    assert.equal(reply.json.refresh_token, undefined);
    assert.equal(reply.json.token_type, 'Bearer');
    const { payload } = await jwtVerify(reply.json.access_token as string, createRemoteJWKSet(new URL(`${suite.issuer}/jwks`)), { issuer: suite.issuer, audience: suite.fhirBaseUrl });
    assert.equal(payload.sub, user.id);
    assert.equal(payload.client_id, client.client_id);
    assert.equal(payload.fhirUser, `${suite.fhirBaseUrl}/Practitioner/pr-jwt`);
    const introspected = await form(suite, '/introspect', { token: reply.json.access_token as string }, { authorization: basicAuth(suite.adminClientId, suite.adminClientSecret) });
    assert.equal(introspected.json.active, true);
    assert.equal(introspected.json.sub, user.id);

    const replay = await grant(assertion);
    assertOAuthError(replay, 400, 'invalid_grant');
    assert.match(String(replay.json.error_description), /jti has already been used/);
  });

  it('refuses bad assertions with invalid_grant', async () => {
    const now = Math.floor(Date.now() / 1000);
    const other = await clientKey('ES384', key.kid);
    const cases: Array<[string, Promise<string>, RegExp]> = [
      ['a wrong aud', signAssertion(key, client.client_id, 'https://elsewhere.example/token', { sub: user.id }), /aud must be/],
      ['an expired assertion', signAssertion(key, client.client_id, tokenUrl, { sub: user.id, exp: now - 120 }), /expired/],
      ['exp too far ahead', signAssertion(key, client.client_id, tokenUrl, { sub: user.id, exp: now + 900 }), /more than 300 seconds/],
      ['no jti', signAssertion(key, client.client_id, tokenUrl, { sub: user.id, jti: undefined }), /jti is required/],
      ['a signature by another key', signAssertion(other, client.client_id, tokenUrl, { sub: user.id }), /signature does not verify/],
      ['an unknown user', signAssertion(key, client.client_id, tokenUrl, { sub: 'no-such-user' }), /not a user this client may act for/],
      ['the client itself as sub', signAssertion(key, client.client_id, tokenUrl), /not a user this client may act for/],
      ['an unknown iss', signAssertion(key, 'not-a-client', tokenUrl, { sub: user.id }), /iss is not a registered client/],
    ];
    for (const [name, pending, description] of cases) {
      const reply = await grant(await pending);
      assertOAuthError(reply, 400, 'invalid_grant', name);
      assert.match(String(reply.json.error_description), description, name);
    }
    assertOAuthError(await tokenRequest(suite, { grant_type: JWT_BEARER }), 400, 'invalid_request');
    await assertHealthy(suite, 'jwt-bearer refusals');
  });

  it('refuses a client not registered for the grant, and a disabled user', async () => {
    const backend = await registerBulk(suite, { jwks: [key] });
    await adminCall(`/admin/users/${user.id}/jwt-bearer-clients`, 'PUT', { client_ids: [client.client_id, backend.client_id] });
    assertOAuthError(await grant(await signAssertion(key, backend.client_id, tokenUrl, { sub: user.id })), 400, 'unauthorized_client');
    // With client authentication, the assertion must be the authenticated client's own.
    const mismatched = await grant(await signAssertion(key, client.client_id, tokenUrl, { sub: user.id }), {
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: await signAssertion(key, backend.client_id, tokenUrl),
    });
    assertOAuthError(mismatched, 400, 'invalid_grant');
    const disabled = await call(suite, `/admin/users/${user.id}`, { method: 'PATCH', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ disabled: true }) });
    assert.equal(disabled.status, 200, disabled.text);
    assertOAuthError(await grant(await signAssertion(key, client.client_id, tokenUrl, { sub: user.id })), 400, 'invalid_grant');
  });
});
