/**
 * Remembers single-use values (the `jti` of JWT assertions, RFC 7523 §3
 * item 7) until they expire, where every replica of every service sees
 * them: a JetStream key-value bucket in production, process memory in the
 * embedded development mode (where every service shares one process).
 */
export abstract class AssertionReplayStore {
  /**
   * Records `key` as used until `expiresAt` (seconds since epoch). Resolves
   * true the first time a key is presented, false on every later attempt
   * before it expires. Rejects when the store cannot be reached.
   */
  abstract firstUse(key: string, expiresAt: number): Promise<boolean>;
}

const MAX_ENTRIES = 100_000;

/** The embedded-mode store: one map per process, shared by the services in it. */
export class InMemoryAssertionReplayStore extends AssertionReplayStore {
  private readonly seen = new Map<string, number>();
  private lastPurge = 0;

  async firstUse(key: string, expiresAt: number): Promise<boolean> {
    const now = Date.now() / 1000;
    if (now - this.lastPurge > 30 || this.seen.size >= MAX_ENTRIES) this.purge(now);
    const known = this.seen.get(key);
    if (known !== undefined && known > now) return false;
    // Full of live entries: refuse rather than forget one (forgetting would allow a replay).
    if (this.seen.size >= MAX_ENTRIES) throw new Error('assertion replay store is full');
    this.seen.set(key, expiresAt);
    return true;
  }

  private purge(now: number): void {
    this.lastPurge = now;
    for (const [key, expiresAt] of this.seen) if (expiresAt <= now) this.seen.delete(key);
  }
}
