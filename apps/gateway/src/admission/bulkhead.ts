/**
 * A bulkhead: at most `concurrency` requests of one kind in flight in this
 * gateway replica, up to `queue` more waiting at most `queueTimeoutMs` for a
 * place, and the rest refused at once. A flood of one kind of request (sign-
 * ins, registrations) then gets quick 503s instead of queueing for seconds in
 * the services behind, and cannot take the places of the others (Nygard,
 * "Release It!", bulkheads; RFC 9110 §15.6.4 503 with Retry-After).
 */
export class Bulkhead {
  private active = 0;
  private readonly waiting: Array<{ admit: () => void }> = [];
  /** Refused since start (a metric reads it). */
  rejected = 0;

  constructor(
    readonly name: string,
    readonly concurrency: number,
    readonly queue: number,
    readonly queueTimeoutMs: number,
  ) {}

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /**
   * A place, or null when there is none: at once when the bulkhead and its
   * queue are full, after `queueTimeoutMs` when no place came free. The
   * release function gives the place back (calling it again does nothing).
   */
  enter(): Promise<(() => void) | null> | (() => void) | null {
    if (this.active < this.concurrency) {
      this.active++;
      return this.releaser();
    }
    if (this.waiting.length >= this.queue) {
      this.rejected++;
      return null;
    }
    return new Promise((resolve) => {
      const entry = {
        admit: () => {
          clearTimeout(timer);
          this.active++;
          resolve(this.releaser());
        },
      };
      const timer = setTimeout(() => {
        const at = this.waiting.indexOf(entry);
        if (at >= 0) this.waiting.splice(at, 1);
        this.rejected++;
        resolve(null);
      }, this.queueTimeoutMs);
      this.waiting.push(entry);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      const next = this.waiting.shift();
      if (next) next.admit();
    };
  }
}
