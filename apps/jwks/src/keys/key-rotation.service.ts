import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { EventData, EventEnvelope, EventType, KeyListResponse, KeyRotationResult } from '#contracts';
import { Outbox } from '#nest';
import { JwksConfig } from '../config/jwks.config.js';
import { parseDuration } from '../config/duration.js';
import { KeyStore, type RingLockMode } from '../persistence/key.store.js';
import type { LockedKeyRing } from '../persistence/locked-key-ring.js';
import { KeyRingService } from './key-ring.service.js';
import {
  describeKeys,
  jwksMaxAgeSeconds,
  nextScheduledChange,
  planForcedRotation,
  planRotation,
  type KeySchedule,
  type RingKey,
  type RotationStep,
} from './rotation-schedule.js';

type Reason = 'scheduled' | 'forced';
type KeyEventType = Extract<EventType, `key.${string}`>;
/** An event of a step, written to the outbox in the step's transaction. */
type KeyEvent = { [T in KeyEventType]: { type: T; data: EventData[T] } }[KeyEventType];

interface Applied {
  changed: boolean;
  rotations: KeyRotationResult[];
  /** Written in the transaction of the change, published after the commit. */
  events: EventEnvelope[];
}

/** A timer that never fires later than this, whatever the settings say (setTimeout's 32-bit limit is ~24.8 days). */
const MAX_TIMER_MS = 3_600_000;

/**
 * Rotates the ring: on a timer (KEY_ROTATION_INTERVAL, checked every
 * KEY_ROTATION_CHECK_MS or sooner when a change is due sooner) and on
 * demand (POST /admin/keys/rotate). Every replica runs the timer; the
 * check-and-change step holds a PostgreSQL advisory lock and re-reads the ring
 * under it, so a due rotation happens once, on one replica. Each change is
 * announced as a durable `key.*` event, on which every key ring of the suite
 * reloads.
 */
