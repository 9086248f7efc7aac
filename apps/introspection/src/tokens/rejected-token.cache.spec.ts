import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { suiteMetrics } from '#nest';
import { RejectedTokenCache } from './rejected-token.cache.js';

describe('RejectedTokenCache', () => {
  it('remembers what it was given, up to its size, oldest forgotten first', () => {
    const cache = new RejectedTokenCache(3, 10);
    for (const t of ['a', 'b', 'c', 'd']) cache.add(t);
    assert.equal(cache.size, 3);
    assert.equal(cache.has('a'), false);
    assert.equal(cache.has('d'), true);
  });
  it('counts what it forgets to stay within its size', async () => {
    const evictions = async () => (await suiteMetrics().cacheEvictions.get()).values.find((v) => v.labels.cache === 'rejected_tokens')?.value ?? 0;
    const before = await evictions();
    const cache = new RejectedTokenCache(2, 10);
    for (const t of ['a', 'b', 'c', 'd', 'd']) cache.add(t);
    assert.equal((await evictions()) - before, 2, 'a and b; d again is already there');
  });
  it('does not keep long texts', () => {
    const cache = new RejectedTokenCache(3, 10);
    cache.add('x'.repeat(11));
    assert.equal(cache.size, 0);
  });
});
