import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration } from '../config/duration.js';
import {
  describeKeys,
  jwksMaxAgeSeconds,
  nextScheduledChange,
  planForcedRotation,
  planRotation,
  removableAt,
  rotationDueAt,
  type KeySchedule,
  type RingKey,
  type RotationStep,
} from './rotation-schedule.js';

const S = 1000;
const DAY = 86400 * S;
const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (ms: number) => new Date(T0 + ms);

/** 30-day interval, 300 s /jwks cache, 3600 s tokens + 60 s skew. */
const schedule: KeySchedule = { rotationIntervalMs: 30 * DAY, prepublicationMs: 300 * S, retentionMs: 3660 * S };

function key(kid: string, alg: string, state: RingKey['state'], createdMs: number, activatedMs?: number, retiredMs?: number): RingKey {
  return {
    kid,
    alg,
    state,
    createdAt: at(createdMs),
    activatedAt: activatedMs === undefined ? null : at(activatedMs),
    retiredAt: retiredMs === undefined ? null : at(retiredMs),
  };
}

/** A settled ES256 ring: active since T0, next published at T0, one retired key (retired at T0). */
const settled = (): RingKey[] => [key('old', 'ES256', 'retired', -40 * DAY, -30 * DAY, 0), key('a', 'ES256', 'active', -30 * DAY, 0), key('n', 'ES256', 'next', 0)];

describe('parseDuration', () => {
  const cases: Array<[string, number]> = [
    ['30d', 30 * 86400],
    ['12h', 12 * 3600],
    ['15m', 900],
    ['90s', 90],
    ['3600', 3600],
    [' 7d ', 7 * 86400],
    ['0', Number.NaN],
    ['0d', Number.NaN],
    ['1.5h', Number.NaN],
    ['-5s', Number.NaN],
    ['5w', Number.NaN],
    ['', Number.NaN],
    ['d', Number.NaN],
  ];
  for (const [text, seconds] of cases) it(`${JSON.stringify(text)} is ${seconds} s`, () => assert.deepEqual(parseDuration(text), seconds));
});

describe('rotationDueAt and removableAt', () => {
  it('a rotation is due when the interval is over', () => {
    assert.deepEqual(rotationDueAt(key('a', 'ES256', 'active', 0, 0), key('n', 'ES256', 'next', 0), schedule), at(30 * DAY));
  });
  it('but never before the next key has been published for the pre-publication window', () => {
    assert.deepEqual(rotationDueAt(key('a', 'ES256', 'active', -40 * DAY, -40 * DAY), key('n', 'ES256', 'next', 10 * S), schedule), at(310 * S));
  });
  it('a key without activation date counts from its creation', () => {
    assert.deepEqual(rotationDueAt(key('a', 'ES256', 'active', 5 * S), key('n', 'ES256', 'next', 0), schedule), at(30 * DAY + 5 * S));
  });
  it('a retired key is removable after the longest token lifetime plus clock skew', () => {
    assert.deepEqual(removableAt(key('r', 'ES256', 'retired', 0, 0, 100 * S), schedule), at(3760 * S));
  });
});

