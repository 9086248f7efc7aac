import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Bulkhead } from './bulkhead.js';
import { LATENCY_INTERVAL_MS, LatencyLimit } from './latency-limit.js';

/** Feeds one interval of samples, the limit having held requests back or not; returns the limit after it. */
function interval(limit: LatencyLimit, clock: { now: number }, samples: number[], limited: boolean): number {
  if (limited) limit.limited();
  for (const ms of samples) limit.sample(ms, clock.now);
  clock.now += LATENCY_INTERVAL_MS;
  limit.roll(clock.now);
  return limit.current;
}

describe('LatencyLimit', () => {
  it('keeps its ceiling while requests take about their unloaded time', () => {
    const clock = { now: 0 };
    const limit = new LatencyLimit(8, 2, 1, clock.now);
    for (let i = 0; i < 20; i++) assert.equal(interval(limit, clock, [5, 6, 7, 6], true), 8);
    assert.equal(limit.unloaded < 6, true);
  });

  it('drops by a quarter (at least one) each interval the mean is above tolerance × unloaded, never below the floor', () => {
    const clock = { now: 0 };
    const limit = new LatencyLimit(8, 2, 1, clock.now);
    interval(limit, clock, [5], false);
    const seen = [8];
    for (let i = 0; i < 6; i++) seen.push(interval(limit, clock, [30, 40], true));
    assert.deepEqual(seen, [8, 6, 4, 3, 2, 1, 1]);
  });

  it('grows by one an interval while it holds requests back and they are fast again, up to the ceiling', () => {
    const clock = { now: 0 };
    const limit = new LatencyLimit(4, 2, 1, clock.now);
    interval(limit, clock, [5], false);
    for (let i = 0; i < 4; i++) interval(limit, clock, [50], true);
    assert.equal(limit.current, 1);
    assert.equal(interval(limit, clock, [6], false), 1, 'not while nothing waits for a place');
    const seen = [];
    for (let i = 0; i < 5; i++) seen.push(interval(limit, clock, [6], true));
    assert.deepEqual(seen, [2, 3, 4, 4, 4]);
  });

  it('forgets its unloaded latency slowly, so a service that became slower for good is not starved', () => {
    const clock = { now: 0 };
    const limit = new LatencyLimit(4, 2, 1, clock.now);
    interval(limit, clock, [5], false);
    // From now on the service takes 20 ms (e.g. a larger database): the limit falls, then comes back.
    let lowest = 4;
    for (let i = 0; i < 600; i++) lowest = Math.min(lowest, interval(limit, clock, [20, 20], true));
    assert.equal(lowest, 1);
    assert.equal(limit.current, 4, 'after a minute of steady 20 ms the ceiling is open again');
  });
});

describe('Bulkhead with a latency limit', () => {
  it('opens the places the limit allows, and queued requests take places that open again', async () => {
    const latency = new LatencyLimit(3, 2);
    const b = new Bulkhead('t', 3, 10, 1000, 1000, latency);
    assert.equal(b.open, 3);
    const held = [b.enter(), b.enter(), b.enter()] as Array<() => void>;
    const queued = b.enter();
    assert.ok(queued instanceof Promise);
    held[0]!();
    assert.equal(typeof (await queued), 'function');
    assert.equal(b.inFlight, 3);
  });
});
