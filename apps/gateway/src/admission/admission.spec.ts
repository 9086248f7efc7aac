import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { admissionClassOf, DEFAULT_ADMISSION_LIMITS, parseAdmissionLimits } from './admission.js';
import { Bulkhead, OVERLOAD_INTERVAL_MS } from './bulkhead.js';

describe('Bulkhead', () => {
  it('admits up to its concurrency at once, queues up to its queue, refuses the rest at once', async () => {
    const b = new Bulkhead('t', 2, 1, 1000);
    const r1 = b.enter();
    const r2 = b.enter();
    assert.equal(typeof r1, 'function');
    assert.equal(typeof r2, 'function');
    const queued = b.enter();
    assert.ok(queued instanceof Promise);
    assert.equal(b.enter(), null, 'queue full: refused at once');
    assert.equal(b.rejected, 1);
    (r1 as () => void)();
    const r3 = await queued;
    assert.equal(typeof r3, 'function', 'the queued request gets the place given back');
    assert.equal(b.inFlight, 2);
    (r2 as () => void)();
    (r3 as () => void)();
    (r3 as () => void)();
    assert.equal(b.inFlight, 0, 'a place given back twice counts once');
  });

  it('refuses a queued request after the queue timeout', async () => {
    const b = new Bulkhead('t', 1, 5, 30);
    const held = b.enter() as () => void;
    const started = Date.now();
    assert.equal(await b.enter(), null);
    assert.ok(Date.now() - started >= 25);
    assert.equal(b.queued, 0);
    held();
    assert.equal(b.inFlight, 0);
  });
});

describe('Bulkhead: a standing queue (overload) waits less than a passing burst', () => {
  it('gives new arrivals the overload timeout once even the shortest wait of an interval was above the target', async () => {
    const b = new Bulkhead('t', 1, 100, 1000, 10);
    const held = b.enter() as () => void;
    const first = b.enter() as Promise<(() => void) | null>; // a burst: may wait 1000 ms
    assert.equal(b.overloaded, false);
    await new Promise((r) => setTimeout(r, OVERLOAD_INTERVAL_MS + 20));
    held(); // `first` gets the place after waiting more than the target: the interval's shortest wait is long
    const admitted = await first;
    assert.equal(typeof admitted, 'function', 'the burst request got its place');
    const holdsAgain = b.enter(); // queued behind `admitted`
    await new Promise((r) => setTimeout(r, OVERLOAD_INTERVAL_MS + 20));
    assert.equal(b.overloaded, true, 'the queue is standing');
    const started = Date.now();
    assert.equal(await b.enter(), null, 'an arrival during overload is refused after the short timeout');
    assert.ok(Date.now() - started < 500);
    (admitted as () => void)();
    const last = await holdsAgain;
    (last as () => void)();
    assert.equal(b.inFlight, 0);
  });

  it('gives a place that comes free to the oldest waiter in a burst, to the newest in a standing queue', async () => {
    const order: string[] = [];
    const waitFor = (b: Bulkhead, name: string) => (b.enter() as Promise<(() => void) | null>).then((release) => {
      order.push(name);
      return release;
    });
    // A passing burst: first come, first served.
    const burst = new Bulkhead('t', 1, 10, 1000, 1000);
    const holder = burst.enter() as () => void;
    const a = waitFor(burst, 'a');
    const b = waitFor(burst, 'b');
    holder();
    (await a)!();
    (await b)!();
    assert.deepEqual(order, ['a', 'b']);
    // A standing queue: the newest first.
    order.length = 0;
    const standing = new Bulkhead('t', 1, 10, 1000, 1000);
    const held = standing.enter() as () => void;
    const early = waitFor(standing, 'early');
    await new Promise((r) => setTimeout(r, OVERLOAD_INTERVAL_MS + 20));
    held(); // `early` waited past the target: the interval's shortest wait is long
    const admitted = (await early)!;
    const old = waitFor(standing, 'old');
    const young = waitFor(standing, 'young');
    await new Promise((r) => setTimeout(r, OVERLOAD_INTERVAL_MS + 20));
    assert.equal(standing.overloaded, true);
    admitted();
    (await young)!();
    (await old)!();
    assert.deepEqual(order, ['early', 'young', 'old']);
  });

  it('stays standing while waiters run out of time, though the newest got its place at once, and ends after a calm interval', async () => {
    const b = new Bulkhead('t', 1, 10, 1000, 30);
    const held = b.enter() as () => void;
    const first = b.enter() as Promise<(() => void) | null>;
    await new Promise((r) => setTimeout(r, OVERLOAD_INTERVAL_MS + 20));
    held(); // `first` waited past the target
    const holding = (await first)!;
    await new Promise((r) => setTimeout(r, OVERLOAD_INTERVAL_MS + 20));
    assert.equal(b.overloaded, true, 'the queue is standing');
    const old = b.enter() as Promise<(() => void) | null>; // may wait 30 ms
    const young = b.enter() as Promise<(() => void) | null>;
    holding(); // the newest gets the place at once: this interval's shortest wait is about 0
    const youngRelease = (await young)!;
    assert.equal(await old, null, 'the old waiter ran out of time');
    await new Promise((r) => setTimeout(r, OVERLOAD_INTERVAL_MS + 20));
    assert.equal(b.overloaded, true, 'a waiter was refused in the last interval: still standing');
    youngRelease();
    (b.enter() as () => void)(); // a place at once: the queue is empty
    await new Promise((r) => setTimeout(r, 2 * OVERLOAD_INTERVAL_MS + 20));
    assert.equal(b.overloaded, false, 'an interval with nobody refused and an empty queue ends it');
  });

  it('is not overloaded when requests find places at once', async () => {
    const b = new Bulkhead('t', 4, 10, 1000, 10);
    for (let i = 0; i < 3; i++) (b.enter() as () => void)();
    await new Promise((r) => setTimeout(r, OVERLOAD_INTERVAL_MS + 20));
    (b.enter() as () => void)();
    assert.equal(b.overloaded, false);
  });
});

