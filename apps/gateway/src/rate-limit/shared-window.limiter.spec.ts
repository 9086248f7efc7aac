import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WindowCountContended, WindowCounterStore, type WindowCount } from '#nest';
import { SharedWindowLimiter } from './shared-window.limiter.js';

/** The store's contract in memory (what JetStreamWindowCounterStore keeps in NATS), with an outage switch. */
class MemoryCounts extends WindowCounterStore {
  readonly counts = new Map<string, number>();
  down = false;
  contended = false;
  calls = 0;
  /** Additions in flight now, and the most at once (each waits a moment, as a network round trip does). */
  inFlight = 0;
  maxInFlight = 0;

  async add(counter: string, key: string, windowStartMs: number, delta: number, ceiling = Number.POSITIVE_INFINITY): Promise<WindowCount> {
    this.calls++;
    if (this.down) throw new Error('no responders');
    if (this.contended) throw new WindowCountContended(counter);
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    await new Promise((resolve) => setImmediate(resolve));
    this.inFlight--;
    const id = `${counter}/${key}/${windowStartMs}`;
    const before = this.counts.get(id) ?? 0;
    if (before + delta > ceiling) return { count: before, added: false };
    this.counts.set(id, before + delta);
    return { count: before + delta, added: true };
  }
}

const WINDOW = 60_000;

/** Two gateway replicas sharing one store, on one clock. */
function replicas(store: WindowCounterStore, clock: { t: number }) {
  const make = () => new SharedWindowLimiter(store, 'token-client', WINDOW, 100, 50, () => clock.t);
  return [make(), make()] as const;
}

async function allowed(limiter: SharedWindowLimiter, n: number, key = 'client-a', limit = 4): Promise<boolean[]> {
  const out: boolean[] = [];
  for (let i = 0; i < n; i++) out.push((await limiter.hit(key, limit)).allowed);
  return out;
}

describe('SharedWindowLimiter', () => {
  it('two replicas share one limit exactly near it: the store decides from half the limit on', async () => {
    const store = new MemoryCounts();
    const clock = { t: 10 * WINDOW + 1000 };
    const [a, b] = replicas(store, clock);
    assert.deepEqual(await allowed(a, 3), [true, true, true]);
    assert.deepEqual(await allowed(b, 2), [true, false], 'b\'s first request is the 4th of the key');
    assert.deepEqual(await allowed(a, 1), [false], 'a asks the store: the limit is reached');
    assert.equal(store.counts.get(`token-client/client-a/${10 * WINDOW}`), 4);
  });

  it('below half the limit, hits are admitted at once and added to the store in batches', async () => {
    const store = new MemoryCounts();
    const clock = { t: 10 * WINDOW };
    const [a, b] = replicas(store, clock);
    assert.deepEqual(await allowed(a, 10, 'bulk', 100), Array(10).fill(true));
    assert.equal(store.calls, 1, 'only the first hit of the window waited for the store');
    await a.flush();
    assert.equal(store.calls, 2);
    assert.equal(store.counts.get(`token-client/bulk/${10 * WINDOW}`), 10);
    assert.deepEqual(await allowed(b, 1, 'bulk', 100), [true]);
    assert.equal(store.counts.get(`token-client/bulk/${10 * WINDOW}`), 11, 'b starts from the shared count');
  });

  it('the per-replica limiter it replaces would admit twice the limit', async () => {
    const { FixedWindowLimiter } = await import('./fixed-window.limiter.js');
    const [a, b] = [new FixedWindowLimiter(WINDOW, 100), new FixedWindowLimiter(WINDOW, 100)];
    const admitted = [...Array.from({ length: 4 }, () => a.hit('k', 4).allowed), ...Array.from({ length: 4 }, () => b.hit('k', 4).allowed)].filter(Boolean).length;
    const store = new MemoryCounts();
    const [c, d] = replicas(store, { t: 0 });
    assert.equal([...(await allowed(c, 4, 'k')), ...(await allowed(d, 4, 'k'))].filter(Boolean).length, 4, 'shared: 4 in all');
    assert.equal(admitted, 8);
  });

  it('windows are aligned on the clock, Retry-After is the time to the window\'s end, and a new window starts from 0', async () => {
    const store = new MemoryCounts();
    const clock = { t: 10 * WINDOW + 45_500 };
    const [a] = replicas(store, clock);
    assert.deepEqual(await allowed(a, 5), [true, true, true, true, false]);
    assert.equal((await a.hit('client-a', 4)).retryAfterSeconds, 15);
    clock.t = 11 * WINDOW;
    assert.deepEqual(await allowed(a, 1), [true]);
    assert.equal(store.counts.get(`token-client/client-a/${11 * WINDOW}`), 1);
  });

  it('while the store fails, each replica counts alone (fails open to the per-replica limit), and syncs once it is back', async () => {
    const store = new MemoryCounts();
    const clock = { t: 10 * WINDOW };
    const [a, b] = replicas(store, clock);
    store.down = true;
    assert.deepEqual(await allowed(a, 5), [true, true, true, true, false]);
    await a.flush();
    assert.deepEqual(await allowed(b, 5), [true, true, true, true, false], 'b admits its own limit');
    await b.flush();
    assert.equal(store.counts.size, 0);
    store.down = false;
    await a.flush();
    await b.flush();
    assert.equal(store.counts.get(`token-client/client-a/${10 * WINDOW}`), 8, 'the hits kept pending reach the store');
  });

  it('a contended key decides one request on the local view, without turning the shared decisions off', async () => {
    const store = new MemoryCounts();
    const [a] = replicas(store, { t: 0 });
    store.contended = true;
    assert.deepEqual(await allowed(a, 1), [true]);
    store.contended = false;
    assert.deepEqual(await allowed(a, 1), [true]);
    assert.equal(store.counts.get('token-client/client-a/0'), 2, 'the next request went to the store at once, with the pending hit');
  });

  it('concurrent requests of one key at one replica ask the store one at a time, and the limit holds', async () => {
    const store = new MemoryCounts();
    const [a, b] = replicas(store, { t: 0 });
    const decisions = await Promise.all([...Array.from({ length: 6 }, () => a.hit('burst', 4)), ...Array.from({ length: 6 }, () => b.hit('burst', 4))]);
    assert.equal(decisions.filter((d) => d.allowed).length, 4);
    assert.equal(store.maxInFlight, 2, 'one addition in flight per replica');
    assert.equal(store.counts.get('token-client/burst/0'), 4);
  });

  it('0 is unlimited and not counted; keys stay bounded', async () => {
    const store = new MemoryCounts();
    const limiter = new SharedWindowLimiter(store, 'x', WINDOW, 3, 50, () => 0);
    assert.deepEqual(await allowed(limiter, 3, 'k', 0), [true, true, true]);
    assert.equal(limiter.size, 0);
    for (const k of ['a', 'b', 'c', 'd']) await limiter.hit(k, 1);
    assert.equal(limiter.size, 3);
    limiter.stop();
  });
});
