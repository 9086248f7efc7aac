/**
 * Whether this replica may answer from its revocation state: closed while
 * that state may lack revocations (at start, and from a lost broker
 * connection until the catch-up that follows it is done), open otherwise.
 * A request that finds it closed waits a bounded time for it to open.
 */
export class CatchUpGate {
  private opened = false;
  private readonly waiting = new Set<() => void>();

  get isOpen(): boolean {
    return this.opened;
  }

  close(): void {
    this.opened = false;
  }

  open(): void {
    this.opened = true;
    for (const wake of this.waiting) wake();
    this.waiting.clear();
  }

  /** True as soon as the gate is open (at once if it is), false once `ms` have passed with it closed. */
  wait(ms: number): Promise<boolean> {
    if (this.opened) return Promise.resolve(true);
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.waiting.delete(wake);
        resolve(this.opened);
      }, ms);
      this.waiting.add(wake);
    });
  }
}