describe('admission classes', () => {
  const cases: Array<[string, string, string | undefined]> = [
    ['POST', '/token', 'token'],
    ['POST', '/introspect', 'introspection'],
    ['POST', '/revoke', 'introspection'],
    ['POST', '/register', 'registration'],
    ['PUT', '/register/abc', 'registration'],
    ['POST', '/interaction/xyz/login', 'login'],
    ['POST', '/account/login', 'login'],
    ['POST', '/admin/login', 'login'],
    ['GET', '/admin/clients', 'admin'],
    ['GET', '/authorize', 'pages'],
    ['POST', '/par', 'pages'],
    ['POST', '/parx', undefined],
    ['POST', '/interaction/xyz/consent', 'pages'],
    ['POST', '/launch', 'pages'],
    ['GET', '/.well-known/smart-configuration', undefined],
    ['GET', '/jwks', undefined],
    ['GET', '/health/ready', undefined],
  ];
  for (const [method, path, expected] of cases) it(`${method} ${path} → ${expected ?? 'no bulkhead'}`, () => assert.equal(admissionClassOf(method, path), expected));
});

describe('ADMISSION_LIMITS', () => {
  it('overrides the defaults class by class', () => {
    const limits = parseAdmissionLimits('{"registration": {"concurrency": 16, "latencyTolerance": 0}, "login": {"queue": 0, "latencyTolerance": 1.5}}');
    assert.deepEqual(limits.registration, { concurrency: 16, queue: DEFAULT_ADMISSION_LIMITS.registration.queue, latencyTolerance: 0 });
    assert.deepEqual(limits.login, { concurrency: DEFAULT_ADMISSION_LIMITS.login.concurrency, queue: 0, latencyTolerance: 1.5 });
    assert.deepEqual(limits.token, DEFAULT_ADMISSION_LIMITS.token);
  });
  for (const bad of ['[', '[]', '{"nope": {}}', '{"token": 5}', '{"token": {"concurrency": -1}}', '{"token": {"size": 1}}', '{"token": {"latencyTolerance": 0.5}}', '{"token": {"latencyTolerance": "2"}}']) {
    it(`refuses ${bad}`, () => assert.throws(() => parseAdmissionLimits(bad), /ADMISSION_LIMITS/));
  }
});
