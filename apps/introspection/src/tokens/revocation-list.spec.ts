import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { suiteMetrics } from '#nest';
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

  it('a jti revoked again with a later exp is kept until that one, then dropped', () => {
    const list = new RevocationList();
    list.add('a', 1000);
    list.add('a', 3000);
    list.add('a', 2000); // an older announcement heard late changes nothing
    list.purge(2500);
    assert.equal(list.has('a'), true);
    list.purge(3061);
    assert.equal(list.size, 0);
  });

  it('holds only unexpired revocations through periodic purges, whatever went through it', () => {
    const list = new RevocationList();
    for (let minute = 0; minute < 180; minute++) {
      const now = 1_000_000 + minute * 60;
      // A hundred revocations a minute of tokens with up to an hour left; the catch-up loads some again.
      for (let i = 0; i < 100; i++) list.add(`${minute}-${i}`, now + (i % 60) * 60);
      for (let i = 0; i < 100; i += 10) list.add(`${minute}-${i}`, now + (i % 60) * 60);
      list.purge(now);
    }
    assert.ok(list.size <= 100 * 62, `${list.size} entries: at most the last hour and its skew`);
    list.purge(1_000_000 + 180 * 60 + 3600 + 61);
    assert.equal(list.size, 0);
  });
});

describe('VerifiedTokenCache', () => {
  it('answers until validUntil, then forgets', () => {
    const cache = new VerifiedTokenCache<string>();
    cache.set('t', 'kid', 'claims', 1000);
    assert.deepEqual(cache.get('t', 999), { kid: 'kid', value: 'claims', validUntil: 1000 });
    assert.equal(cache.get('t', 1000), undefined);
    assert.equal(cache.size, 0);
  });

  it('is bounded, evicting the oldest entry, and counts the eviction', async () => {
    const evictions = async () => (await suiteMetrics().cacheEvictions.get()).values.find((v) => v.labels.cache === 'verified_tokens')?.value ?? 0;
    const before = await evictions();
    const cache = new VerifiedTokenCache<number>(2);
    cache.set('a', 'k', 1, 9e9, 0);
    cache.set('b', 'k', 2, 9e9, 0);
    cache.set('c', 'k', 3, 9e9, 0);
    assert.equal(cache.size, 2);
    assert.equal(cache.get('a', 0), undefined);
    assert.equal(cache.get('c', 0)?.value, 3);
    assert.equal((await evictions()) - before, 1);
  });

  it('sheds expired entries at its old end as new ones come, without counting them as evictions', () => {
    const cache = new VerifiedTokenCache<number>(10);
    for (const token of ['a', 'b', 'c']) cache.set(token, 'k', 1, 100, 0);
    cache.set('d', 'k', 4, 9e9, 200);
    assert.equal(cache.size, 2, 'two expired ones went with the insertion');
    cache.set('e', 'k', 5, 9e9, 200);
    assert.equal(cache.size, 2);
    assert.deepEqual(['d', 'e'].map((t) => cache.get(t, 200)?.value), [4, 5]);
  });
});
