import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Logger } from '@nestjs/common';
import { Rpc } from '#contracts';
import type { ServiceBus } from '#nest';
import { generateOpaqueToken, RefreshTokenChecksum } from '#oauth';
import { RefreshTokenFilter } from './refresh-token-filter.js';

/** The authorization service's side of `authorization.v1.refresh.format` (a fake collaborator): down, or its answer. */
function authorizationService(answer: () => unknown): { bus: ServiceBus; asked: () => number } {
  let asked = 0;
  const bus = {
    async request(route: { subject: string }) {
      assert.equal(route.subject, Rpc.authorization.refreshTokenFormat.subject);
      asked++;
      return answer();
    },
  } as unknown as ServiceBus;
  return { bus, asked: () => asked };
}

Logger.overrideLogger(false);
describe('RefreshTokenFilter', () => {
  const key = RefreshTokenChecksum.generateKey();
  const checksum = new RefreshTokenChecksum(key);
  const published = (legacyUntil: number | null) => ({ checksum_key: key.toString('base64url'), legacy_until: legacyUntil });

  it('once the format is known, lets through only text with the checksum', async () => {
    const { bus } = authorizationService(() => published(null));
    const filter = new RefreshTokenFilter(bus);
    assert.equal(await filter.ask(), true);
    assert.equal(filter.mayBeIssued(checksum.issue()), true);
    assert.equal(filter.mayBeIssued(generateOpaqueToken(32)), false);
    assert.equal(filter.mayBeIssued(new RefreshTokenChecksum(RefreshTokenChecksum.generateKey()).issue()), false);
    assert.equal(filter.mayBeIssued('short'), false);
  });

  it('lets through every text of the shape while tokens from before the checksum may be in force', async () => {
    const { bus } = authorizationService(() => published(Math.floor(Date.now() / 1000) + 3600));
    const filter = new RefreshTokenFilter(bus);
    await filter.ask();
    assert.equal(filter.mayBeIssued(generateOpaqueToken(32)), true);
    assert.equal(filter.mayBeIssued('short'), false);
  });

  it('looks everything of the shape up until the authorization service answers, and asks again after a pause', async () => {
    let up = false;
    const { bus, asked } = authorizationService(() => {
      if (!up) throw new Error('no responders');
      return published(null);
    });
    const filter = new RefreshTokenFilter(bus);
    assert.equal(await filter.ask(), false);
    const garbage = generateOpaqueToken(32);
    assert.equal(filter.mayBeIssued(garbage), true, 'unknown format: looked up, nothing lost');
    assert.equal(asked(), 1, 'not asked again at once');
    up = true;
    assert.equal(await filter.ask(), true);
    assert.equal(filter.mayBeIssued(garbage), false);
  });

  it('takes no malformed answer for the format', async () => {
    for (const answer of [{ revoked: true }, { checksum_key: 'c2hvcnQ', legacy_until: null }, { checksum_key: key.toString('base64url'), legacy_until: 'soon' }, null]) {
      const filter = new RefreshTokenFilter(authorizationService(() => answer).bus);
      assert.equal(await filter.ask(), false, JSON.stringify(answer));
      assert.equal(filter.mayBeIssued(generateOpaqueToken(32)), true);
    }
  });
});
