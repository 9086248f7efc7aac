import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { sharedSuite, type RunningSuite } from '#testing';
import {
  assertOAuthError,
  basicAuth,
  call,
  machineClient,
  oidcConfig,
  postRegistration,
  register,
  tokenRequest,
  type RegisteredClient,
  type Reply,
} from './support/http.js';

const REGISTERED_SCOPE = 'system/Patient.rs system/Observation.rs';

function scopeSet(scope: unknown): string[] {
  assert.equal(typeof scope, 'string');
  return (scope as string).split(' ').sort();
}

describe('client_credentials at /token (SMART Backend Services, RFC 6749 §4.4)', () => {
  let suite: RunningSuite & { owned: boolean };
  let client: RegisteredClient;
  let config: oidc.Configuration;
  const auth = () => ({ authorization: basicAuth(client.client_id, client.client_secret!) });
  before(async () => {
    suite = await sharedSuite();
    client = await machineClient(suite, REGISTERED_SCOPE);
    config = await oidcConfig(suite, client.client_id, oidc.ClientSecretBasic(client.client_secret!));
  });
  after(async () => {
    if (suite.owned) await suite.stop();
  });

  it('issues a token through openid-client with the registered scope when none is requested', async () => {
    const tokens = await oidc.clientCredentialsGrant(config);
    assert.ok(typeof tokens.access_token === 'string' && tokens.access_token.length > 0);
    assert.equal(tokens.token_type.toLowerCase(), 'bearer');
    assert.equal(typeof tokens.expires_in, 'number');
    assert.ok(tokens.expires_in! > 0 && tokens.expires_in! <= 3600, `expires_in ${tokens.expires_in}`);
    assert.deepEqual(scopeSet(tokens.scope), scopeSet(REGISTERED_SCOPE));
    assert.equal(tokens.refresh_token, undefined, 'no refresh token for client_credentials (SMART BS-02)');
  });

  it('sends no-store and no-cache on success', async () => {
    const ok = await tokenRequest(suite, { grant_type: 'client_credentials' }, auth());
    assert.equal(ok.status, 200, ok.text);
    assert.match(ok.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(ok.headers.get('cache-control'), 'no-store');
    assert.equal(ok.headers.get('pragma'), 'no-cache');
  });

  it('answers cross-origin token requests with CORS (SMART TK-10)', async () => {
    const reply = await tokenRequest(suite, { grant_type: 'client_credentials' }, { ...auth(), origin: 'https://app.example' });
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.headers.get('access-control-allow-origin'), '*');
  });

  it('sends no-store and no-cache on errors', async () => {
    const errors = [
      await tokenRequest(suite, { grant_type: 'nope' }),
      await tokenRequest(suite, { grant_type: 'client_credentials' }, { authorization: basicAuth(client.client_id, 'wrong') }),
      await tokenRequest(suite, { grant_type: 'client_credentials', scope: 'system/Encounter.rs' }, auth()),
    ];
    for (const reply of errors) {
      assert.ok(reply.status >= 400, reply.text);
      assert.equal(reply.headers.get('cache-control'), 'no-store', `${reply.status} ${reply.text}`);
      assert.equal(reply.headers.get('pragma'), 'no-cache', `${reply.status} ${reply.text}`);
      assert.match(reply.headers.get('content-type') ?? '', /^application\/json/);
    }
  });

  it('issues an RFC 9068 JWT that verifies against /jwks', async () => {
    const tokens = await oidc.clientCredentialsGrant(config);
    const header = decodeProtectedHeader(tokens.access_token);
    assert.equal(header.alg, 'ES256');
    assert.equal(header.typ, 'at+jwt');
    assert.ok(typeof header.kid === 'string' && header.kid.length > 0);
    const { payload } = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(`${suite.issuer}/jwks`)), {
      issuer: suite.issuer,
      audience: suite.fhirBaseUrl,
      typ: 'at+jwt',
      algorithms: ['ES256'],
    });
    assert.equal(payload.iss, suite.issuer);
    assert.equal(payload.aud, suite.fhirBaseUrl);
    assert.equal(payload.sub, client.client_id);
    assert.equal(payload.client_id, client.client_id);
    assert.equal(payload.scope, tokens.scope);
    assert.ok(typeof payload.jti === 'string' && payload.jti.length > 0);
    assert.equal(typeof payload.iat, 'number');
    assert.equal(typeof payload.exp, 'number');
    assert.ok(Math.abs(payload.iat! - Date.now() / 1000) < 60, 'iat is now');
    assert.ok(Math.abs(payload.exp! - payload.iat! - tokens.expires_in!) <= 2, 'exp - iat matches expires_in');
    const again = await oidc.clientCredentialsGrant(config);
    const second = await jwtVerify(again.access_token, createRemoteJWKSet(new URL(`${suite.issuer}/jwks`)));
    assert.notEqual(second.payload.jti, payload.jti, 'every token has its own jti');
  });

  it('narrows the requested scopes to the registered ones', async () => {
    assert.equal((await oidc.clientCredentialsGrant(config, { scope: 'system/Patient.rs' })).scope, 'system/Patient.rs');
    assert.deepEqual(scopeSet((await oidc.clientCredentialsGrant(config, { scope: 'system/*.rs' })).scope), scopeSet(REGISTERED_SCOPE));
  });

  it('refuses a request for only unregistered scopes with invalid_scope', async () => {
    assertOAuthError(await tokenRequest(suite, { grant_type: 'client_credentials', scope: 'system/Encounter.rs' }, auth()), 400, 'invalid_scope');
    await assert.rejects(oidc.clientCredentialsGrant(config, { scope: 'system/Encounter.rs' }), (err: unknown) => {
      assert.ok(err instanceof oidc.ResponseBodyError, String(err));
      assert.equal(err.error, 'invalid_scope');
      assert.equal(err.status, 400);
      return true;
    });
  });

  it('accepts client_secret_post for clients registered with it (through openid-client too)', async () => {
    const post = await machineClient(suite, 'system/Patient.rs', { token_endpoint_auth_method: 'client_secret_post' });
    const ok = await tokenRequest(suite, { grant_type: 'client_credentials', client_id: post.client_id, client_secret: post.client_secret! });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json.scope, 'system/Patient.rs');
    const postConfig = await oidcConfig(suite, post.client_id, oidc.ClientSecretPost(post.client_secret!));
    assert.equal((await oidc.clientCredentialsGrant(postConfig)).scope, 'system/Patient.rs');
  });

  it('refuses Basic for a client registered for client_secret_post', async () => {
    const post = await machineClient(suite, 'system/Patient.rs', { token_endpoint_auth_method: 'client_secret_post' });
    assertOAuthError(await tokenRequest(suite, { grant_type: 'client_credentials' }, { authorization: basicAuth(post.client_id, post.client_secret!) }), 401, 'invalid_client');
  });

  it('refuses body credentials for a client registered for client_secret_basic', async () => {
    const reply = await tokenRequest(suite, { grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret! });
    // RFC 6749 §5.2: 401 is required only when the Authorization header was used.
    assert.ok(reply.status === 400 || reply.status === 401, `${reply.status} ${reply.text}`);
    assert.equal(reply.json.error, 'invalid_client');
  });

  const errors: Array<[string, () => Promise<Reply>, number, string]> = [
    ['an unknown grant_type, even with bad credentials', () => tokenRequest(suite, { grant_type: 'not_a_grant_type' }, { authorization: basicAuth('nobody', 'nothing') }), 400, 'unsupported_grant_type'],
    ['an unknown grant_type without credentials', () => tokenRequest(suite, { grant_type: 'not_a_grant_type' }), 400, 'unsupported_grant_type'],
    ['an unknown grant_type with valid credentials', () => tokenRequest(suite, { grant_type: 'not_a_grant_type' }, auth()), 400, 'unsupported_grant_type'],
    ['the password grant', () => tokenRequest(suite, { grant_type: 'password', username: 'a', password: 'b' }, auth()), 400, 'unsupported_grant_type'],
    ['a malformed scope', () => tokenRequest(suite, { grant_type: 'client_credentials', scope: 'bogus' }, auth()), 400, 'invalid_scope'],
    ['the admin scope for a normal client', () => tokenRequest(suite, { grant_type: 'client_credentials', scope: 'admin' }, auth()), 400, 'invalid_scope'],
    ['the introspect scope for a client without it', () => tokenRequest(suite, { grant_type: 'client_credentials', scope: 'introspect' }, auth()), 400, 'invalid_scope'],
    ['a missing grant_type', () => tokenRequest(suite, { scope: 'system/Patient.rs' }, auth()), 400, 'invalid_request'],
    ['a repeated grant_type', () => tokenRequest(suite, 'grant_type=client_credentials&grant_type=client_credentials', auth()), 400, 'invalid_request'],
    ['a repeated scope', () => tokenRequest(suite, 'grant_type=client_credentials&scope=system%2FPatient.rs&scope=system%2FPatient.rs', auth()), 400, 'invalid_request'],
    ['an unknown client', () => tokenRequest(suite, { grant_type: 'client_credentials' }, { authorization: basicAuth('nobody', 'nothing') }), 401, 'invalid_client'],
    ['no client authentication at all', () => tokenRequest(suite, { grant_type: 'client_credentials' }), 401, 'invalid_client'],
    ['Basic and body credentials together', () => tokenRequest(suite, { grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret! }, auth()), 400, 'invalid_request'],
    [
      'a JSON body',
      () => call(suite, '/token', { method: 'POST', headers: { 'content-type': 'application/json', ...auth() }, body: '{"grant_type":"client_credentials"}' }),
      400,
      'invalid_request',
    ],
    // RFC 7521 §4.2.1 (invalid_client), with ONC (g)(10)'s exact 400 (CONFORMANCE BS-04).
    ['an invalid client_assertion_type', () => tokenRequest(suite, { grant_type: 'client_credentials', client_assertion_type: 'not_an_assertion_type', client_assertion: 'x' }), 400, 'invalid_client'],
  ];
  for (const [name, send, status, error] of errors) {
    it(`refuses ${name} with ${status} ${error}`, async () => {
      assertOAuthError(await send(), status, error);
    });
  }

  it('refuses a wrong secret with 401 and a Basic challenge', async () => {
    const reply = await tokenRequest(suite, { grant_type: 'client_credentials' }, { authorization: basicAuth(client.client_id, 'wrong') });
    assertOAuthError(reply, 401, 'invalid_client');
    assert.match(reply.headers.get('www-authenticate') ?? '', /^Basic/);
    await assert.rejects(oidc.clientCredentialsGrant(await oidcConfig(suite, client.client_id, oidc.ClientSecretBasic('wrong'))), (err: unknown) => {
      assert.ok(err instanceof oidc.ResponseBodyError || err instanceof oidc.WWWAuthenticateChallengeError, String(err));
      assert.equal(err.status, 401);
      return true;
    });
  });

  it('refuses to register a public client_credentials client', async () => {
    assertOAuthError(await postRegistration(suite, { grant_types: ['client_credentials'], token_endpoint_auth_method: 'none', scope: 'system/*.rs' }), 400, 'invalid_client_metadata');
  });

  it('refuses client_credentials for a public client (RFC 6749 §4.4)', async () => {
    const app = await register(suite, { redirect_uris: ['https://app.example/cb'], token_endpoint_auth_method: 'none', grant_types: ['authorization_code'], scope: 'openid fhirUser' });
    assertOAuthError(await tokenRequest(suite, { grant_type: 'client_credentials', client_id: app.client_id }), 400, 'unauthorized_client');
  });

  it('refuses a confidential client not registered for client_credentials', async () => {
    const webApp = await register(suite, { redirect_uris: ['https://app.example/cb'], token_endpoint_auth_method: 'client_secret_basic', grant_types: ['authorization_code'], scope: 'openid fhirUser' });
    assertOAuthError(await tokenRequest(suite, { grant_type: 'client_credentials' }, { authorization: basicAuth(webApp.client_id, webApp.client_secret!) }), 400, 'unauthorized_client');
  });

  it('decodes form-url-encoded Basic credentials (RFC 6749 §2.3.1)', async () => {
    const id = `e2e.basic~${Date.now()}-x_y`;
    const special = await register(suite, { client_id: id, grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', scope: 'system/Patient.rs' });
    assert.equal(special.client_id, id);
    // Every byte percent-encoded: still the same id and secret once form-url-decoded.
    const encodeAll = (v: string) => [...Buffer.from(v, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
    const header = `Basic ${Buffer.from(`${encodeAll(special.client_id)}:${encodeAll(special.client_secret!)}`).toString('base64')}`;
    const ok = await tokenRequest(suite, { grant_type: 'client_credentials' }, { authorization: header });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(decodeJwt(ok.json.access_token as string).client_id, id);
  });

  it('is still ready afterwards', async () => {
    const ready = await call(suite, '/health/ready');
    assert.equal(ready.status, 200, ready.text);
  });
});
