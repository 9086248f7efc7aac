import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { exportJWK, generateKeyPair } from 'jose';
import { sharedSuite, type RunningSuite } from '#testing';
import { basicAuth, call, form, register } from './support/http.js';

function post(suite: RunningSuite, body: unknown, contentType = 'application/json') {
  return call(suite, '/register', { method: 'POST', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

describe('dynamic client registration (RFC 7591, RFC 7592)', () => {
  let suite: RunningSuite & { owned: boolean };
  let ecJwk: Record<string, unknown>;
  before(async () => {
    suite = await sharedSuite();
    const { publicKey } = await generateKeyPair('ES384', { extractable: true });
    ecJwk = { ...(await exportJWK(publicKey)), kid: 'bulk-key-1', alg: 'ES384', use: 'sig' };
  });
  after(async () => suite.owned && (await suite.stop()));

  function assertShape(body: Record<string, unknown>, secret: boolean) {
    assert.equal(typeof body.client_id, 'string');
    assert.equal(typeof body.client_id_issued_at, 'number');
    assert.equal(typeof body.registration_access_token, 'string');
    assert.equal(body.registration_client_uri, `${suite.issuer}/register/${encodeURIComponent(body.client_id as string)}`);
    if (secret) {
      assert.ok(typeof body.client_secret === 'string' && body.client_secret.length >= 43);
      assert.equal(body.client_secret_expires_at, 0);
    } else {
      assert.equal(body.client_secret, undefined);
    }
  }

  it('registers the public shape', async () => {
    const reply = await post(suite, { client_name: 'Public App', redirect_uris: ['https://app.example.com/callback'], token_endpoint_auth_method: 'none', grant_types: ['authorization_code'], response_types: ['code'], scope: 'launch/patient openid fhirUser patient/*.read' });
    assert.equal(reply.status, 201, reply.text);
    assertShape(reply.json, false);
    assert.equal(reply.headers.get('cache-control'), 'no-store');
  });

  it('registers the confidential symmetric shape', async () => {
    const reply = await post(suite, { client_name: 'Confidential App', redirect_uris: ['https://app.example.com/callback'], token_endpoint_auth_method: 'client_secret_basic', grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], scope: 'launch/patient openid fhirUser offline_access patient/*.read' });
    assert.equal(reply.status, 201, reply.text);
    assertShape(reply.json, true);
  });

  it('registers the asymmetric shape with a jwks_uri', async () => {
    const reply = await post(suite, { client_name: 'Asymmetric App', redirect_uris: ['https://app.example.com/callback'], token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'https://app.example.com/jwks.json', grant_types: ['authorization_code'], response_types: ['code'], scope: 'launch/patient openid fhirUser patient/*.read' });
    assert.equal(reply.status, 201, reply.text);
    assertShape(reply.json, false);
  });

  it('registers the bulk shape with inline jwks', async () => {
    const reply = await post(suite, { client_name: 'Bulk Client', token_endpoint_auth_method: 'private_key_jwt', grant_types: ['client_credentials'], jwks: { keys: [ecJwk] }, scope: 'system/*.rs' });
    assert.equal(reply.status, 201, reply.text);
    assertShape(reply.json, false);
    assert.equal(reply.json.scope, 'system/*.rs');
  });

  it('honours a requested client_id when free and refuses it when taken', async () => {
    const id = `requested-${Date.now()}`;
    const first = await post(suite, { client_id: id, grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', scope: 'system/*.rs' });
    assert.equal(first.status, 201, first.text);
    assert.equal(first.json.client_id, id);
    const again = await post(suite, { client_id: id, grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', scope: 'system/*.rs' });
    assert.equal(again.status, 400);
    assert.equal(again.json.error, 'invalid_client_metadata');
  });

  const base = { redirect_uris: ['https://app.example/cb'], token_endpoint_auth_method: 'none', scope: 'openid' };
  const rejections: Array<[string, Record<string, unknown>, string]> = [
    ['implicit grant', { ...base, grant_types: ['implicit'] }, 'invalid_client_metadata'],
    ['password grant', { ...base, grant_types: ['password'] }, 'invalid_client_metadata'],
    ['token response type', { ...base, response_types: ['token'] }, 'invalid_client_metadata'],
    ['http redirect', { ...base, redirect_uris: ['http://app.example/cb'] }, 'invalid_redirect_uri'],
    ['fragment in redirect', { ...base, redirect_uris: ['https://a.example/cb#x'] }, 'invalid_redirect_uri'],
    ['out-of-order permissions', { ...base, scope: 'patient/Observation.dus' }, 'invalid_client_metadata'],
    ['unknown scope', { ...base, scope: 'bogus' }, 'invalid_client_metadata'],
    ['admin scope', { grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', scope: 'admin' }, 'invalid_client_metadata'],
    ['public client_credentials', { grant_types: ['client_credentials'], token_endpoint_auth_method: 'none', scope: 'system/*.rs' }, 'invalid_client_metadata'],
  ];
  for (const [name, metadata, error] of rejections) {
    it(`refuses ${name}`, async () => {
      const reply = await post(suite, metadata);
      assert.equal(reply.status, 400, reply.text);
      assert.equal(reply.json.error, error);
    });
  }

  it('accepts loopback and private-use redirect URIs for native apps', async () => {
    for (const uri of ['http://127.0.0.1:5555/cb', 'com.example.app:/cb']) {
      const reply = await post(suite, { ...base, redirect_uris: [uri] });
      assert.equal(reply.status, 201, `${uri}: ${reply.text}`);
    }
  });

  it('refuses malformed bodies with OAuth errors', async () => {
    const malformed = await post(suite, '{"client_name": ');
    assert.equal(malformed.status, 400);
    assert.equal(malformed.json.error, 'invalid_client_metadata');
    const text = await post(suite, 'client_name=x', 'text/plain');
    assert.equal(text.status, 400);
    assert.equal(typeof text.json.error, 'string');
    const huge = await post(suite, { client_name: 'x'.repeat(70 * 1024) });
    assert.equal(huge.status, 413);
    assert.equal(typeof huge.json.error, 'string');
  });

  it('manages a client with rotating registration access tokens', async () => {
    const client = await register(suite, { client_name: 'Managed', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', scope: 'system/Patient.rs' });
    const path = `/register/${client.client_id}`;
    const read = await call(suite, path, { headers: { authorization: `Bearer ${client.registration_access_token}` } });
    assert.equal(read.status, 200, read.text);
    assert.equal(read.json.client_id, client.client_id);
    assert.equal(read.json.client_secret, undefined);
    const rat2 = read.json.registration_access_token as string;
    assert.notEqual(rat2, client.registration_access_token);
    const stale = await call(suite, path, { headers: { authorization: `Bearer ${client.registration_access_token}` } });
    assert.equal(stale.status, 401);
    assert.equal(stale.json.error, 'invalid_token');
    assert.equal(stale.json.client_id, undefined);
    assert.match(stale.headers.get('www-authenticate') ?? '', /^Bearer/);

    const mismatch = await call(suite, path, { method: 'PUT', headers: { authorization: `Bearer ${rat2}`, 'content-type': 'application/json' }, body: JSON.stringify({ client_id: 'someone-else', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', scope: 'system/Patient.rs' }) });
    assert.equal(mismatch.status, 400);
    const updated = await call(suite, path, { method: 'PUT', headers: { authorization: `Bearer ${rat2}`, 'content-type': 'application/json' }, body: JSON.stringify({ client_id: client.client_id, client_name: 'Renamed', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', scope: 'system/Patient.rs system/Observation.rs' }) });
    assert.equal(updated.status, 200, updated.text);
    assert.equal(updated.json.client_name, 'Renamed');
    const rat3 = updated.json.registration_access_token as string;
    const check = await call(suite, path, { headers: { authorization: `Bearer ${rat3}` } });
    assert.equal(check.json.scope, 'system/Patient.rs system/Observation.rs');
    const rat4 = check.json.registration_access_token as string;

    // The secret still works after the update.
    const token = await form(suite, '/token', { grant_type: 'client_credentials' }, { authorization: basicAuth(client.client_id, client.client_secret!) });
    assert.equal(token.status, 200, token.text);

    const deleted = await call(suite, path, { method: 'DELETE', headers: { authorization: `Bearer ${rat4}` } });
    assert.equal(deleted.status, 204);
    assert.equal(deleted.text, '');
    const gone = await call(suite, path, { headers: { authorization: `Bearer ${rat4}` } });
    assert.equal(gone.status, 401);
    const refused = await form(suite, '/token', { grant_type: 'client_credentials' }, { authorization: basicAuth(client.client_id, client.client_secret!) });
    assert.equal(refused.status, 401);
    assert.equal(refused.json.error, 'invalid_client');
  });

  it('requires the bearer on management calls', async () => {
    const reply = await call(suite, '/register/whoever');
    assert.equal(reply.status, 401);
    assert.equal(reply.json.error, 'invalid_token');
  });
});
