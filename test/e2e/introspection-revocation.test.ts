import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { sharedSuite, type RunningSuite } from '#testing';
import {
  assertActive,
  assertInactive,
  assertOAuthError,
  basicAuth,
  bearer,
  call,
  introspect,
  machineClient,
  manage,
  oidcConfig,
  revoke,
  tokenFor,
  type RegisteredClient,
} from './support/http.js';

const SCOPE = 'system/Patient.rs system/Observation.rs';

describe('introspection (RFC 7662) and revocation (RFC 7009)', () => {
  let suite: RunningSuite & { owned: boolean };
  let a: RegisteredClient;
  let b: RegisteredClient;
  let resourceServer: RegisteredClient;
  let configA: oidc.Configuration;
  let configAdmin: oidc.Configuration;
  const admin = () => basicAuth(suite.adminClientId, suite.adminClientSecret);
  const basicOf = (c: RegisteredClient) => basicAuth(c.client_id, c.client_secret!);
  before(async () => {
    suite = await sharedSuite();
    a = await machineClient(suite, SCOPE);
    b = await machineClient(suite, SCOPE);
    resourceServer = await machineClient(suite, 'system/Patient.rs introspect');
    configA = await oidcConfig(suite, a.client_id, oidc.ClientSecretBasic(a.client_secret!));
    configAdmin = await oidcConfig(suite, suite.adminClientId, oidc.ClientSecretBasic(suite.adminClientSecret));
  });
  after(async () => {
    if (suite.owned) await suite.stop();
  });

  it('lets the admin client get a token with admin and introspect', async () => {
    const tokens = await oidc.clientCredentialsGrant(configAdmin, { scope: 'admin introspect' });
    assert.deepEqual(tokens.scope?.split(' ').sort(), ['admin', 'introspect']);
    const claims = decodeJwt(tokens.access_token);
    assert.equal(claims.client_id, suite.adminClientId);
  });

  it('answers active with the SMART fields for the issuing client, through openid-client', async () => {
    const token = await tokenFor(suite, a);
    const claims = decodeJwt(token);
    const result = await oidc.tokenIntrospection(configA, token);
    assert.equal(result.active, true, JSON.stringify(result));
    assert.equal(result.client_id, a.client_id);
    assert.equal(result.sub, a.client_id);
    assert.deepEqual(result.scope?.split(' ').sort(), SCOPE.split(' ').sort());
    assert.equal(result.iss, suite.issuer);
    assert.equal(result.aud, suite.fhirBaseUrl);
    assert.equal(String(result.token_type).toLowerCase(), 'bearer');
    assert.equal(result.exp, claims.exp);
    assert.equal(result.iat, claims.iat);
    assert.ok(result.exp! > Date.now() / 1000);
  });

  it('answers over plain fetch with JSON', async () => {
    const token = await tokenFor(suite, a);
    const reply = await assertActive(introspect(suite, token, basicOf(a)));
    assert.match(reply.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(reply.json.jti, decodeJwt(token).jti);
  });

  it('requires the caller to authenticate', async () => {
    const token = await tokenFor(suite, a);
    const none = await introspect(suite, token);
    assert.equal(none.status, 401, none.text);
    assert.equal(typeof none.json.error, 'string', none.text);
    assert.equal(none.json.active, undefined);
  });

  it('refuses a wrong secret with 401 invalid_client and a Basic challenge', async () => {
    const token = await tokenFor(suite, a);
    const wrong = await introspect(suite, token, basicAuth(a.client_id, 'wrong'));
    assertOAuthError(wrong, 401, 'invalid_client');
    assert.match(wrong.headers.get('www-authenticate') ?? '', /^Basic/);
    assert.equal(wrong.json.active, undefined);
  });

  it('answers exactly {"active":false} for garbage, foreign, unsigned and tampered tokens', async () => {
    const real = await tokenFor(suite, a);
    const realClaims = decodeJwt(real);
    const realKid = decodeProtectedHeader(real).kid!;
    const { privateKey } = await generateKeyPair('ES256');
    const foreign = (kid: string) =>
      new SignJWT({ client_id: a.client_id, scope: SCOPE })
        .setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' })
        .setIssuer(suite.issuer)
        .setSubject(a.client_id)
        .setAudience(suite.fhirBaseUrl)
        .setJti(`forged-${Date.now()}`)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey);
    const unsigned = new UnsecuredJWT({ ...realClaims }).encode();
    const [h, , s] = real.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...realClaims, scope: 'system/*.cruds' })).toString('base64url')}.${s}`;
    const cases: Array<[string, string]> = [
      ['garbage', 'invalid_token_value'],
      ['three dots', 'a.b.c'],
      ['foreign key', await foreign('foreign')],
      ['foreign key with the real kid', await foreign(realKid)],
      ['alg none', unsigned],
      ['tampered payload', tampered],
    ];
    for (const [name, token] of cases) {
      for (const [who, authorization] of [['admin', admin()], ['issuer of the real token', basicOf(a)]]) {
        await assertInactive(introspect(suite, token, authorization), `${name} by ${who}`);
      }
    }
  });

  it('hides other clients\' tokens from a caller without introspect', async () => {
    const token = await tokenFor(suite, a);
    await assertInactive(introspect(suite, token, basicOf(b)));
  });

  it('lets the admin client and an introspect-scoped client see anyone\'s token', async () => {
    const token = await tokenFor(suite, a);
    const byAdmin = await assertActive(introspect(suite, token, admin()));
    assert.equal(byAdmin.json.client_id, a.client_id);
    const byResourceServer = await assertActive(introspect(suite, token, basicOf(resourceServer)));
    assert.equal(byResourceServer.json.client_id, a.client_id);
  });

  it('accepts a Bearer token carrying introspect (SMART token-introspection)', async () => {
    const token = await tokenFor(suite, a);
    const caller = await tokenFor(suite, resourceServer);
    const ok = await assertActive(introspect(suite, token, bearer(caller)));
    assert.equal(ok.json.client_id, a.client_id);
    const adminBearer = (await oidc.clientCredentialsGrant(configAdmin)).access_token;
    await assertActive(introspect(suite, token, bearer(adminBearer)));
  });

  it('refuses a Bearer token without introspect with 403 insufficient_scope', async () => {
    const token = await tokenFor(suite, a);
    const reply = await introspect(suite, token, bearer(await tokenFor(suite, b)));
    assertOAuthError(reply, 403, 'insufficient_scope');
    assert.match(reply.headers.get('www-authenticate') ?? '', /^Bearer/);
    // Narrowed away: a resource server's token requested without introspect is not enough either.
    const narrowed = await introspect(suite, token, bearer(await tokenFor(suite, resourceServer, 'system/Patient.rs')));
    assertOAuthError(narrowed, 403, 'insufficient_scope');
  });

  it('refuses a garbage Bearer token with 401 invalid_token', async () => {
    const token = await tokenFor(suite, a);
    const reply = await introspect(suite, token, 'Bearer nonsense');
    assertOAuthError(reply, 401, 'invalid_token');
    assert.match(reply.headers.get('www-authenticate') ?? '', /^Bearer/);
  });

  it('refuses a revoked Bearer token with 401 invalid_token', async () => {
    const token = await tokenFor(suite, a);
    const caller = await tokenFor(suite, resourceServer);
    assert.equal((await revoke(suite, caller, basicOf(resourceServer))).status, 200);
    assertOAuthError(await introspect(suite, token, bearer(caller)), 401, 'invalid_token');
  });

  it('answers 200 for an unknown token, through fetch and openid-client', async () => {
    const unknown = await revoke(suite, 'unknown-token', basicOf(a));
    assert.equal(unknown.status, 200, unknown.text);
    await oidc.tokenRevocation(configA, 'another-unknown-token');
  });

  it('refuses revocation with bad client credentials (RFC 7009 §2.2.1)', async () => {
    const token = await tokenFor(suite, a);
    const wrong = await revoke(suite, token, basicAuth(a.client_id, 'wrong'));
    assertOAuthError(wrong, 401, 'invalid_client');
    const none = await revoke(suite, token);
    assert.ok(none.status === 400 || none.status === 401, none.text);
    assert.equal(none.json.error, 'invalid_client', none.text);
    await assertActive(introspect(suite, token, admin()), 'the token is still active');
  });

  it('makes a revoked token inactive at once (20 rounds)', async () => {
    for (let i = 0; i < 20; i++) {
      const token = await tokenFor(suite, a);
      await assertActive(introspect(suite, token, admin()), `round ${i} before`);
      if (i % 2 === 0) await oidc.tokenRevocation(configA, token);
      else assert.equal((await revoke(suite, token, basicOf(a))).status, 200);
      await assertInactive(introspect(suite, token, admin()), `round ${i} admin`);
      assert.deepEqual((await oidc.tokenIntrospection(configA, token)), { active: false }, `round ${i} issuer`);
    }
  });

  it('answers 200 when the same token is revoked twice', async () => {
    const token = await tokenFor(suite, a);
    assert.equal((await revoke(suite, token, basicOf(a))).status, 200);
    assert.equal((await revoke(suite, token, basicOf(a))).status, 200);
  });

  it('revokes an access token sent with token_type_hint=refresh_token (RFC 7009 §2.1)', async () => {
    const token = await tokenFor(suite, a);
    const reply = await revoke(suite, token, basicOf(a), { token_type_hint: 'refresh_token' });
    assert.equal(reply.status, 200, reply.text);
    await assertInactive(introspect(suite, token, admin()));
  });

  it('refuses to revoke another client\'s token and leaves it active', async () => {
    const token = await tokenFor(suite, a);
    assertOAuthError(await revoke(suite, token, basicOf(b)), 400, 'unauthorized_client');
    await assert.rejects(oidc.tokenRevocation(await oidcConfig(suite, b.client_id, oidc.ClientSecretBasic(b.client_secret!)), token), (err: unknown) => {
      assert.ok(err instanceof oidc.ResponseBodyError, String(err));
      assert.equal(err.error, 'unauthorized_client');
      return true;
    });
    await assertActive(introspect(suite, token, admin()));
    await assertActive(introspect(suite, token, basicOf(a)));
  });

  it('makes a deleted client\'s tokens inactive (RFC 7592 §2.3)', async () => {
    const c = await machineClient(suite, SCOPE);
    const tokens = [await tokenFor(suite, c), await tokenFor(suite, c)];
    for (const token of tokens) await assertActive(introspect(suite, token, admin()));
    const deleted = await manage(suite, c.client_id, 'DELETE', c.registration_access_token);
    assert.equal(deleted.status, 204, deleted.text);
    for (const token of tokens) await assertInactive(introspect(suite, token, admin()));
  });

  it('stops honouring a deleted resource server\'s Bearer token', async () => {
    const rs = await machineClient(suite, 'introspect');
    const caller = await tokenFor(suite, rs);
    const token = await tokenFor(suite, a);
    await assertActive(introspect(suite, token, bearer(caller)));
    assert.equal((await manage(suite, rs.client_id, 'DELETE', rs.registration_access_token)).status, 204);
    assertOAuthError(await introspect(suite, token, bearer(caller)), 401, 'invalid_token');
    assert.equal((await call(suite, '/health/ready')).status, 200);
  });
});
