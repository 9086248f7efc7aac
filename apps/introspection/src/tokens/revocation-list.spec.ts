import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RevocationList } from './revocation-list.js';
import { VerifiedTokenCache } from './verified-token.cache.js';

describe('RevocationList', () => {
  // [jti, exp] added; purge at `now` with the default 60 s skew; which remain.
  const cases: Array<[string, Array<[string, number]>, number, string[]]> = [
    ['keeps live revocations', [['a', 2000]], 1000, ['a']],
    ['keeps a revocation within the skew after expiry', [['a', 1000]], 1050, ['a']],
    ['drops a revocation once its token has expired past the skew', [['a', 1000]], 1061, []],
    ['drops only the expired ones', [['a', 1000], ['b', 5000]], 2000, ['b']],
    ['a later exp for the same jti wins', [['a', 5000], ['a', 1000]], 2000, ['a']],
  ];
  for (const [name, added, now, remaining] of cases) {
    it(name, () => {
      const list = new RevocationList();
      for (const [jti, exp] of added) list.add(jti, exp);
      list.purge(now);
      assert.deepEqual(['a', 'b'].filter((jti) => list.has(jti)), remaining);
      assert.equal(list.size, remaining.length);
    });
  }
});

describe('VerifiedTokenCache', () => {
  it('answers until validUntil, then forgets', () => {
    const cache = new VerifiedTokenCache<string>();
    cache.set('t', 'kid', 'claims', 1000);
    assert.deepEqual(cache.get('t', 999), { kid: 'kid', value: 'claims', validUntil: 1000 });
    assert.equal(cache.get('t', 1000), undefined);
    assert.equal(cache.size, 0);
  });

  it('is bounded, evicting the oldest entry', () => {
    const cache = new VerifiedTokenCache<number>(2);
    cache.set('a', 'k', 1, 9e9);
    cache.set('b', 'k', 2, 9e9);
    cache.set('c', 'k', 3, 9e9);
    assert.equal(cache.size, 2);
    assert.equal(cache.get('a', 0), undefined);
    assert.equal(cache.get('c', 0)?.value, 3);
  });
});
