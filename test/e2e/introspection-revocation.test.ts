import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { generateKeyPair, SignJWT, decodeJwt } from 'jose';
import { sharedSuite, type RunningSuite } from '#testing';
import { basicAuth, call, form, machineClient, tokenFor, type RegisteredClient } from './support/http.js';

describe('introspection (RFC 7662) and revocation (RFC 7009)', () => {
  let suite: RunningSuite & { owned: boolean };
  let a: RegisteredClient;
  let b: RegisteredClient;
  let resourceServer: RegisteredClient;
  let configA: oidc.Configuration;
  const admin = () => basicAuth(suite.adminClientId, suite.adminClientSecret);
  before(async () => {
    suite = await sharedSuite();
    a = await machineClient(suite);
    b = await machineClient(suite);
    resourceServer = await machineClient(suite, 'introspect');
    configA = await oidc.discovery(new URL(suite.issuer), a.client_id, undefined, oidc.ClientSecretBasic(a.client_secret!), { execute: [oidc.allowInsecureRequests] });
  });
  after(async () => suite.owned && (await suite.stop()));

  it('answers active for the issuing client, through openid-client', async () => {
    const token = await tokenFor(suite, a);
    const result = await oidc.tokenIntrospection(configA, token);
    assert.equal(result.active, true);
    assert.equal(result.client_id, a.client_id);
    assert.equal(result.sub, a.client_id);
    assert.equal(result.scope, 'system/Patient.rs system/Observation.rs');
    assert.equal(result.iss, suite.issuer);
    assert.equal(result.aud, suite.fhirBaseUrl);
    assert.equal(result.token_type, 'Bearer');
    assert.equal(result.exp, decodeJwt(token).exp);
    assert.equal(typeof result.iat, 'number');
  });

  it('requires the caller to authenticate', async () => {
    const token = await tokenFor(suite, a);
    const none = await form(suite, '/introspect', { token });
    assert.equal(none.status, 401);
    const wrong = await form(suite, '/introspect', { token }, { authorization: basicAuth(a.client_id, 'wrong') });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.json.error, 'invalid_client');
  });

  it('answers exactly {active:false} for garbage and foreign tokens', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const foreign = await new SignJWT({ client_id: a.client_id, scope: 'system/Patient.rs' })
      .setProtectedHeader({ alg: 'ES256', kid: 'foreign', typ: 'at+jwt' })
      .setIssuer(suite.issuer).setSubject(a.client_id).setAudience(suite.fhirBaseUrl).setJti('x').setIssuedAt().setExpirationTime('5m')
      .sign(privateKey);
    for (const token of ['invalid_token_value', foreign, 'a.b.c']) {
      const reply = await form(suite, '/introspect', { token }, { authorization: admin() });
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.json, { active: false });
    }
  });

  it('lets only privileged callers see other clients\' tokens', async () => {
    const token = await tokenFor(suite, a);
    const other = await form(suite, '/introspect', { token }, { authorization: basicAuth(b.client_id, b.client_secret!) });
    assert.deepEqual(other.json, { active: false });
    const byAdmin = await form(suite, '/introspect', { token }, { authorization: admin() });
    assert.equal(byAdmin.json.active, true);
    const byResourceServer = await form(suite, '/introspect', { token }, { authorization: basicAuth(resourceServer.client_id, resourceServer.client_secret!) });
    assert.equal(byResourceServer.json.active, true);
  });

  it('accepts a bearer token with the introspect scope (SMART), and only that', async () => {
    const token = await tokenFor(suite, a);
    const bearer = await tokenFor(suite, resourceServer);
    const ok = await form(suite, '/introspect', { token }, { authorization: `Bearer ${bearer}` });
    assert.equal(ok.status, 200);
    assert.equal(ok.json.active, true);
    const unscoped = await form(suite, '/introspect', { token }, { authorization: `Bearer ${await tokenFor(suite, b)}` });
    assert.equal(unscoped.status, 403);
    assert.equal(unscoped.json.error, 'insufficient_scope');
    const garbage = await form(suite, '/introspect', { token }, { authorization: 'Bearer nonsense' });
    assert.equal(garbage.status, 401);
    assert.equal(garbage.json.error, 'invalid_token');
  });

  it('revokes: 200 for unknown tokens, inactive immediately after', async () => {
    const unknown = await form(suite, '/revoke', { token: 'unknown' }, { authorization: basicAuth(a.client_id, a.client_secret!) });
    assert.equal(unknown.status, 200);
    for (let i = 0; i < 20; i++) {
      const token = await tokenFor(suite, a);
      await oidc.tokenRevocation(configA, token);
      const after = await form(suite, '/introspect', { token }, { authorization: admin() });
      assert.deepEqual(after.json, { active: false }, `round ${i}`);
    }
  });

  it('honours any token_type_hint', async () => {
    const token = await tokenFor(suite, a);
    const reply = await form(suite, '/revoke', { token, token_type_hint: 'refresh_token' }, { authorization: basicAuth(a.client_id, a.client_secret!) });
    assert.equal(reply.status, 200);
    assert.deepEqual((await form(suite, '/introspect', { token }, { authorization: admin() })).json, { active: false });
  });

  it('refuses to revoke another client\'s token and leaves it active', async () => {
    const token = await tokenFor(suite, a);
    const reply = await form(suite, '/revoke', { token }, { authorization: basicAuth(b.client_id, b.client_secret!) });
    assert.equal(reply.status, 400);
    assert.equal(reply.json.error, 'unauthorized_client');
    assert.equal((await form(suite, '/introspect', { token }, { authorization: admin() })).json.active, true);
  });

  it('makes a deleted client\'s tokens inactive', async () => {
    const c = await machineClient(suite);
    const token = await tokenFor(suite, c);
    assert.equal((await form(suite, '/introspect', { token }, { authorization: admin() })).json.active, true);
    const deleted = await call(suite, `/register/${c.client_id}`, { method: 'DELETE', headers: { authorization: `Bearer ${c.registration_access_token}` } });
    assert.equal(deleted.status, 204);
    assert.deepEqual((await form(suite, '/introspect', { token }, { authorization: admin() })).json, { active: false });
  });
});