describe('planRotation', () => {
  const cases: Array<[string, RingKey[], string[], number, RotationStep[]]> = [
    ['an empty ring: one active key per algorithm (its next key follows)', [], ['ES256', 'RS256'], 0, [
      { kind: 'rotate', alg: 'ES256', activeKid: null, nextKid: null },
      { kind: 'rotate', alg: 'RS256', activeKid: null, nextKid: null },
    ]],
    ['an active key without next: publish one', [key('a', 'ES256', 'active', 0, 0)], ['ES256'], 10 * S, [{ kind: 'publish', alg: 'ES256' }]],
    ['a next key without active: it becomes active at once', [key('n', 'ES256', 'next', 0)], ['ES256'], 1 * S, [{ kind: 'rotate', alg: 'ES256', activeKid: null, nextKid: 'n' }]],
    ['a settled ring, interval not over, retired key still needed: nothing', settled(), ['ES256'], 3000 * S, []],
    ['a settled ring, interval over: rotate, and the old retired key is long removable', settled(), ['ES256'], 30 * DAY, [
      { kind: 'rotate', alg: 'ES256', activeKid: 'a', nextKid: 'n' },
      { kind: 'remove', alg: 'ES256', kid: 'old' },
    ]],
    ['interval over, next key too fresh: wait for the pre-publication window', [key('a', 'ES256', 'active', -31 * DAY, -31 * DAY), key('n', 'ES256', 'next', -299 * S)], ['ES256'], 0, []],
    ['interval over, next key published long enough: rotate', [key('a', 'ES256', 'active', -31 * DAY, -31 * DAY), key('n', 'ES256', 'next', -300 * S)], ['ES256'], 0, [
      { kind: 'rotate', alg: 'ES256', activeKid: 'a', nextKid: 'n' },
    ]],
    ['a retired key one millisecond before removal: kept', [key('a', 'ES256', 'active', 0, 0), key('n', 'ES256', 'next', 0), key('r', 'ES256', 'retired', -DAY, -DAY, 0)], ['ES256'], 3660 * S - 1, []],
    ['a retired key at its removal time: removed', [key('a', 'ES256', 'active', 0, 0), key('n', 'ES256', 'next', 0), key('r', 'ES256', 'retired', -DAY, -DAY, 0)], ['ES256'], 3660 * S, [
      { kind: 'remove', alg: 'ES256', kid: 'r' },
    ]],
    ['an algorithm no longer configured: left alone, its retired keys still removed', [
      key('x', 'ES384', 'active', -90 * DAY, -90 * DAY),
      key('xr', 'ES384', 'retired', -99 * DAY, -99 * DAY, -90 * DAY),
      key('a', 'ES256', 'active', 0, 0),
      key('n', 'ES256', 'next', 0),
    ], ['ES256'], 1 * S, [{ kind: 'remove', alg: 'ES384', kid: 'xr' }]],
  ];
  for (const [name, keys, algs, nowMs, expected] of cases) {
    it(name, () => assert.deepEqual(planRotation(keys, algs, at(nowMs), schedule), expected));
  }

  it('over a year, rotates once per interval and keeps at most three keys per algorithm', () => {
    let ring: RingKey[] = [];
    let serial = 0;
    let rotations = 0;
    const apply = (steps: RotationStep[], now: Date) => {
      for (const step of steps) {
        if (step.kind === 'remove') ring = ring.filter((k) => k.kid !== step.kid);
        else if (step.kind === 'publish') ring.push({ kid: `k${++serial}`, alg: step.alg, state: 'next', createdAt: now, activatedAt: null, retiredAt: null });
        else {
          if (step.activeKid) {
            rotations++;
            ring = ring.map((k) => (k.kid === step.activeKid ? { ...k, state: 'retired', retiredAt: now } : k));
          }
          if (step.nextKid) ring = ring.map((k) => (k.kid === step.nextKid ? { ...k, state: 'active', activatedAt: now } : k));
          else ring.push({ kid: `k${++serial}`, alg: step.alg, state: 'active', createdAt: now, activatedAt: now, retiredAt: null });
          ring.push({ kid: `k${++serial}`, alg: step.alg, state: 'next', createdAt: now, activatedAt: null, retiredAt: null });
        }
      }
    };
    // A check every minute for 365 days.
    for (let now = 0; now <= 365 * DAY; now += 60 * S) {
      apply(planRotation(ring, ['ES256'], at(now), schedule), at(now));
      assert.ok(ring.length <= 3, `at most next + active + retired at ${now}`);
      assert.equal(ring.filter((k) => k.state === 'active').length, 1);
      assert.equal(ring.filter((k) => k.state === 'next').length, 1);
    }
    assert.equal(rotations, 12, 'every 30 days: 12 rotations in 365 days');
  });
});

