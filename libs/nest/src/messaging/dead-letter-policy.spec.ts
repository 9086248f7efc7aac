import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { afterFailure, headerText, redeliveryDelayMs } from './dead-letter-policy.js';

describe('afterFailure (issue #14)', () => {
  it('retries a failed event until its last delivery, then sets it aside', () => {
    assert.deepEqual(afterFailure(1, 5, false), { action: 'retry', delayMs: 500 });
    assert.deepEqual(afterFailure(4, 5, false), { action: 'retry', delayMs: 4000 });
    assert.deepEqual(afterFailure(5, 5, false), { action: 'dead_letter', kind: 'max_deliver' });
    assert.deepEqual(afterFailure(9, 5, false), { action: 'dead_letter', kind: 'max_deliver' });
  });
  it('never sets an event aside for an infrastructure failure, however often it was delivered', () => {
    assert.equal(afterFailure(50, 5, true).action, 'retry_all');
  });
  it('waits longer each time, at most 30 s', () => {
    assert.deepEqual([1, 2, 3, 7, 20].map(redeliveryDelayMs), [500, 1000, 2000, 30_000, 30_000]);
  });
});

describe('headerText', () => {
  it('keeps one printable line of at most 512 characters', () => {
    assert.equal(headerText('a\r\nb\u0000c'), 'a b c');
    assert.equal(headerText('x'.repeat(600)).length, 512);
    assert.equal(headerText(''), '-');
  });
});
