/**
 * Keys filed by the second their entry expires, so a purge finds what has
 * expired without looking at what has not: it costs the expired entries and
 * one look at each second still filed, never a scan of every entry (at a
 * million revocations a full scan blocked the event loop for tens of
 * milliseconds every minute). A key filed again under a later second stays
 * filed under the earlier one too; the owner checks the entry's current
 * expiry when the earlier second comes up.
 */
export class ExpiryIndex {
  private readonly bySecond = new Map<number, string[]>();

  /** Files `key` under the second of `expiresAt` (seconds since epoch). */
  add(key: string, expiresAt: number): void {
    const second = Math.floor(expiresAt);
    const keys = this.bySecond.get(second);
    if (keys) keys.push(key);
    else this.bySecond.set(second, [key]);
  }

  /** Takes out every key filed under a second before `until` (whole seconds: each such entry expired before `until`) and hands it to `visit`. */
  drain(until: number, visit: (key: string) => void): void {
    const before = Math.floor(until);
    for (const [second, keys] of this.bySecond) {
      if (second >= before) continue;
      this.bySecond.delete(second);
      for (const key of keys) visit(key);
    }
  }

  /** Seconds filed (for tests). */
  get seconds(): number {
    return this.bySecond.size;
  }
}
