import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GrantRevocationList } from './grant-revocation-list.js';

describe('GrantRevocationList', () => {
  // [grant revoked at 1000]; a token of grant, issued at iat: revoked?
  const tokens: Array<[string, string, number, boolean]> = [
    ['a token issued before the revocation', 'g', 900, true],
    ['a token issued in the second of the revocation', 'g', 1000, true],
    ['a token issued after the revocation', 'g', 1001, false],
    ['a token of another grant', 'other', 900, false],
  ];
  for (const [name, grantId, iat, revoked] of tokens) {
    it(`${name} is ${revoked ? '' : 'not '}revoked`, () => {
      const list = new GrantRevocationList();
      list.add('g', 1000);
      assert.equal(list.revokes(grantId, iat), revoked);
    });
  }

  it('a later revocation of the same grant wins, whatever the order heard', () => {
    const list = new GrantRevocationList();
    list.add('g', 2000);
    list.add('g', 1000);
    assert.equal(list.revokes('g', 1500), true);
    assert.equal(list.size, 1);
  });

  // Revoked at 1000: kept until 1000 + 3660 (the longest access token lifetime plus skew), then purged.
  const purges: Array<[string, number, boolean]> = [
    ['kept while a token of the grant may be unexpired', 1000 + 3600, true],
    ['kept up to keep_until', 1000 + 3660, true],
    ['purged once keep_until has passed', 1000 + 3661, false],
  ];
  for (const [name, now, kept] of purges) {
    it(name, () => {
      const list = new GrantRevocationList();
      list.add('g', 1000);
      list.add('fresh', now);
      list.purge(now);
      assert.equal(list.revokes('g', 900), kept);
      assert.equal(list.revokes('fresh', now), true);
      assert.equal(list.size, kept ? 2 : 1);
    });
  }

  it('honours the keep_until loaded from the table', () => {
    const list = new GrantRevocationList();
    list.add('g', 1000, 1100);
    list.purge(1101);
    assert.equal(list.size, 0);
  });

  it('a grant revoked again later is kept until the later keep_until, then dropped', () => {
    const list = new GrantRevocationList();
    list.add('g', 1000);
    list.add('g', 2000);
    list.purge(1000 + 3661);
    assert.equal(list.revokes('g', 1500), true);
    list.purge(2000 + 3661);
    assert.equal(list.size, 0);
  });
});
