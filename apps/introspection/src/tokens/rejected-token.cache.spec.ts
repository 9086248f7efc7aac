import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RejectedTokenCache } from './rejected-token.cache.js';

describe('RejectedTokenCache', () => {
  it('remembers what it was given, up to its size, oldest forgotten first', () => {
    const cache = new RejectedTokenCache(3, 10);
    for (const t of ['a', 'b', 'c', 'd']) cache.add(t);
    assert.equal(cache.size, 3);
    assert.equal(cache.has('a'), false);
    assert.equal(cache.has('d'), true);
  });
  it('does not keep long texts', () => {
    const cache = new RejectedTokenCache(3, 10);
    cache.add('x'.repeat(11));
    assert.equal(cache.size, 0);
  });
});