describe('planForcedRotation', () => {
  it('promotes the next key of each algorithm named', () => {
    const ring = [...settled(), key('r', 'RS256', 'active', 0, 0), key('rn', 'RS256', 'next', 0)];
    assert.deepEqual(planForcedRotation(ring, ['ES256', 'RS256']), [
      { kind: 'rotate', alg: 'ES256', activeKid: 'a', nextKid: 'n' },
      { kind: 'rotate', alg: 'RS256', activeKid: 'r', nextKid: 'rn' },
    ]);
  });
  it('without a next key, a fresh key becomes active', () => {
    assert.deepEqual(planForcedRotation([key('a', 'ES256', 'active', 0, 0)], ['ES256']), [{ kind: 'rotate', alg: 'ES256', activeKid: 'a', nextKid: null }]);
  });
});

describe('jwks cache lifetime', () => {
  const cases: Array<[string, RingKey[], number, number]> = [
    ['far from any change: the configured max-age', [key('a', 'ES256', 'active', 0, 0), key('n', 'ES256', 'next', 0)], 1 * DAY, 300],
    ['120 s before a rotation: 120', [key('a', 'ES256', 'active', 0, 0), key('n', 'ES256', 'next', 0)], 30 * DAY - 120 * S, 120],
    ['120.9 s before a rotation: 120 (rounded down)', [key('a', 'ES256', 'active', 0, 0), key('n', 'ES256', 'next', 0)], 30 * DAY - 120_900, 120],
    ['a rotation overdue: 0', [key('a', 'ES256', 'active', 0, 0), key('n', 'ES256', 'next', 0)], 31 * DAY, 0],
    ['a next key missing: 0 (one is published at the next check)', [key('a', 'ES256', 'active', 0, 0)], 1 * S, 0],
    ['45 s before a retired key leaves: 45', [...settled()], 3615 * S, 45],
  ];
  for (const [name, keys, nowMs, expected] of cases) {
    it(name, () => assert.equal(jwksMaxAgeSeconds(keys, ['ES256'], at(nowMs), schedule, 300), expected));
  }

  it('takes the earliest change over every algorithm', () => {
    const ring = [key('a', 'ES256', 'active', 0, 0), key('n', 'ES256', 'next', 0), key('r', 'RS256', 'active', -DAY, -DAY), key('rn', 'RS256', 'next', -DAY)];
    assert.deepEqual(nextScheduledChange(ring, ['ES256', 'RS256'], at(DAY), schedule), at(29 * DAY));
    assert.equal(jwksMaxAgeSeconds(ring, ['ES256', 'RS256'], at(29 * DAY - 10 * S), schedule, 300), 10);
  });

  it('nothing scheduled: the configured max-age', () => {
    assert.equal(nextScheduledChange([], [], at(0), schedule), null);
    assert.equal(jwksMaxAgeSeconds([], [], at(0), schedule, 300), 300);
  });
});

describe('describeKeys', () => {
  it('lists kid, alg, state and dates, with when the next key activates and the retired one leaves', () => {
    assert.deepEqual(describeKeys(settled(), schedule), [
      { kid: 'n', alg: 'ES256', state: 'next', created_at: at(0).toISOString(), activated_at: null, retired_at: null, activates_at: at(30 * DAY).toISOString() },
      { kid: 'a', alg: 'ES256', state: 'active', created_at: at(-30 * DAY).toISOString(), activated_at: at(0).toISOString(), retired_at: null },
      {
        kid: 'old',
        alg: 'ES256',
        state: 'retired',
        created_at: at(-40 * DAY).toISOString(),
        activated_at: at(-30 * DAY).toISOString(),
        retired_at: at(0).toISOString(),
        removable_at: at(3660 * S).toISOString(),
      },
    ]);
  });
});
