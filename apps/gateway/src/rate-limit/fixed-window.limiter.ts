import { evictOldest, watchedCache } from '#nest';

/** The answer of a limiter to one request. */
export interface LimitDecision {
  allowed: boolean;
  /** Whole seconds until the current window ends (RFC 9110 §10.2.3 `Retry-After`); at least 1. */
  retryAfterSeconds: number;
}

interface Window {
  startedAt: number;
  count: number;
}

/**
 * Fixed-window request counter per key (a client id, an address), in
 * memory, bounded: at most `maxKeys` windows are kept; the least recently
 * used key is forgotten first (a `Map` keeps insertion order, and a hit
 * moves its key to the end). A forgotten key starts a fresh window, so an
 * attacker spreading over more keys than `maxKeys` is limited only per key
 * it keeps using: the bound protects the gateway's memory, not the limit.
 * Each gateway replica counts on its own.
 */
export class FixedWindowLimiter {
  private readonly windows = watchedCache('rate_limit_keys', new Map<string, Window>());

  constructor(
    private readonly windowMs: number,
    private readonly maxKeys: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(windowMs > 0) || !(maxKeys > 0)) throw new Error('a limiter needs a positive window and key bound');
  }

  /** Counts one request of `key` against `limit` per window (`limit` 0: unlimited, not counted). */
  hit(key: string, limit: number): LimitDecision {
    if (limit <= 0) return { allowed: true, retryAfterSeconds: 0 };
    const now = this.now();
    let window = this.windows.get(key);
    if (window) this.windows.delete(key);
    if (!window || now - window.startedAt >= this.windowMs) window = { startedAt: now, count: 0 };
    this.windows.set(key, window);
    if (this.windows.size > this.maxKeys) evictOldest('rate_limit_keys', this.windows);
    const retryAfterSeconds = Math.max(1, Math.ceil((window.startedAt + this.windowMs - now) / 1000));
    if (window.count >= limit) return { allowed: false, retryAfterSeconds };
    window.count++;
    return { allowed: true, retryAfterSeconds };
  }

  /** Keys currently tracked (for tests and metrics). */
  get size(): number {
    return this.windows.size;
  }
}
