import { evictOldest, watchedCache } from '#nest';

/**
 * Texts known never to be one of our tokens (issue #14): a JWT refused for a
 * reason that cannot change (a bad signature, a wrong `alg`, `typ` or `iss`,
 * expired, malformed) or opaque text the authorization service does not know
 * as a refresh token (256 random bits: it never will). Introspecting the same
 * garbage again then costs a map lookup, not a signature check or a round trip
 * to another service. Bounded in entries and in the length of what it keeps,
 * oldest forgotten first, so hostile traffic cannot grow it.
 */
export class RejectedTokenCache {
  private readonly entries = watchedCache('rejected_tokens', new Set<string>());

  constructor(
    private readonly maxEntries = 10_000,
    /** Longer texts are not remembered (at most maxEntries × maxLength characters held). */
    private readonly maxLength = 2048,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  has(token: string): boolean {
    return this.entries.has(token);
  }

  add(token: string): void {
    if (token.length > this.maxLength || this.entries.has(token)) return;
    // Oldest first: a Set keeps insertion order.
    if (this.entries.size >= this.maxEntries) evictOldest('rejected_tokens', this.entries);
    this.entries.add(token);
  }
}
