import { suiteMetrics, type Sized } from '../observability/metrics.js';

/**
 * Reports `entries` (a Map or Set, or what holds one) as `cache_entries{cache}`
 * at each scrape; see {@link evictOldest} for its evictions.
 */
export function watchedCache<T extends Sized>(cache: string, entries: T): T {
  suiteMetrics().watchCache(cache, entries);
  return entries;
}

/**
 * Drops the first key of a Map or Set kept in insertion order (the oldest
 * entry, or the least recently used one where a hit moves its key to the
 * end) to keep a bounded cache within its limit, and counts it in
 * `cache_evictions_total{cache}`.
 */
export function evictOldest(cache: string, entries: Map<unknown, unknown> | Set<unknown>): void {
  const oldest = entries.keys().next();
  if (oldest.done) return;
  entries.delete(oldest.value);
  suiteMetrics().cacheEvictions.inc({ cache });
}