@Injectable()
export class KeyRotationService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('KeyRotation');
  readonly schedule: KeySchedule;
  /** The algorithms that always have an active and a next key. */
  readonly algs: string[];
  private timer?: NodeJS.Timeout;
  private ticking: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly store: KeyStore,
    private readonly ring: KeyRingService,
    private readonly config: JwksConfig,
    private readonly outbox: Outbox,
  ) {
    this.algs = [...new Set(config.SIGNING_ALGS.split(','))];
    this.schedule = {
      rotationIntervalMs: parseDuration(config.KEY_ROTATION_INTERVAL) * 1000,
      prepublicationMs: config.JWKS_MAX_AGE_SECONDS * 1000,
      retentionMs: (config.MAX_TOKEN_LIFETIME_SECONDS + config.CLOCK_SKEW_SECONDS) * 1000,
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    // Every stored key must open before anything is generated (a wrong KEK fails start-up here).
    await this.ring.start();
    // Waits for a replica starting alongside: an algorithm without keys gets one active key, not two.
    await this.apply('wait', (keys, now) => planRotation(keys, this.algs, now, this.schedule), 'scheduled');
    this.arm();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.ticking;
  }

  /** Rotates `algs` now: each `next` key (a fresh one when there is none) becomes active, the active one retires. */
  async force(algs: readonly string[] = this.algs, requestId?: string): Promise<KeyRotationResult[]> {
    const applied = await this.apply('wait', (keys) => planForcedRotation(keys, algs), 'forced', requestId);
    return applied?.rotations ?? [];
  }

  /** Cache lifetime of /jwks now: never past the next scheduled change of the key set. */
  maxAgeSeconds(): number {
    return jwksMaxAgeSeconds(this.ring.snapshot(), this.algs, new Date(), this.schedule, this.config.JWKS_MAX_AGE_SECONDS);
  }

  /** The ring and its schedule, public data only. */
  describe(): KeyListResponse {
    return {
      keys: describeKeys(this.ring.snapshot(), this.schedule),
      rotation_interval_seconds: this.schedule.rotationIntervalMs / 1000,
      prepublication_seconds: this.schedule.prepublicationMs / 1000,
      retention_seconds: this.schedule.retentionMs / 1000,
    };
  }

  /** The scheduler's step: rotate or remove what is due, unless another replica is doing it; then refresh our copy. */
  async tick(): Promise<void> {
    const applied = await this.apply('try', (keys, now) => planRotation(keys, this.algs, now, this.schedule), 'scheduled');
    // Also when nothing changed here: another replica may have, and its event may have been missed.
    if (!applied?.changed) await this.ring.reload();
  }

  private arm(): void {
    if (this.stopped) return;
    const change = nextScheduledChange(this.ring.snapshot(), this.algs, new Date(), this.schedule);
    const untilChange = change === null ? Infinity : change.getTime() - Date.now() + 50;
    const delay = Math.max(100, Math.min(this.config.KEY_ROTATION_CHECK_MS, untilChange, MAX_TIMER_MS));
    this.timer = setTimeout(() => {
      this.ticking = this.tick()
        .catch((err: unknown) => this.logger.error(`key rotation check failed: ${(err as Error).message}`))
        .finally(() => this.arm());
    }, delay);
    this.timer.unref();
  }

  /**
   * Plans and applies steps in one transaction under the ring lock, writing
   * their `key.*` events in it (transactional outbox); then reloads this
   * replica's copy and publishes the events (after the commit: a replica that
   * hears one finds the change in the database). Null when `try` found the
   * lock taken.
   */
  /** `requestId`: the admin request that asked for it, carried by its events (none for the scheduler's). */
  private async apply(mode: RingLockMode, plan: (keys: RingKey[], now: Date) => RotationStep[], reason: Reason, requestId?: string): Promise<Applied | null> {
    const outcome = await this.store.withRingLock(mode, async (locked, manager) => {
      const now = new Date();
      const applied: Applied = { changed: false, rotations: [], events: [] };
      for (const step of plan(await locked.keys(), now)) {
        const { events, rotation } = await this.perform(locked, step, now, reason);
        applied.changed = true;
        for (const event of events) applied.events.push(await this.outbox.add(manager, event.type, event.data, requestId ? { requestId } : {}));
        if (rotation) applied.rotations.push(rotation);
      }
      return applied;
    });
    if (!outcome.acquired) return null;
    const applied = outcome.value;
    if (!applied.changed) return applied;
    await this.ring.reload();
    await this.announce(applied.events);
    return applied;
  }

  private async perform(locked: LockedKeyRing, step: RotationStep, now: Date, reason: Reason): Promise<{ events: KeyEvent[]; rotation?: KeyRotationResult }> {
    const event = <T extends KeyEventType>(type: T, data: EventData[T]) => ({ type, data }) as KeyEvent;
    if (step.kind === 'remove') {
      await locked.remove(step.kid);
      return { events: [event('key.removed', { kid: step.kid, alg: step.alg, state: 'retired' })] };
    }
    if (step.kind === 'publish') {
      const next = await locked.publish(await this.ring.generate(step.alg), 'next', now);
      return { events: [event('key.published', { kid: next.kid, alg: step.alg, state: 'next' })] };
    }
    // rotate: retire first (one active key per algorithm), then activate, then publish the key that follows.
    if (step.activeKid) await locked.retire(step.activeKid, now);
    let kid = step.nextKid;
    if (kid) await locked.activate(kid, now);
    else kid = (await locked.publish(await this.ring.generate(step.alg), 'active', now)).kid;
    const next = await locked.publish(await this.ring.generate(step.alg), 'next', now);
    const rotation = { alg: step.alg, kid, previous_kid: step.activeKid, next_kid: next.kid };
    if (step.activeKid === null) {
      // The algorithm had no signing key (first start, or an algorithm added to SIGNING_ALGS).
      return {
        rotation,
        events: [event('key.activated', { kid, alg: step.alg, state: 'active' }), event('key.published', { kid: next.kid, alg: step.alg, state: 'next' })],
      };
    }
    const previousRemovableAt = Math.ceil((now.getTime() + this.schedule.retentionMs) / 1000);
    return {
      rotation,
      events: [
        event('key.rotated', { kid, alg: step.alg, state: 'active', previous_kid: step.activeKid, next_kid: next.kid, reason, previous_removable_at: previousRemovableAt }),
      ],
    };
  }

  /** Publishes committed events in order; what the broker does not take stays in the outbox for the relay. */
  private async announce(events: readonly EventEnvelope[]): Promise<void> {
    for (const event of events) {
      const data = event.data as { kid: string; alg: string };
      this.logger.log(`${event.type}: ${data.alg} key ${data.kid}`);
    }
    // Every key ring also reloads on its periodic check, so an event that waits delays a reload, it does not lose it.
    await this.outbox.publish(events).catch((err: unknown) => {
      this.logger.warn(`key events left for the outbox relay: ${(err as Error).message}`);
    });
  }
}
