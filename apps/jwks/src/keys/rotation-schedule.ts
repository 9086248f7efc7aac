import type { KeyDescription } from '#contracts';
import type { KeyState } from '../persistence/entities/signing-key.entity.js';

/**
 * The key lifecycle as pure functions of the ring and a clock:
 *
 *   next (published, not signing) → active (signing) → retired (published,
 *   not signing) → removed once no token it signed can still be valid.
 *
 * A `next` key is published at least `prepublicationMs` (the /jwks cache
 * lifetime) before it signs, so every cached copy of /jwks knows it by then;
 * a retired key stays published `retentionMs` (the longest token lifetime plus
 * clock skew) after it stopped signing (OIDC Core §10.1.1).
 */
export interface KeySchedule {
  /** How long a key signs before the scheduled rotation replaces it. */
  rotationIntervalMs: number;
  /** How long a `next` key is published before it may sign. */
  prepublicationMs: number;
  /** How long a retired key stays published. */
  retentionMs: number;
}

/** What the schedule needs to know of a key. */
export interface RingKey {
  kid: string;
  alg: string;
  state: KeyState;
  /** When the key entered /jwks. */
  createdAt: Date;
  activatedAt: Date | null;
  retiredAt: Date | null;
}

/**
 * One change of the ring.
 * - `rotate`: `nextKid` becomes active (a fresh key when null), `activeKid`
 *   retires (none when null), and a new `next` key is published.
 * - `publish`: a `next` key is published for `alg`.
 * - `remove`: a retired key leaves the ring.
 */
export type RotationStep =
  | { kind: 'rotate'; alg: string; activeKid: string | null; nextKid: string | null }
  | { kind: 'publish'; alg: string }
  | { kind: 'remove'; alg: string; kid: string };

function only(keys: readonly RingKey[], alg: string, state: KeyState): RingKey | undefined {
  return keys.find((k) => k.alg === alg && k.state === state);
}

/** When `next` may replace `active` on schedule: the interval is over and `next` has been published long enough. */
export function rotationDueAt(active: RingKey, next: RingKey, schedule: KeySchedule): Date {
  const activeSince = (active.activatedAt ?? active.createdAt).getTime();
  return new Date(Math.max(activeSince + schedule.rotationIntervalMs, next.createdAt.getTime() + schedule.prepublicationMs));
}

/** When a retired key may leave /jwks: every token it signed has expired, clock skew included. */
export function removableAt(retired: RingKey, schedule: KeySchedule): Date {
  return new Date((retired.retiredAt ?? retired.createdAt).getTime() + schedule.retentionMs);
}

/**
 * What the scheduler does now for the algorithms it manages: activate a key
 * where there is none, rotate where it is due, publish a `next` key where
 * there is none, remove retired keys whose tokens have all expired (retired
 * keys of any algorithm).
 */
export function planRotation(keys: readonly RingKey[], algs: readonly string[], now: Date, schedule: KeySchedule): RotationStep[] {
  const steps: RotationStep[] = [];
  for (const alg of algs) {
    const active = only(keys, alg, 'active');
    const next = only(keys, alg, 'next');
    if (!active) steps.push({ kind: 'rotate', alg, activeKid: null, nextKid: next?.kid ?? null });
    else if (!next) steps.push({ kind: 'publish', alg });
    else if (rotationDueAt(active, next, schedule).getTime() <= now.getTime()) steps.push({ kind: 'rotate', alg, activeKid: active.kid, nextKid: next.kid });
  }
  for (const key of keys) {
    if (key.state === 'retired' && removableAt(key, schedule).getTime() <= now.getTime()) steps.push({ kind: 'remove', alg: key.alg, kid: key.kid });
  }
  return steps;
}

/** A forced rotation of `algs`: the `next` key (a fresh one when there is none) becomes active at once. */
export function planForcedRotation(keys: readonly RingKey[], algs: readonly string[]): RotationStep[] {
  return algs.map((alg) => ({ kind: 'rotate', alg, activeKid: only(keys, alg, 'active')?.kid ?? null, nextKid: only(keys, alg, 'next')?.kid ?? null }));
}

/**
 * The next time the schedule changes the published key set (a rotation
 * publishes a new `next` key; a removal drops a retired one); `now` when a
 * change is due already, null when nothing is scheduled.
 */
export function nextScheduledChange(keys: readonly RingKey[], algs: readonly string[], now: Date, schedule: KeySchedule): Date | null {
  let earliest: number | null = null;
  const consider = (at: number) => {
    earliest = earliest === null ? at : Math.min(earliest, at);
  };
  for (const alg of algs) {
    const active = only(keys, alg, 'active');
    const next = only(keys, alg, 'next');
    consider(active && next ? rotationDueAt(active, next, schedule).getTime() : now.getTime());
  }
  for (const key of keys) if (key.state === 'retired') consider(removableAt(key, schedule).getTime());
  return earliest === null ? null : new Date(Math.max(earliest, now.getTime()));
}

/**
 * Cache lifetime of /jwks: `maxAgeSeconds`, shortened so that no cache keeps
 * the document past the next scheduled change of the key set (RFC 9111 §5.2.2.1).
 */
export function jwksMaxAgeSeconds(keys: readonly RingKey[], algs: readonly string[], now: Date, schedule: KeySchedule, maxAgeSeconds: number): number {
  const change = nextScheduledChange(keys, algs, now, schedule);
  if (change === null) return maxAgeSeconds;
  return Math.min(maxAgeSeconds, Math.max(0, Math.floor((change.getTime() - now.getTime()) / 1000)));
}

/** The ring as an administrator sees it: states and dates, with the scheduled ones. */
export function describeKeys(keys: readonly RingKey[], schedule: KeySchedule): KeyDescription[] {
  const order: Record<KeyState, number> = { next: 0, active: 1, retired: 2 };
  return [...keys]
    .sort((a, b) => a.alg.localeCompare(b.alg) || order[a.state] - order[b.state] || b.createdAt.getTime() - a.createdAt.getTime())
    .map((key) => {
      const active = key.state === 'next' ? only(keys, key.alg, 'active') : undefined;
      return {
        kid: key.kid,
        alg: key.alg,
        state: key.state,
        created_at: key.createdAt.toISOString(),
        activated_at: key.activatedAt?.toISOString() ?? null,
        retired_at: key.retiredAt?.toISOString() ?? null,
        ...(active ? { activates_at: rotationDueAt(active, key, schedule).toISOString() } : {}),
        ...(key.state === 'retired' ? { removable_at: removableAt(key, schedule).toISOString() } : {}),
      };
    });
}
