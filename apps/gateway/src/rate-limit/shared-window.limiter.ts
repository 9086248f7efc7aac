import { Logger } from '@nestjs/common';
import { evictOldest, watchedCache, WindowCountContended, type WindowCounterStore } from '#nest';
import type { LimitDecision } from './fixed-window.limiter.js';

interface Count {
  windowStart: number;
  /** The count across replicas as the store last answered it (this replica's added hits included). */
  shared: number;
  /** Hits of this replica admitted and not yet added to the store. */
  pending: number;
  /** Hits of this replica being added now. */
  sending: number;
  /** The store decision of this key in flight here: one at a time per key and replica, the others wait for it. */
  deciding?: Promise<unknown>;
}

/** How often, at most, a failure of the store is logged. */
const LOG_EVERY_MS = 60_000;
/** After the store failed, how long requests are decided on this replica's view alone (the background sync keeps trying). */
const DEGRADED_MS = 5000;

/**
 * Fixed-window request counter per key shared by every gateway replica
 * (issue #19). Windows are aligned on the clock (`floor(now / window)`), so
 * replicas agree on them. A request is decided by the store, an atomic
 * "add one unless past the limit", when it is this replica's first of the key
 * in the window or when this replica's view of the count (the store's last
 * answer plus its own hits since) has reached half the limit; below that it is
 * admitted at once and added to the store with the key's other hits every
 * `syncMs`. So a key may pass its limit only by what replicas admit on a view
 * that lags one sync interval behind while it is under half the limit; never
 * by a factor of the replica count.
 *
 * While the store fails (NATS unreachable; a request that met the failure
 * waited for it, at most the store's 2 s timeout) and for 5 s after each
 * failure, requests are decided on this replica's view, its own hits kept pending: the limit fails open to what
 * this replica counts (at most the per-replica limit), and the pending hits
 * reach the store once it answers again. Bounded as FixedWindowLimiter is:
 * at most `maxKeys` keys, the least recently used forgotten first.
 */
export class SharedWindowLimiter {
  private readonly logger = new Logger('RateLimits');
  private readonly counts = watchedCache('rate_limit_keys', new Map<string, Count>());
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;
  private lastFailureLog = Number.NEGATIVE_INFINITY;
  private degradedUntil = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly store: WindowCounterStore,
    private readonly counter: string,
    private readonly windowMs: number,
    private readonly maxKeys: number,
    private readonly syncMs: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(windowMs > 0) || !(maxKeys > 0) || !(syncMs > 0)) throw new Error('a limiter needs a positive window, key bound and sync interval');
  }

  /** Counts one request of `key` against `limit` per window (`limit` 0: unlimited, not counted). */
  async hit(key: string, limit: number): Promise<LimitDecision> {
    if (limit <= 0) return { allowed: true, retryAfterSeconds: 0 };
    const now = this.now();
    const windowStart = Math.floor(now / this.windowMs) * this.windowMs;
    let count = this.counts.get(key);
    if (count) this.counts.delete(key);
    const first = !count || count.windowStart !== windowStart;
    if (!count || first) count = { windowStart, shared: 0, pending: 0, sending: 0 };
    this.counts.set(key, count);
    if (this.counts.size > this.maxKeys) evictOldest('rate_limit_keys', this.counts);
    const retryAfterSeconds = Math.max(1, Math.ceil((windowStart + this.windowMs - now) / 1000));
    while (count.deciding) await count.deciding;
    const view = count.shared + count.sending + count.pending;
    if (view >= limit) return { allowed: false, retryAfterSeconds };
    if ((first || 2 * (view + 1) >= limit) && now >= this.degradedUntil) {
      const deciding = this.decideShared(key, count, limit);
      count.deciding = deciding;
      const decided = await deciding.finally(() => (count.deciding = undefined));
      if (decided !== undefined) return { allowed: decided, retryAfterSeconds };
      if (count.shared + count.sending + count.pending >= limit) return { allowed: false, retryAfterSeconds };
    }
    count.pending++;
    this.timer ??= setTimeout(() => void this.flush(), this.syncMs).unref();
    return { allowed: true, retryAfterSeconds };
  }

  /** This hit (with the key's pending ones) added by the store unless past `limit`; undefined when the store does not answer. */
  private async decideShared(key: string, count: Count, limit: number): Promise<boolean | undefined> {
    const delta = count.pending + 1;
    count.pending = 0;
    count.sending += delta;
    try {
      const answer = await this.store.add(this.counter, key, count.windowStart, delta, limit);
      count.shared = Math.max(count.shared, answer.count);
      if (!answer.added) count.pending += delta - 1; // admitted before: still to be counted
      return answer.added;
    } catch (err: unknown) {
      count.pending += delta - 1;
      // A busy key decides this request on the local view; only an outage turns the shared decisions off for a while.
      if (!(err instanceof WindowCountContended)) this.failed([err]);
      return undefined;
    } finally {
      count.sending -= delta;
    }
  }

  /** Adds the pending hits of every key to the store and takes the shared counts it answers. */
  flush(): Promise<void> {
    this.timer = undefined;
    this.flushing ??= this.send().finally(() => {
      this.flushing = undefined;
      if (this.timer === undefined && [...this.counts.values()].some((c) => c.pending > 0)) this.timer = setTimeout(() => void this.flush(), this.syncMs).unref();
    });
    return this.flushing;
  }

  private async send(): Promise<void> {
    const current = Math.floor(this.now() / this.windowMs) * this.windowMs;
    for (const c of this.counts.values()) if (c.windowStart !== current) c.pending = 0; // an ended window's hits no longer matter
    const due = [...this.counts.entries()].filter(([, c]) => c.pending > 0);
    const failures: unknown[] = [];
    await Promise.all(
      due.map(async ([key, count]) => {
        const delta = count.pending;
        count.pending = 0;
        count.sending += delta;
        try {
          count.shared = Math.max(count.shared, (await this.store.add(this.counter, key, count.windowStart, delta)).count);
        } catch (err: unknown) {
          count.pending += delta; // counted here until the store answers again
          failures.push(err);
        } finally {
          count.sending -= delta;
        }
      }),
    );
    this.failed(failures);
  }

  private failed(failures: unknown[]): void {
    if (failures.length === 0) return;
    this.degradedUntil = this.now() + DEGRADED_MS;
    if (this.now() - this.lastFailureLog < LOG_EVERY_MS) return;
    this.lastFailureLog = this.now();
    const reason = failures[0] instanceof Error ? failures[0].message : String(failures[0]);
    this.logger.warn(`shared rate-limit counts unavailable (${reason}): ${this.counter} limits count this replica's requests only until the store answers`);
  }

  /** Stops syncing (at shutdown); what is pending is not sent. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Keys currently tracked (for tests). */
  get size(): number {
    return this.counts.size;
  }
}
