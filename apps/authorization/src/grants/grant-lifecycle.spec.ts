import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { AuthorizedGrant, RefreshReplay } from '#contracts';
import { InvalidGrant, UnauthorizedClient } from '#oauth';
import { scratchAuthorizationDatabase } from '../persistence/authorization-database.fixtures.js';
import { UserEntity } from '../persistence/entities/user.entity.js';
import { grantRules, REDIRECT } from './grant-rules.fixtures.js';
import { RefreshTokenFormat } from './refresh-token-format.js';

/** The rules of a grant's life against a real PostgreSQL (a fresh database of DATABASE_URL's server); the event bus is in memory. */
Logger.overrideLogger(false);
describe('grant lifecycle: code redemption, rotation, reuse, grace, revocation (PostgreSQL)', { skip: !process.env.DATABASE_URL && 'needs DATABASE_URL' }, () => {
  let dataSource: DataSource;
  let dropDatabase: () => Promise<void>;
  let format: RefreshTokenFormat;
  const services = (grace: number) => grantRules(dataSource, format, { REFRESH_REUSE_GRACE_SECONDS: String(grace) });
  let s: ReturnType<typeof services>;

  before(async () => {
    ({ dataSource, drop: dropDatabase } = await scratchAuthorizationDatabase('grants'));
    format = new RefreshTokenFormat(dataSource);
    await format.onModuleInit();
    await dataSource.getRepository(UserEntity).insert({ id: 'u1', username: 'pat', passwordHash: 'x', displayName: 'Pat', fhirUser: 'Patient/p1', patients: [], disabled: false, admin: false });
    s = services(0);
  });
  after(async () => {
    await dropDatabase?.();
  });

  const codeFor = (scope: string, sessionHash: string | null = null) => s.codeFor(scope, sessionHash);
  const redeem = (code: string, overrides: Record<string, string | undefined> = {}) => s.redeem(code, overrides);
  const revoked = async (grantId: string) => (await s.grants.find(grantId))?.revokedAt instanceof Date;

  it('redeems a code once, for what its grant stands for and a refresh token', async () => {
    const { code, grantId } = await codeFor('openid fhirUser offline_access patient/*.rs');
    const grant = await redeem(code);
    assert.equal(grant.grant_id, grantId);
    assert.equal(grant.sub, 'u1');
    assert.equal(grant.nonce, 'n-1');
    assert.equal(grant.patient, 'p1');
    assert.equal(grant.fhirUser, 'https://fhir.example/r4/Patient/p1');
    assert.equal(typeof grant.refresh_token, 'string');
    assert.equal((await s.grants.find(grantId))?.lastUsedAt instanceof Date, true);
  });

  const spentByFailure: Array<[string, Record<string, string | undefined>]> = [
    ['a wrong code_verifier', { code_verifier: 'x'.repeat(43) }],
    ['no code_verifier', { code_verifier: undefined }],
    ['another redirect_uri', { redirect_uri: `${REDIRECT}/x` }],
    ['another client', { client_id: 'other' }],
  ];
  for (const [name, presented] of spentByFailure) {
    it(`a code presented with ${name} is refused and spent; presenting it again revokes its grant (RFC 6749 §10.5, §4.1.2)`, async () => {
      const { code, grantId } = await codeFor('openid offline_access');
      await assert.rejects(redeem(code, presented), InvalidGrant);
      await assert.rejects(redeem(code), /already used/);
      assert.equal(await revoked(grantId), true);
    });
  }

  it('an unknown code is invalid and revokes nothing', async () => {
    await assert.rejects(redeem('never-issued'), /invalid or expired/);
  });

  it('rotates a refresh token; the spent one coming back revokes the whole grant (RFC 9700 §4.14.2)', async () => {
    const first = await redeem((await codeFor('openid offline_access patient/*.rs')).code);
    const second = (await s.rotation.refresh({ refresh_token: first.refresh_token!, client_id: 'app' })) as AuthorizedGrant;
    assert.notEqual(second.refresh_token, first.refresh_token);
    await assert.rejects(s.rotation.refresh({ refresh_token: first.refresh_token!, client_id: 'app' }), /already used; the whole grant is revoked/);
    assert.equal(await revoked(first.grant_id), true);
    await assert.rejects(s.rotation.refresh({ refresh_token: second.refresh_token!, client_id: 'app' }), /invalid, expired or revoked/);
  });

  it('narrows the access token on request, never widens it, and the new refresh token keeps the whole scope (RFC 6749 §6)', async () => {
    const first = await redeem((await codeFor('openid offline_access patient/*.rs')).code);
    await assert.rejects(s.rotation.refresh({ refresh_token: first.refresh_token!, client_id: 'app', scope: 'user/*.rs' }), /cannot widen/);
    const narrowed = (await s.rotation.refresh({ refresh_token: first.refresh_token!, client_id: 'app', scope: 'patient/Observation.rs' })) as AuthorizedGrant;
    assert.equal(narrowed.scope, 'patient/Observation.rs');
    const again = (await s.rotation.refresh({ refresh_token: narrowed.refresh_token!, client_id: 'app' })) as AuthorizedGrant;
    assert.equal(again.scope, 'openid offline_access patient/*.rs');
  });

  it('a token of another client is refused and revokes nothing', async () => {
    const first = await redeem((await codeFor('offline_access')).code);
    await assert.rejects(s.rotation.refresh({ refresh_token: first.refresh_token!, client_id: 'other' }), /invalid, expired or revoked/);
    assert.equal(await revoked(first.grant_id), false);
  });

  it('online_access: a refresh token lives with its login session; offline_access outlives it (SMART App Launch 2.2)', async () => {
    const { token, session } = await s.sessions.create('u1');
    const online = await redeem((await codeFor('online_access', session.idHash)).code);
    const offline = await redeem((await codeFor('offline_access', session.idHash)).code);
    assert.equal(typeof online.refresh_token, 'string');
    await s.sessions.end(session.idHash);
    assert.ok(token);
    await assert.rejects(s.rotation.refresh({ refresh_token: online.refresh_token!, client_id: 'app' }), /login session .* has ended/);
    assert.equal(typeof ((await s.rotation.refresh({ refresh_token: offline.refresh_token!, client_id: 'app' })) as AuthorizedGrant).refresh_token, 'string');
  });

  it('refresh grace: the spent token presented inside the window gets the sealed response, and revokes nothing', async () => {
    s = services(10);
    try {
      const first = await redeem((await codeFor('offline_access')).code);
      const rotated = (await s.rotation.refresh({ refresh_token: first.refresh_token!, client_id: 'app' })) as AuthorizedGrant;
      assert.equal(rotated.seal_response, true);
      assert.deepEqual(await s.grace.seal({ refresh_token: first.refresh_token!, sealed: 'sealed-response' }), { sealed: true });
      assert.deepEqual(await s.grace.seal({ refresh_token: first.refresh_token!, sealed: 'another' }), { sealed: false }, 'sealed once only');
      const replay = (await s.rotation.refresh({ refresh_token: first.refresh_token!, client_id: 'app' })) as RefreshReplay;
      assert.deepEqual(replay, { replay: 'sealed-response' });
      assert.equal(await revoked(first.grant_id), false);
    } finally {
      s = services(0);
    }
  });

  it('revoking a refresh token revokes its grant, for its own client only (RFC 7009 §2.1)', async () => {
    const first = await redeem((await codeFor('offline_access')).code);
    await assert.rejects(s.revocation.revokeRefreshToken({ token: first.refresh_token!, client_id: 'other' }), UnauthorizedClient);
    assert.deepEqual(await s.revocation.revokeRefreshToken({ token: 'never-issued', client_id: 'app' }), { revoked: false });
    assert.deepEqual(await s.revocation.revokeRefreshToken({ token: first.refresh_token!, client_id: 'app' }), { revoked: true });
    assert.equal(await revoked(first.grant_id), true);
    assert.equal(await s.revocation.revoke(first.grant_id, 'admin'), false, 'a second revocation changes nothing');
  });
});
