interface Entry<T> {
  kid: string;
  value: T;
  /** Seconds since epoch after which the entry is never used. */
  validUntil: number;
}

/**
 * Tokens whose signature has already been verified, kept until they expire,
 * so a resource server introspecting the same token again costs no
 * signature check. Only the cryptography is remembered: revocation and the
 * client's existence are checked on every call, and the caller drops an
 * entry whose signing key (`kid`) has left the ring.
 */
export class VerifiedTokenCache<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(private readonly maxEntries = 50_000) {}

  get size(): number {
    return this.entries.size;
  }

  get(token: string, nowSeconds: number): { kid: string; value: T } | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (entry.validUntil <= nowSeconds) {
      this.entries.delete(token);
      return undefined;
    }
    return entry;
  }

  set(token: string, kid: string, value: T, validUntil: number): void {
    if (this.entries.size >= this.maxEntries && !this.entries.has(token)) {
      // Oldest first: a Map keeps insertion order.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(token, { kid, value, validUntil });
  }

  delete(token: string): void {
    this.entries.delete(token);
  }
}
