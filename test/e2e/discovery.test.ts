import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { sharedSuite, type RunningSuite } from '#testing';
import { call } from './support/http.js';

const OIDC = '/.well-known/openid-configuration';
const SMART = '/.well-known/smart-configuration';
const FHIR_SMART = '/fhir/.well-known/smart-configuration';
const RFC8414 = '/.well-known/oauth-authorization-server';
const DOCUMENTS = [OIDC, SMART, FHIR_SMART, RFC8414];
const ENDPOINTS: Array<[string, string]> = [
  ['token_endpoint', '/token'],
  ['registration_endpoint', '/register'],
  ['introspection_endpoint', '/introspect'],
  ['revocation_endpoint', '/revoke'],
  ['jwks_uri', '/jwks'],
];

describe('discovery, CORS and health', () => {
  let suite: RunningSuite & { owned: boolean };
  const documents = new Map<string, Record<string, unknown>>();
  before(async () => {
    suite = await sharedSuite();
    for (const path of DOCUMENTS) documents.set(path, (await call(suite, path)).json);
  });
  after(async () => {
    if (suite.owned) await suite.stop();
  });

  // UDAP Security 2.0 §2.2: "If no UDAP workflows are supported, the server SHALL return a 404": the shared suite has no UDAP
  // settings. The embedded development mode makes a development community and server certificate (docs/operations.md "UDAP").
  it('answers GET /.well-known/udap with 404 when UDAP is not configured, under the issuer and the FHIR base', async () => {
    for (const path of ['/.well-known/udap', '/fhir/.well-known/udap', '/.well-known/udap?community=urn%3Aexample']) {
      const reply = await call(suite, path);
      if (suite.mode === 'embedded') {
        assert.equal(reply.status, path.includes('community') ? 204 : 200, `${path}: ${reply.text}`);
        continue;
      }
      assert.equal(reply.status, 404, `${path}: ${reply.text}`);
      assert.equal(reply.json.error, 'not_found');
    }
  });

  // SMART 2.2 D-01: JSON whatever the Accept header.
  for (const path of DOCUMENTS) {
    for (const accept of ['application/json', 'text/html', 'text/html,application/xhtml+xml;q=0.9', undefined]) {
      it(`GET ${path} is 200 JSON with Accept ${accept ?? '(none)'}`, async () => {
        const reply = await call(suite, path, { headers: accept ? { accept } : {} });
        assert.equal(reply.status, 200, reply.text);
        assert.match(reply.headers.get('content-type') ?? '', /^application\/json/);
        const parsed: unknown = JSON.parse(reply.text);
        assert.ok(parsed && typeof parsed === 'object' && !Array.isArray(parsed));
      });
    }
  }

  for (const path of DOCUMENTS) {
    it(`${path} advertises absolute endpoints, client_credentials, basic+post and S256 only`, () => {
      const doc = documents.get(path)!;
      assert.equal(doc.token_endpoint, `${suite.issuer}/token`);
      for (const [name, endpointPath] of ENDPOINTS) {
        if (doc[name] === undefined) continue;
        assert.equal(doc[name], `${suite.issuer}${endpointPath}`, `${path} ${name}`);
        assert.ok(new URL(doc[name] as string).protocol.startsWith('http'), `${name} is absolute`);
      }
      const grants = doc.grant_types_supported as string[];
      assert.ok(Array.isArray(grants), 'grant_types_supported is an array');
      assert.ok(grants.includes('client_credentials'), `grants: ${grants}`);
      assert.ok(!grants.includes('password'), 'no password grant (RFC 9700 §2.4)');
      assert.ok(!grants.includes('implicit'), 'no implicit grant (RFC 9700 §2.1.2)');
      const methods = doc.token_endpoint_auth_methods_supported as string[];
      assert.ok(Array.isArray(methods));
      for (const m of ['client_secret_basic', 'client_secret_post']) assert.ok(methods.includes(m), `${m} in ${methods}`);
      assert.deepEqual(doc.code_challenge_methods_supported, ['S256']);
    });
  }

  it('carries the issuer in the OpenID and RFC 8414 documents, with every endpoint', () => {
    for (const path of [OIDC, RFC8414]) {
      const doc = documents.get(path)!;
      assert.equal(doc.issuer, suite.issuer, path);
      for (const [name, endpointPath] of ENDPOINTS) assert.equal(doc[name], `${suite.issuer}${endpointPath}`, `${path} ${name}`);
    }
  });

  it('lists SMART capabilities as an array of strings, identically under the FHIR base', () => {
    for (const path of [SMART, FHIR_SMART]) {
      const caps = documents.get(path)!.capabilities;
      assert.ok(Array.isArray(caps), `${path} capabilities`);
      assert.ok(caps.every((c) => typeof c === 'string' && c.length > 0), `${path}: ${JSON.stringify(caps)}`);
    }
    assert.deepEqual(documents.get(FHIR_SMART), documents.get(SMART));
    // Without sso-openid-connect, SMART's document carries no issuer (SMART 2.2 D-03).
    const smart = documents.get(SMART)!;
    if (!(smart.capabilities as string[]).includes('sso-openid-connect')) assert.equal(smart.issuer, undefined);
  });

  it('is usable by openid-client discovery (OIDC and RFC 8414), which checks the issuer', async () => {
    const viaOidc = await oidc.discovery(new URL(suite.issuer), 'anyone', undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
    assert.equal(viaOidc.serverMetadata().issuer, suite.issuer);
    assert.equal(viaOidc.serverMetadata().token_endpoint, `${suite.issuer}/token`);
    const viaOAuth = await oidc.discovery(new URL(suite.issuer), 'anyone', undefined, oidc.None(), { execute: [oidc.allowInsecureRequests], algorithm: 'oauth2' });
    assert.equal(viaOAuth.serverMetadata().issuer, suite.issuer);
  });

  for (const path of [...DOCUMENTS, '/jwks']) {
    it(`GET ${path} with an Origin gets Access-Control-Allow-Origin: *`, async () => {
      const reply = await call(suite, path, { headers: { origin: 'https://app.example' } });
      assert.equal(reply.status, 200);
      assert.equal(reply.headers.get('access-control-allow-origin'), '*');
    });
  }

  for (const path of ['/token', '/register']) {
    it(`answers the CORS preflight on ${path}`, async () => {
      const reply = await call(suite, path, {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
      });
      assert.equal(reply.status, 204, reply.text);
      assert.match(reply.headers.get('access-control-allow-methods') ?? '', /\bPOST\b/);
      assert.equal(reply.headers.get('access-control-allow-origin'), '*');
    });
  }

  for (const path of ['/health/ready', '/health/live', '/nowhere']) {
    it(`sends no CORS headers on ${path}`, async () => {
      const reply = await call(suite, path, { headers: { origin: 'https://app.example' } });
      assert.equal(reply.headers.get('access-control-allow-origin'), null);
    });
  }

  it('answers a CORS preflight on /health/ready without CORS headers', async () => {
    const reply = await call(suite, '/health/ready', { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' } });
    assert.notEqual(reply.status, 204);
    assert.equal(reply.headers.get('access-control-allow-origin'), null);
  });

  // RFC 9110 §15.5.6: a 405 names the allowed methods.
  const wrongMethods: Array<[string, string, RegExp]> = [
    ['GET', '/token', /\bPOST\b/],
    ['PUT', '/token', /\bPOST\b/],
    ['GET', '/introspect', /\bPOST\b/],
    ['GET', '/revoke', /\bPOST\b/],
    ['DELETE', '/register', /\bPOST\b/],
    ['POST', '/register/some-client', /\bGET\b.*\bPUT\b.*\bDELETE\b|\bDELETE\b/],
    ['POST', '/jwks', /\bGET\b/],
    ['POST', SMART, /\bGET\b/],
  ];
  for (const [method, path, allow] of wrongMethods) {
    it(`answers ${method} ${path} with a JSON 405 and Allow`, async () => {
      const reply = await call(suite, path, { method });
      assert.equal(reply.status, 405, reply.text);
      assert.match(reply.headers.get('allow') ?? '', allow);
      assert.equal(typeof reply.json.error, 'string', reply.text);
    });
  }

  it('answers an unknown path with a JSON 404', async () => {
    const reply = await call(suite, '/nowhere');
    assert.equal(reply.status, 404);
    assert.equal(typeof reply.json.error, 'string', reply.text);
  });

  it('answers health', async () => {
    const live = await call(suite, '/health/live');
    assert.equal(live.status, 200, live.text);
    const ready = await call(suite, '/health/ready');
    assert.equal(ready.status, 200, ready.text);
    // Ready means every service answered, the authorization service included.
    assert.deepEqual(Object.keys(ready.json.services as object).sort(), ['audit', 'authorization', 'introspection', 'jwks', 'registration', 'token']);
  });

  it('publishes public keys only, cacheable', async () => {
    const reply = await call(suite, '/jwks');
    assert.equal(reply.status, 200);
    assert.match(reply.headers.get('content-type') ?? '', /^application\/(jwk-set\+)?json/);
    assert.match(reply.headers.get('cache-control') ?? '', /max-age=\d+/);
    const keys = reply.json.keys as Array<Record<string, unknown>>;
    assert.ok(Array.isArray(keys) && keys.length >= 1);
    assert.equal(new Set(keys.map((k) => k.kid)).size, keys.length, 'kids are unique');
    for (const key of keys) {
      assert.ok(key.kid && key.alg && key.kty, JSON.stringify(key));
      assert.equal(key.use, 'sig');
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) assert.equal(key[secret], undefined, `no private member ${secret}`);
    }
  });
});
