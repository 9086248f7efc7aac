/**
 * A concurrency limit that follows latency (issue #14: at twice the rate a
 * deployment can serve, the admitted requests keep a p99 within 2× of the
 * unloaded one). A fixed limit admits as much as the service can do, so the
 * machine runs saturated and every admitted request waits for CPU behind the
 * others; this one lowers the limit while the requests it admits take much
 * longer than they do unloaded, and raises it again while they do not and it
 * is the limit that holds requests back (after TCP Vegas, Brakmo and
 * Peterson 1995, as Netflix's concurrency-limits and Envoy's adaptive
 * concurrency filter apply it to servers).
 *
 * Unloaded latency is the shortest request seen, forgotten slowly (it grows
 * by `DRIFT` a second until a shorter one is seen), so a service that has
 * become slower for good (a bigger database) is not starved for ever. Every
 * `INTERVAL_MS` the mean latency of the interval decides: above `tolerance`
 * × unloaded, the limit drops by a quarter (at least one, never below
 * `floor`); below `GROW_BELOW` × `tolerance` × unloaded with the limit
 * reached, it grows by one (at most the ceiling).
 */
export const LATENCY_INTERVAL_MS = 100;
const GROW_BELOW = 0.75;
const DRIFT_PER_SECOND = 1.05;

export class LatencyLimit {
  private limit: number;
  private unloadedMs = Infinity;
  private intervalStart: number;
  private sum = 0;
  private count = 0;
  private reached = false;

  constructor(
    readonly ceiling: number,
    readonly tolerance = 2,
    readonly floor = 1,
    now = Date.now(),
  ) {
    this.limit = ceiling;
    this.intervalStart = now;
  }

  get current(): number {
    return this.limit;
  }

  /** The shortest latency it takes for unloaded (ms), Infinity before any request finished. */
  get unloaded(): number {
    return this.unloadedMs;
  }

  /** Says that requests were held back by the limit in this interval (all places taken). */
  limited(): void {
    this.reached = true;
  }

  /** A request that took `ms` from admission to its answer; returns whether the limit changed. */
  sample(ms: number, now = Date.now()): boolean {
    if (ms < this.unloadedMs) this.unloadedMs = Math.max(ms, 0.1);
    this.sum += ms;
    this.count++;
    return this.roll(now);
  }

  /** Closes the interval when it is over; returns whether the limit changed. */
  roll(now = Date.now()): boolean {
    const elapsed = now - this.intervalStart;
    if (elapsed < LATENCY_INTERVAL_MS) return false;
    const before = this.limit;
    if (this.count > 0 && Number.isFinite(this.unloadedMs)) {
      const mean = this.sum / this.count;
      if (mean > this.tolerance * this.unloadedMs) {
        this.limit = Math.max(this.floor, Math.min(this.limit - 1, Math.floor(this.limit * 0.75)));
      } else if (this.reached && mean < GROW_BELOW * this.tolerance * this.unloadedMs) {
        this.limit = Math.min(this.ceiling, this.limit + 1);
      }
    }
    if (Number.isFinite(this.unloadedMs)) this.unloadedMs *= DRIFT_PER_SECOND ** (elapsed / 1000);
    this.intervalStart = now;
    this.sum = 0;
    this.count = 0;
    this.reached = false;
    return this.limit !== before;
  }
}
