import { evictOldest, watchedCache } from '#nest';

interface Entry<T> {
  kid: string;
  value: T;
  /** Seconds since epoch after which the entry is never used. */
  validUntil: number;
}

/** Expired entries at the old end dropped per insertion: the cache sheds them as fast as it grows. */
const EXPIRED_DROPPED_PER_SET = 2;

/**
 * Tokens whose signature has already been verified, kept until they expire,
 * so a resource server introspecting the same token again costs no
 * signature check. Only the cryptography is remembered: revocation and the
 * client's existence are checked on every call, and the caller drops an
 * entry whose signing key (`kid`) has left the ring. Bounded: at most
 * `maxEntries`, the oldest evicted first (`cache_evictions_total`); expired
 * entries go when read or when they reach the old end.
 */
export class VerifiedTokenCache<T> {
  private readonly entries = watchedCache('verified_tokens', new Map<string, Entry<T>>());

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

  set(token: string, kid: string, value: T, validUntil: number, nowSeconds = Date.now() / 1000): void {
    for (let i = 0; i < EXPIRED_DROPPED_PER_SET; i++) {
      const [oldest] = this.entries;
      if (!oldest || oldest[1].validUntil > nowSeconds) break;
      this.entries.delete(oldest[0]);
    }
    if (this.entries.size >= this.maxEntries && !this.entries.has(token)) evictOldest('verified_tokens', this.entries);
    this.entries.set(token, { kid, value, validUntil });
  }

  delete(token: string): void {
    this.entries.delete(token);
  }
}
