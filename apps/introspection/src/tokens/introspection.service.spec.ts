import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Logger } from '@nestjs/common';
import { Rpc, type IntrospectionCaller } from '#contracts';
import { generateOpaqueToken, TemporarilyUnavailable } from '#oauth';
import { ISSUER, now, FORMAT, basic, introspectionFixture } from './introspection.fixtures.js';

Logger.overrideLogger(false); // the failure cases log errors on purpose
describe('IntrospectionService', async () => {
  const { events, state, authorization, signatureChecks, service, token, introspect } = await introspectionFixture();
  after(() => state.onModuleDestroy());

  describe('introspect', () => {
    it('shows a privileged caller any active token', async () => {
      const t = await token('plain', { patient: 'p-1' });
      const body = await introspect(basic('privileged'), t);
      assert.equal(body.active, true);
      assert.ok(body.active);
      assert.equal(body.client_id, 'plain');
      assert.equal(body.scope, 'system/*.rs');
      assert.equal(body.patient, 'p-1');
      assert.equal(body.token_type, 'Bearer');
    });

    it('shows a client its own token', async () => assert.equal((await introspect(basic('plain'), await token('plain'))).active, true));

    const inactive: Array<[string, IntrospectionCaller, () => string | Promise<string>]> = [
      ["another client's token to an unprivileged caller", basic('plain'), () => token('other')],
      ['garbage', basic('privileged'), () => 'invalid_token_value'],
      ['an expired token', basic('privileged'), () => token('plain', { exp: now() - 60 })],
      ['a token from another issuer', basic('privileged'), () => token('plain', { iss: 'https://evil.example' })],
      ['a token of a deleted client', basic('privileged'), () => token('deleted-client')],
      ['a token lacking required claims', basic('privileged'), () => token('plain', { jti: undefined })],
    ];
    for (const [name, caller, make] of inactive) {
      it(`answers exactly {active:false} for ${name}`, async () => assert.deepEqual(await introspect(caller, await make()), { active: false }));
    }

    it('treats a token revoked on another replica as inactive', async () => {
      const t = await token('plain');
      const jti = JSON.parse(Buffer.from(t.split('.')[1]!, 'base64url').toString()).jti as string;
      assert.equal((await introspect(basic('privileged'), t)).active, true);
      await events.publish('token.revoked', { jti, client_id: 'plain', token_type: 'access_token', exp: now() + 300, reason: 'client_request' }, { source: 'introspection' });
      assert.deepEqual(await introspect(basic('privileged'), t), { active: false });
    });

    it('accepts a bearer token carrying the introspect scope', async () => {
      const bearer = await token('privileged', { scope: 'introspect' });
      assert.equal((await introspect({ method: 'bearer', token: bearer }, await token('other'))).active, true);
    });

    const refused: Array<[string, IntrospectionCaller, string | undefined, string, number]> = [
      ['no token parameter', basic('privileged'), undefined, 'invalid_request', 400],
      ['no caller credentials', { method: 'absent' }, 'x', 'invalid_client', 401],
      ['a wrong client secret', { method: 'client_secret_basic', clientId: 'plain', clientSecret: 'nope' }, 'x', 'invalid_client', 401],
      ['a bearer token that is not ours', { method: 'bearer', token: 'garbage' }, 'x', 'invalid_token', 401],
    ];
    for (const [name, caller, tokenValue, error, status] of refused) {
      it(`answers ${error} for ${name}`, async () => assert.rejects(introspect(caller, tokenValue), { error, status }));
    }
    it('answers insufficient_scope for a bearer token without the introspect scope', async () =>
      assert.rejects(introspect({ method: 'bearer', token: await token('plain') }, 'x'), { error: 'insufficient_scope', status: 403 }));
  });

  describe('introspect: refresh tokens (RFC 7662 §2.1)', () => {
    const REFRESH = FORMAT.issue();
    const live = { active: true, client_id: 'plain', sub: 'user-1', scope: 'patient/*.rs offline_access', iat: now() - 10, exp: now() + 3600, patient: 'p-1', fhirUser: 'https://fhir.example/r4/Patient/p-1', need_patient_banner: true, grant_id: 'never-echoed' };
    const answering = (answer: unknown) => {
      authorization.calls.length = 0;
      authorization.refresh = (t) => (t === REFRESH ? answer : { active: false });
    };

    it('asks the authorization service about a token that is not one of our access tokens, whatever the hint, and answers as RFC 7662 §2.2 says', async () => {
      answering(live);
      for (const hint of [undefined, 'access_token', 'refresh_token']) {
        const body = await service.introspect({ params: { token: REFRESH, ...(hint ? { token_type_hint: hint } : {}) }, caller: basic('plain'), requestId: 'req-9' });
        assert.deepEqual(body, {
          active: true,
          client_id: 'plain',
          scope: 'patient/*.rs offline_access',
          sub: 'user-1',
          iat: live.iat,
          exp: live.exp,
          iss: ISSUER,
          token_type: 'refresh_token',
          patient: 'p-1',
          fhirUser: 'https://fhir.example/r4/Patient/p-1',
          need_patient_banner: true,
        });
      }
      assert.deepEqual(authorization.calls.at(-1), { subject: Rpc.authorization.introspectRefreshToken.subject, payload: { token: REFRESH, requestId: 'req-9' } });
    });

    it('shows it to a caller allowed to introspect any token', async () => {
      answering(live);
      assert.equal((await introspect(basic('privileged'), REFRESH)).active, true);
    });

    const inactive: Array<[string, unknown, IntrospectionCaller]> = [
      ['to another client without introspect', live, basic('other')],
      ['when the authorization service says inactive (used, revoked, expired, …)', { active: false }, basic('plain')],
      ['of a deleted client', { ...live, client_id: 'deleted-client' }, basic('privileged')],
      ['when the answer is malformed', { ...live, exp: 'soon' }, basic('privileged')],
      ['when the answer is no object', 'yes', basic('privileged')],
    ];
    for (const [name, answer, caller] of inactive) {
      it(`answers exactly {active:false} ${name}`, async () => {
        answering(answer);
        assert.deepEqual(await introspect(caller, REFRESH), { active: false });
      });
    }

    it('does not ask about our access tokens (revoked ones included) nor about what cannot be a refresh token', async () => {
      answering(live);
      const t = await token('plain');
      await service.revoke({ params: { token: t }, auth: basic('plain') as never });
      assert.deepEqual(await introspect(basic('privileged'), t), { active: false });
      assert.deepEqual(await introspect(basic('privileged'), 'a.b.c'), { active: false });
      assert.deepEqual(await introspect(basic('privileged'), 'short'), { active: false });
      // Issue #14: only the exact shape of our refresh tokens (32 random bytes, 43 canonical base64url characters) is asked about.
      assert.deepEqual(await introspect(basic('privileged'), generateOpaqueToken(75)), { active: false });
      assert.deepEqual(await introspect(basic('privileged'), `${REFRESH.slice(0, 42)}B`), { active: false });
      assert.deepEqual(await introspect(basic('privileged'), REFRESH.slice(1)), { active: false });
      // Issue #14: text of the right shape without the deployment's checksum is forged or garbage.
      for (let i = 0; i < 20; i++) assert.deepEqual(await introspect(basic('privileged'), generateOpaqueToken(32)), { active: false });
      assert.deepEqual(await service.revoke({ params: { token: generateOpaqueToken(32) }, auth: basic('plain') as never }), { revoked: false });
      assert.deepEqual(authorization.calls, []);
    });

    it('asks once about a text the authorization service never issued, and remembers it (issue #14)', async () => {
      const garbage = FORMAT.issue(); // a forger who knows the checksum key: looked up once
      authorization.calls.length = 0;
      authorization.refresh = (t) => (t === garbage ? { active: false, unknown: true } : { active: false });
      for (let i = 0; i < 3; i++) assert.deepEqual(await introspect(basic('privileged'), garbage), { active: false });
      assert.equal(authorization.calls.length, 1);
      // Merely inactive (used, expired, …) is asked again: a disabled user may be enabled again.
      const spent = FORMAT.issue();
      for (let i = 0; i < 2; i++) await introspect(basic('privileged'), spent);
      assert.equal(authorization.calls.length, 3);
    });

    it('remembers a forged access token: a second look costs no signature check (issue #14)', async () => {
      const valid = await token('plain');
      const [header, payload] = valid.split('.');
      const forged = `${header}.${payload}.${Buffer.alloc(64, 7).toString('base64url')}`;
      const before = signatureChecks.count;
      for (let i = 0; i < 3; i++) assert.deepEqual(await introspect(basic('privileged'), forged), { active: false });
      assert.equal(signatureChecks.count - before, 1);
      assert.equal((await introspect(basic('privileged'), valid)).active, true);
    });

    it('answers 503 when the authorization service does not answer', async () => {
      authorization.refresh = () => {
        throw new TemporarilyUnavailable('a backing service is not available');
      };
      await assert.rejects(introspect(basic('plain'), REFRESH), { error: 'temporarily_unavailable', status: 503 });
      authorization.refresh = () => ({ active: false });
    });
  });
});
