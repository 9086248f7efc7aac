import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Logger } from '@nestjs/common';
import { Rpc, type IntrospectionCaller } from '#contracts';
import { TemporarilyUnavailable, UnauthorizedClient } from '#oauth';
import { ISSUER, FHIR, now, OPAQUE, basic, introspectionFixture } from './introspection.fixtures.js';

Logger.overrideLogger(false); // the failure cases log errors on purpose
describe('IntrospectionService: revocation and verification', async () => {
  const { key, events, stored, grantRows, state, authorization, service, token, introspect } = await introspectionFixture();
  after(() => state.onModuleDestroy());

  describe('grant revocation', () => {
    const revokeGrant = (grantId: string, revokedAt: number) =>
      events.publish('grant.revoked', { grant_id: grantId, client_id: 'public-app', user_id: 'u1', reason: 'refresh_token_reuse', revoked_at: revokedAt }, { source: 'authorization' });

    it('makes the tokens of the grant issued up to the revocation inactive, and records it', async () => {
      const t = now();
      const before = await token('public-app', { grant_id: 'g-1', iat: t - 10 });
      const atRevocation = await token('public-app', { grant_id: 'g-1', iat: t });
      const otherGrant = await token('public-app', { grant_id: 'g-2', iat: t - 10 });
      assert.equal((await introspect(basic('privileged'), before)).active, true); // cached as verified first
      await revokeGrant('g-1', t);
      assert.deepEqual(await introspect(basic('privileged'), before), { active: false });
      assert.deepEqual(await introspect(basic('privileged'), atRevocation), { active: false });
      assert.equal((await introspect(basic('privileged'), otherGrant)).active, true);
      assert.deepEqual(grantRows.at(-1), { grantId: 'g-1', clientId: 'public-app', revokedAt: new Date(t * 1000), keepUntil: new Date((t + 3660) * 1000) });
    });

    it('leaves a token of the grant issued after the revocation active', async () => {
      const t = now();
      await revokeGrant('g-3', t - 5);
      assert.equal((await introspect(basic('privileged'), await token('public-app', { grant_id: 'g-3', iat: t }))).active, true);
    });

    it('ignores a malformed event', async () => {
      const rows = grantRows.length;
      await events.publish('grant.revoked', { grant_id: 'g-4', client_id: 'public-app' } as never, { source: 'authorization' });
      assert.equal(grantRows.length, rows);
      assert.equal((await introspect(basic('privileged'), await token('public-app', { grant_id: 'g-4' }))).active, true);
    });
  });

  describe('verify (internal)', () => {
    it('answers the claims of an active token, grant_id included', async () => {
      const t = await token('public-app', { grant_id: 'g-9', patient: 'p-9', sub: 'user-1' });
      const verification = await service.verify(t);
      assert.equal(verification.active, true);
      assert.ok(verification.active);
      assert.equal(verification.claims.grant_id, 'g-9');
      assert.equal(verification.claims.patient, 'p-9');
      assert.equal(verification.claims.sub, 'user-1');
      assert.equal(verification.claims.client_id, 'public-app');
    });

    const inactive: Array<[string, () => Promise<unknown> | unknown]> = [
      ['garbage', () => 'garbage'],
      ['a non-string', () => 42],
      ['an expired token', () => token('plain', { exp: now() - 60 })],
      ['a token of a deleted client', () => token('deleted-client')],
      ['a token of another typ', () => key.sign({ iss: ISSUER, sub: 'plain', aud: FHIR, client_id: 'plain', scope: 'openid', jti: 'id-1', iat: now(), exp: now() + 60 }, 'JWT')],
    ];
    for (const [name, make] of inactive) {
      it(`answers {active:false} for ${name}`, async () => assert.deepEqual(await service.verify(await make()), { active: false }));
    }

    it('answers {active:false} for a revoked token and a token of a revoked grant', async () => {
      const t = await token('plain');
      const jti = JSON.parse(Buffer.from(t.split('.')[1]!, 'base64url').toString()).jti as string;
      await events.publish('token.revoked', { jti, client_id: 'plain', token_type: 'access_token', exp: now() + 300, reason: 'admin' }, { source: 'introspection' });
      assert.deepEqual(await service.verify(t), { active: false });
      const g = await token('public-app', { grant_id: 'g-10' });
      await events.publish('grant.revoked', { grant_id: 'g-10', client_id: 'public-app', user_id: 'u', reason: 'user', revoked_at: now() }, { source: 'authorization' });
      assert.deepEqual(await service.verify(g), { active: false });
    });
  });

  describe('revoke', () => {
    const revoke = (auth: IntrospectionCaller, tokenValue?: string, hint?: string) =>
      service.revoke({ params: { ...(tokenValue === undefined ? {} : { token: tokenValue }), ...(hint ? { token_type_hint: hint } : {}) }, auth: auth as never });

    it('revokes a client its own token, stores and announces it (whatever the hint)', async () => {
      const t = await token('plain');
      const before = events.published.length;
      assert.deepEqual(await revoke(basic('plain'), t, 'refresh_token'), { revoked: true });
      assert.deepEqual(await introspect(basic('privileged'), t), { active: false });
      assert.equal(stored.at(-1)?.clientId, 'plain');
      const announced = events.published.slice(before);
      assert.equal(announced.length, 1);
      assert.equal(announced[0]!.type, 'token.revoked');
      assert.deepEqual({ ...announced[0]!.data, exp: 0, jti: '' }, { jti: '', client_id: 'plain', token_type: 'access_token', exp: 0, reason: 'client_request' });
      // Revoking it again changes nothing and announces nothing.
      assert.deepEqual(await revoke(basic('plain'), t), { revoked: true });
      assert.equal(events.published.length, before + 1);
    });

    it("refuses to revoke another client's token and leaves it active", async () => {
      const t = await token('other');
      const rows = stored.length;
      await assert.rejects(revoke(basic('plain'), t), { error: 'unauthorized_client' });
      assert.equal(stored.length, rows);
      assert.equal((await introspect(basic('privileged'), t)).active, true);
    });

    it('lets a public client revoke its own token with client_id only', async () => {
      assert.deepEqual(await revoke({ method: 'none', clientId: 'public-app' }, await token('public-app')), { revoked: true });
    });

    it('hands a token that is not one of our access tokens to the authorization service (refresh tokens)', async () => {
      authorization.calls.length = 0;
      authorization.answer = () => ({ revoked: true });
      assert.deepEqual(await service.revoke({ params: { token: OPAQUE, token_type_hint: 'refresh_token' }, auth: { method: 'none', clientId: 'public-app' }, requestId: 'req-7' }), { revoked: true });
      assert.deepEqual(authorization.calls, [{ subject: Rpc.authorization.revokeRefreshToken.subject, payload: { token: OPAQUE, client_id: 'public-app', requestId: 'req-7' } }]);
      authorization.answer = () => ({ revoked: false });
      assert.deepEqual(await revoke(basic('plain'), OPAQUE), { revoked: false });
      // What cannot be one of our refresh tokens is not asked about (issue #14).
      authorization.calls.length = 0;
      assert.deepEqual(await revoke(basic('plain'), 'garbage'), { revoked: false });
      assert.equal(authorization.calls.length, 0);
    });

    it('does not ask the authorization service about one of our access tokens', async () => {
      authorization.calls.length = 0;
      await revoke(basic('plain'), await token('plain'), 'refresh_token');
      assert.equal(authorization.calls.length, 0);
    });

    const forwardedErrors: Array<[string, Error, string, number]> = [
      ['does not answer (RFC 7009 §2.2.1)', new TemporarilyUnavailable('a backing service is not available'), 'temporarily_unavailable', 503],
      ['refuses a token of another client', new UnauthorizedClient('the token was not issued to this client'), 'unauthorized_client', 400],
    ];
    for (const [name, error, code, status] of forwardedErrors) {
      it(`answers ${code} when the authorization service ${name}`, async () => {
        authorization.answer = () => {
          throw error;
        };
        await assert.rejects(revoke(basic('plain'), OPAQUE), { error: code, status });
        authorization.answer = () => ({ revoked: true });
      });
    }
    it('answers invalid_request without a token', async () => assert.rejects(revoke(basic('plain')), { error: 'invalid_request' }));
    it('answers invalid_client for a secret client posing as public', async () => assert.rejects(revoke({ method: 'none', clientId: 'plain' }, await token('plain')), { error: 'invalid_client' }));

    it('answers 503 when the revocation cannot be announced, and announces the same event on retry', async () => {
      const t = await token('plain');
      events.down = true;
      await assert.rejects(revoke(basic('plain'), t), { error: 'temporarily_unavailable', status: 503 });
      const failedId = events.attempted.at(-1);
      assert.deepEqual(await introspect(basic('privileged'), t), { active: false }); // already in force here
      events.down = false;
      const before = events.published.length;
      assert.deepEqual(await revoke(basic('plain'), t), { revoked: true });
      assert.equal(events.published.length, before + 1);
      assert.equal(events.published.at(-1)!.id, failedId); // same Nats-Msg-Id: JetStream de-duplicates
      assert.deepEqual(await revoke(basic('plain'), t), { revoked: true });
      assert.equal(events.published.length, before + 1);
    });

    it('answers 503 again while the broker stays down, and never stores the revocation twice', async () => {
      const t = await token('plain');
      const rows = stored.length;
      events.down = true;
      await assert.rejects(revoke(basic('plain'), t), { error: 'temporarily_unavailable', status: 503 });
      await assert.rejects(revoke(basic('plain'), t), { error: 'temporarily_unavailable', status: 503 });
      events.down = false;
      assert.equal(stored.length, rows + 1);
      assert.equal(new Set(events.attempted.slice(-2)).size, 1, 'both attempts carried the one event');
      assert.deepEqual(await revoke(basic('plain'), t), { revoked: true });
    });
  });

  describe('while the replica catches up with revocations it missed (issue #13)', () => {
    it('holds introspection and verification until it has caught up, then answers', async () => {
      const t = await token('plain');
      events.change('lost');
      let answered = false;
      const held = Promise.all([introspect(basic('privileged'), t), service.verify(t)]).finally(() => (answered = true));
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(answered, false, 'nothing is answered from the state as it was before');
      events.change('resumed');
      const [body, verification] = await held;
      assert.equal(body.active, true);
      assert.equal(verification.active, true);
    });

    it('answers 503 temporarily_unavailable when the catch-up takes longer than a few seconds', async () => {
      const t = await token('plain');
      events.change('lost');
      try {
        await assert.rejects(introspect(basic('privileged'), t), { error: 'temporarily_unavailable', status: 503 });
        await assert.rejects(service.verify(t), { error: 'temporarily_unavailable', status: 503 });
      } finally {
        events.change('resumed');
      }
      await state.whenCaughtUp(3000);
      assert.equal((await introspect(basic('privileged'), t)).active, true);
    });
  });
});
