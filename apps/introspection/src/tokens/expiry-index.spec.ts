import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ExpiryIndex } from './expiry-index.js';

describe('ExpiryIndex: what expired, found without looking at the rest', () => {
  it('hands over only the keys filed under seconds before `until`, once, and forgets those seconds', () => {
    const index = new ExpiryIndex();
    for (let i = 0; i < 10_000; i++) index.add(`live-${i}`, 5000 + (i % 600));
    index.add('a', 1000.9);
    index.add('b', 1999);
    index.add('c', 2000);
    const visited: string[] = [];
    index.drain(2000, (key) => visited.push(key));
    assert.deepEqual(visited, ['a', 'b'], 'nothing live is visited');
    index.drain(2000, (key) => visited.push(key));
    assert.deepEqual(visited, ['a', 'b'], 'each key once');
    assert.equal(index.seconds, 601, 'the second of c and the 600 live ones');
  });

  it('takes a fractional `until` as the whole second before it', () => {
    const index = new ExpiryIndex();
    index.add('a', 1000);
    const visited: string[] = [];
    index.drain(1000.9, (key) => visited.push(key));
    assert.equal(visited.length, 0);
    index.drain(1001, (key) => visited.push(key));
    assert.deepEqual(visited, ['a']);
  });
});
