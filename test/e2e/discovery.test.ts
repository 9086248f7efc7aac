import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sharedSuite, type RunningSuite } from '#testing';
import { call } from './support/http.js';

describe('discovery, CORS and health', () => {
  let suite: RunningSuite & { owned: boolean };
  before(async () => (suite = await sharedSuite()));
  after(async () => suite.owned && (await suite.stop()));

  const documents = ['/.well-known/openid-configuration', '/.well-known/smart-configuration', '/fhir/.well-known/smart-configuration', '/.well-known/oauth-authorization-server'];
  for (const path of documents) {
    for (const accept of ['application/json', 'text/html', undefined]) {
      it(`${path} is JSON with Accept ${accept ?? '(none)'}`, async () => {
        const reply = await call(suite, path, { headers: accept ? { accept } : {} });
        assert.equal(reply.status, 200);
        assert.match(reply.headers.get('content-type') ?? '', /^application\/json/);
        assert.equal(typeof reply.json, 'object');
      });
    }
  }

  it('advertises what works, with absolute endpoints', async () => {
    const oidc = (await call(suite, '/.well-known/openid-configuration')).json;
    assert.equal(oidc.issuer, suite.issuer);
    for (const [name, path] of [['token_endpoint', '/token'], ['registration_endpoint', '/register'], ['introspection_endpoint', '/introspect'], ['revocation_endpoint', '/revoke'], ['jwks_uri', '/jwks']]) {
      assert.equal(oidc[name!], `${suite.issuer}${path}`, name);
    }
    const grants = oidc.grant_types_supported as string[];
    assert.ok(grants.includes('client_credentials'));
    assert.ok(!grants.includes('password') && !grants.includes('implicit'));
    assert.ok(['client_secret_basic', 'client_secret_post'].every((m) => (oidc.token_endpoint_auth_methods_supported as string[]).includes(m)));
    assert.deepEqual(oidc.code_challenge_methods_supported, ['S256']);
    const smart = (await call(suite, '/.well-known/smart-configuration')).json;
    assert.ok(Array.isArray(smart.capabilities) && (smart.capabilities as unknown[]).every((c) => typeof c === 'string'));
    assert.equal(smart.token_endpoint, `${suite.issuer}/token`);
    assert.deepEqual(smart.code_challenge_methods_supported, ['S256']);
    // Without sso-openid-connect, SMART's document carries no issuer (SMART 2.2 D-03).
    assert.equal(smart.issuer, undefined);
  });

  it('serves CORS on discovery, jwks, token and register, with preflight', async () => {
    for (const path of ['/.well-known/smart-configuration', '/jwks']) {
      const reply = await call(suite, path, { headers: { origin: 'https://app.example' } });
      assert.equal(reply.headers.get('access-control-allow-origin'), '*', path);
    }
    for (const path of ['/token', '/register']) {
      const reply = await call(suite, path, { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' } });
      assert.equal(reply.status, 204, path);
      assert.match(reply.headers.get('access-control-allow-methods') ?? '', /POST/);
      assert.equal(reply.headers.get('access-control-allow-origin'), '*');
    }
  });

  it('sends no CORS headers elsewhere', async () => {
    for (const path of ['/health/ready', '/nowhere']) {
      const reply = await call(suite, path, { headers: { origin: 'https://app.example' } });
      assert.equal(reply.headers.get('access-control-allow-origin'), null, path);
    }
  });

  it('answers health', async () => {
    assert.equal((await call(suite, '/health/live')).status, 200);
    const ready = await call(suite, '/health/ready');
    assert.equal(ready.status, 200, ready.text);
  });

  it('publishes public keys only, cacheable', async () => {
    const reply = await call(suite, '/jwks');
    assert.equal(reply.status, 200);
    assert.match(reply.headers.get('cache-control') ?? '', /max-age=\d+/);
    const keys = reply.json.keys as Array<Record<string, unknown>>;
    assert.ok(keys.length >= 1);
    for (const key of keys) {
      assert.ok(key.kid && key.alg && key.use === 'sig');
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) assert.equal(key[secret], undefined);
    }
  });
});
