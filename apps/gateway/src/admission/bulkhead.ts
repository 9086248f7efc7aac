/**
 * A bulkhead: at most `concurrency` requests of one kind in flight in this
 * gateway replica, up to `queue` more waiting for a place, and the rest
 * refused at once. A flood of one kind of request (sign-ins, registrations)
 * then gets quick 503s instead of queueing for seconds in the services
 * behind, and cannot take the places of the others (Nygard, "Release It!",
 * bulkheads; RFC 9110 §15.6.4 503 with Retry-After).
 *
 * How long a request may wait adapts, after CoDel (Nichols and Jacobson,
 * "Controlling Queue Delay", ACM Queue 2012): when even the shortest wait of
 * an `OVERLOAD_INTERVAL_MS` interval was above `OVERLOAD_TARGET_MS`, or a
 * waiting request ran out of time, the queue is standing (the offered rate
 * exceeds what the service does) and new arrivals may wait only
 * `overloadTimeoutMs`, so the admitted requests keep close to their unloaded
 * latency while the excess is refused at once; otherwise the queue is a
 * passing burst and a request may wait up to `queueTimeoutMs`. It stays
 * standing until an interval in which nobody was refused and the queue was
 * empty at some moment. (The shortest wait alone cannot say so once the
 * newest is served first, below: the newest has always waited little, and
 * the verdict flipped to "burst" every other interval, giving the next
 * arrivals the long timeout in the middle of an overload.)
 *
 * Who gets a place that comes free: the oldest waiter during a passing
 * burst (fair), the newest while the queue is standing (adaptive LIFO, as in
 * Facebook's "Fail at Scale", ACM Queue 2015). In a standing queue the
 * oldest waiters are the ones about to time out: served first in order,
 * every admitted request would have waited nearly the whole timeout (the
 * overload bench measured admitted p50s of 35–90 ms against 20–35 ms
 * unloaded), while the newest has waited least; the old ones time out and
 * are refused as they would have been anyway.
 *
 * With a {@link LatencyLimit}, `concurrency` is a ceiling and the places
 * actually open follow the latency of the admitted requests.
 */
import type { LatencyLimit } from './latency-limit.js';

export const OVERLOAD_INTERVAL_MS = 100;
export const OVERLOAD_TARGET_MS = 5;

export class Bulkhead {
  private active = 0;
  private readonly waiting: Array<{ admit: () => void }> = [];
  /** The state of the current interval, and the verdict of the last one. */
  private intervalStart = Date.now();
  private shortestWait = Infinity;
  private refusedInInterval = false;
  private drainedInInterval = true;
  private standing = false;
  /** Refused since start (a metric reads it). */
  rejected = 0;

  constructor(
    readonly name: string,
    readonly concurrency: number,
    readonly queue: number,
    readonly queueTimeoutMs: number,
    readonly overloadTimeoutMs: number = queueTimeoutMs,
    private readonly latency?: LatencyLimit,
  ) {}

  /** The places open now: the fixed concurrency, or what the latency limit allows of it. */
  get open(): number {
    return this.latency ? Math.min(this.concurrency, this.latency.current) : this.concurrency;
  }

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Whether the queue is standing (see the class comment), as of the last whole interval. */
  get overloaded(): boolean {
    this.roll(Date.now());
    return this.standing;
  }

  private roll(now: number): void {
    if (now - this.intervalStart < OVERLOAD_INTERVAL_MS) return;
    if (this.standing) this.standing = this.refusedInInterval || !this.drainedInInterval;
    // An interval without any wait says nothing about a queue: it is not standing.
    else this.standing = this.refusedInInterval || (this.shortestWait !== Infinity && this.shortestWait > OVERLOAD_TARGET_MS);
    this.shortestWait = Infinity;
    this.refusedInInterval = false;
    this.drainedInInterval = this.waiting.length === 0;
    this.intervalStart = now;
  }

  private observe(waitedMs: number): void {
    this.roll(Date.now());
    if (waitedMs < this.shortestWait) this.shortestWait = waitedMs;
    if (this.waiting.length === 0) this.drainedInInterval = true;
  }

  private refused(): null {
    this.roll(Date.now());
    this.refusedInInterval = true;
    this.rejected++;
    return null;
  }

  /**
   * A place, or null when there is none: at once when the bulkhead and its
   * queue are full, after the queue's timeout when no place came free. The
   * release function gives the place back (calling it again does nothing).
   */
  enter(): Promise<(() => void) | null> | (() => void) | null {
    if (this.active < this.open && this.waiting.length === 0) {
      this.active++;
      this.observe(0);
      return this.releaser();
    }
    this.latency?.limited();
    if (this.waiting.length >= this.queue) return this.refused();
    const timeout = this.overloaded ? this.overloadTimeoutMs : this.queueTimeoutMs;
    const queuedAt = Date.now();
    return new Promise((resolve) => {
      const entry = {
        admit: () => {
          clearTimeout(timer);
          this.active++;
          this.observe(Date.now() - queuedAt);
          resolve(this.releaser());
        },
      };
      const timer = setTimeout(() => {
        const at = this.waiting.indexOf(entry);
        if (at >= 0) this.waiting.splice(at, 1);
        if (this.waiting.length === 0) this.drainedInInterval = true;
        resolve(this.refused());
      }, timeout);
      this.waiting.push(entry);
    });
  }

  private releaser(): () => void {
    let released = false;
    const admittedAt = this.latency ? performance.now() : 0;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.latency?.sample(performance.now() - admittedAt);
      if (this.waiting.length === 0) return;
      const newestFirst = this.overloaded;
      while (this.active < this.open && this.waiting.length > 0) (newestFirst ? this.waiting.pop()! : this.waiting.shift()!).admit();
    };
  }
}
