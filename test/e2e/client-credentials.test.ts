import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { sharedSuite, type RunningSuite } from '#testing';
import { basicAuth, call, form, machineClient, register, type RegisteredClient } from './support/http.js';

describe('client_credentials at /token', () => {
  let suite: RunningSuite & { owned: boolean };
  let client: RegisteredClient;
  let config: oidc.Configuration;
  before(async () => {
    suite = await sharedSuite();
    client = await machineClient(suite);
    config = await oidc.discovery(new URL(suite.issuer), client.client_id, undefined, oidc.ClientSecretBasic(client.client_secret!), { execute: [oidc.allowInsecureRequests] });
  });
  after(async () => suite.owned && (await suite.stop()));

  it('issues an RFC 9068 access token through openid-client', async () => {
    const tokens = await oidc.clientCredentialsGrant(config);
    assert.equal(tokens.token_type.toLowerCase(), 'bearer');
    assert.equal(typeof tokens.expires_in, 'number');
    assert.ok(tokens.expires_in! > 0 && tokens.expires_in! <= 3600);
    assert.equal(tokens.scope, 'system/Patient.rs system/Observation.rs');
    const header = decodeProtectedHeader(tokens.access_token);
    assert.equal(header.typ, 'at+jwt');
    assert.equal(header.alg, 'ES256');
    assert.ok(header.kid);
    const { payload } = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(`${suite.issuer}/jwks`)), {
      issuer: suite.issuer,
      audience: suite.fhirBaseUrl,
      typ: 'at+jwt',
    });
    assert.equal(payload.sub, client.client_id);
    assert.equal(payload.client_id, client.client_id);
    assert.equal(payload.scope, tokens.scope);
    assert.ok(payload.jti && payload.iat && payload.exp);
  });

  it('narrows requested scopes and refuses what is not allowed', async () => {
    assert.equal((await oidc.clientCredentialsGrant(config, { scope: 'system/Patient.rs' })).scope, 'system/Patient.rs');
    assert.equal((await oidc.clientCredentialsGrant(config, { scope: 'system/*.rs' })).scope, 'system/Patient.rs system/Observation.rs');
    const refused = await form(suite, '/token', { grant_type: 'client_credentials', scope: 'system/Encounter.rs' }, { authorization: basicAuth(client.client_id, client.client_secret!) });
    assert.equal(refused.status, 400);
    assert.equal(refused.json.error, 'invalid_scope');
  });

  it('sends no-store and no-cache on success and on errors', async () => {
    const ok = await form(suite, '/token', { grant_type: 'client_credentials' }, { authorization: basicAuth(client.client_id, client.client_secret!) });
    const bad = await form(suite, '/token', { grant_type: 'nope' });
    for (const reply of [ok, bad]) {
      assert.equal(reply.headers.get('cache-control'), 'no-store');
      assert.equal(reply.headers.get('pragma'), 'no-cache');
      assert.match(reply.headers.get('content-type') ?? '', /^application\/json/);
    }
  });

  it('accepts client_secret_post for clients registered with it, and only them', async () => {
    const post = await machineClient(suite, 'system/Patient.rs', { token_endpoint_auth_method: 'client_secret_post' });
    const ok = await form(suite, '/token', { grant_type: 'client_credentials', client_id: post.client_id, client_secret: post.client_secret! });
    assert.equal(ok.status, 200, ok.text);
    const viaBasic = await form(suite, '/token', { grant_type: 'client_credentials' }, { authorization: basicAuth(post.client_id, post.client_secret!) });
    assert.equal(viaBasic.status, 401);
    assert.equal(viaBasic.json.error, 'invalid_client');
  });

  const auth = () => ({ authorization: basicAuth(client.client_id, client.client_secret!) });
  const errors: Array<[string, () => Promise<{ status: number; json: Record<string, unknown>; headers: Headers }>, number, string]> = [
    ['an unknown grant_type, even without credentials', () => form(suite, '/token', { grant_type: 'not_a_grant_type' }), 400, 'unsupported_grant_type'],
    ['the password grant', () => form(suite, '/token', { grant_type: 'password', username: 'a', password: 'b' }, auth()), 400, 'unsupported_grant_type'],
    ['a missing grant_type', () => form(suite, '/token', {}, auth()), 400, 'invalid_request'],
    ['a repeated parameter', () => form(suite, '/token', 'grant_type=client_credentials&grant_type=client_credentials', auth()), 400, 'invalid_request'],
    ['an unknown client', () => form(suite, '/token', { grant_type: 'client_credentials' }, { authorization: basicAuth('nobody', 'nothing') }), 401, 'invalid_client'],
    ['Basic and body credentials together', () => form(suite, '/token', { grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret! }, auth()), 400, 'invalid_request'],
    ['a JSON body', () => call(suite, '/token', { method: 'POST', headers: { 'content-type': 'application/json', ...auth() }, body: '{"grant_type":"client_credentials"}' }), 400, 'invalid_request'],
    ['an invalid client_assertion_type', () => form(suite, '/token', { grant_type: 'client_credentials', client_assertion_type: 'not_an_assertion_type', client_assertion: 'x' }), 400, 'invalid_client'],
  ];
  for (const [name, send, status, error] of errors) {
    it(`refuses ${name}`, async () => {
      const reply = await send();
      assert.equal(reply.status, status);
      assert.equal(reply.json.error, error);
    });
  }

  it('refuses a wrong secret with 401 and a Basic challenge', async () => {
    const reply = await form(suite, '/token', { grant_type: 'client_credentials' }, { authorization: basicAuth(client.client_id, 'wrong') });
    assert.equal(reply.status, 401);
    assert.equal(reply.json.error, 'invalid_client');
    assert.match(reply.headers.get('www-authenticate') ?? '', /^Basic/);
  });

  it('refuses a client not registered for client_credentials', async () => {
    const webApp = await register(suite, { redirect_uris: ['https://app.example/cb'], token_endpoint_auth_method: 'client_secret_basic', scope: 'openid fhirUser' });
    const reply = await form(suite, '/token', { grant_type: 'client_credentials' }, { authorization: basicAuth(webApp.client_id, webApp.client_secret!) });
    assert.equal(reply.status, 400);
    assert.equal(reply.json.error, 'unauthorized_client');
  });

  it('is still ready afterwards', async () => {
    assert.equal((await call(suite, '/health/ready')).status, 200);
  });
});
