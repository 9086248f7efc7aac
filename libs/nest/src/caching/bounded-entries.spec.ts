import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { suiteMetrics } from '../observability/metrics.js';
import { evictOldest, watchedCache } from './bounded-entries.js';

const evictions = async (cache: string) => (await suiteMetrics().cacheEvictions.get()).values.find((v) => v.labels.cache === cache)?.value ?? 0;
const entries = async (cache: string) => {
  await suiteMetrics().render(); // a scrape fills the gauge in
  return (await suiteMetrics().cacheEntries.get()).values.find((v) => v.labels.cache === cache)?.value;
};

describe('bounded caches: entries and evictions reported', () => {
  it('evictOldest drops the first key of a Map or a Set and counts it; an empty one is left alone', async () => {
    const before = await evictions('spec_cache');
    const map = new Map([['a', 1], ['b', 2]]);
    evictOldest('spec_cache', map);
    assert.deepEqual([...map.keys()], ['b']);
    const set = new Set(['x', 'y']);
    evictOldest('spec_cache', set);
    assert.deepEqual([...set], ['y']);
    evictOldest('spec_cache', new Set());
    assert.equal((await evictions('spec_cache')) - before, 2);
  });

  it('cache_entries sums the instances of a cache at each scrape', async () => {
    const one = watchedCache('spec_sized', new Map([['a', 1]]));
    const two = watchedCache('spec_sized', new Set(['x', 'y']));
    assert.equal(await entries('spec_sized'), 3);
    two.clear();
    assert.equal(await entries('spec_sized'), 1);
    assert.equal(one.size, 1);
  });
});
