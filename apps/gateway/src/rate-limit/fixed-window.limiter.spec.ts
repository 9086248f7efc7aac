import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FixedWindowLimiter } from './fixed-window.limiter.js';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('FixedWindowLimiter', () => {
  it('allows `limit` requests per window, then refuses with the seconds left in the window', () => {
    const c = clock();
    const limiter = new FixedWindowLimiter(60_000, 100, c.now);
    for (let i = 0; i < 3; i++) assert.equal(limiter.hit('a', 3).allowed, true, `request ${i + 1}`);
    c.advance(15_500);
    assert.deepEqual(limiter.hit('a', 3), { allowed: false, retryAfterSeconds: 45 });
  });

  it('starts a new window once the old one is over', () => {
    const c = clock();
    const limiter = new FixedWindowLimiter(10_000, 100, c.now);
    limiter.hit('a', 1);
    assert.equal(limiter.hit('a', 1).allowed, false);
    c.advance(10_000);
    assert.equal(limiter.hit('a', 1).allowed, true);
  });

  it('counts each key on its own', () => {
    const limiter = new FixedWindowLimiter(10_000, 100, clock().now);
    assert.equal(limiter.hit('a', 1).allowed, true);
    assert.equal(limiter.hit('a', 1).allowed, false);
    assert.equal(limiter.hit('b', 1).allowed, true);
  });

  it('does not count refused requests (the window does not grow past the limit)', () => {
    const c = clock();
    const limiter = new FixedWindowLimiter(10_000, 100, c.now);
    limiter.hit('a', 2);
    limiter.hit('a', 2);
    for (let i = 0; i < 10; i++) limiter.hit('a', 2);
    c.advance(10_000);
    assert.equal(limiter.hit('a', 2).allowed, true);
    assert.equal(limiter.hit('a', 2).allowed, true);
    assert.equal(limiter.hit('a', 2).allowed, false);
  });

  it('treats a limit of 0 as unlimited and keeps no state for it', () => {
    const limiter = new FixedWindowLimiter(10_000, 100, clock().now);
    for (let i = 0; i < 1000; i++) assert.equal(limiter.hit('a', 0).allowed, true);
    assert.equal(limiter.size, 0);
  });

  it('never keeps more than maxKeys windows, forgetting the least recently used', () => {
    const limiter = new FixedWindowLimiter(60_000, 3, clock().now);
    limiter.hit('a', 1);
    limiter.hit('b', 1);
    limiter.hit('c', 1);
    limiter.hit('a', 1); // a is used again: b is now the oldest
    limiter.hit('d', 1);
    assert.equal(limiter.size, 3);
    assert.equal(limiter.hit('a', 1).allowed, false, 'a is still counted');
    assert.equal(limiter.hit('b', 1).allowed, true, 'b was forgotten');
  });

  it('answers Retry-After of at least one second', () => {
    const c = clock();
    const limiter = new FixedWindowLimiter(1000, 10, c.now);
    limiter.hit('a', 1);
    c.advance(999);
    assert.deepEqual(limiter.hit('a', 1), { allowed: false, retryAfterSeconds: 1 });
  });

  it('refuses a window or bound that is not positive', () => {
    assert.throws(() => new FixedWindowLimiter(0, 10));
    assert.throws(() => new FixedWindowLimiter(1000, 0));
  });
});
