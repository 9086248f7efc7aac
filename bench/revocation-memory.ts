/**
 * `node --expose-gc dist/bench/revocation-memory.js` (issue #20): the memory
 * an introspection replica spends per revocation it holds, and what pruning
 * costs. Fills the real RevocationList with REVOCATIONS (default 1,000,000)
 * revoked access tokens (22-character `jti`s as the token service makes
 * them, expiring over the next hour) and the real GrantRevocationList with
 * as many revoked grants (UUIDs, revoked over the last hour), forcing a
 * garbage collection before and after each, and reports the heap bytes per
 * entry beside its `jti` or grant id string (reported on its own), the time
 * to add them, a purge while every entry is live (what the minute's timer
 * costs on a steady replica, next to a scan of a Map as large, which is what
 * a purge cost before), and the minute's purges while they expire (in all,
 * and the longest: how long one blocks the event loop).
 * Seconds, one process, no services.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { GrantRevocationList } from '../apps/introspection/src/tokens/grant-revocation-list.js';
import { RevocationList } from '../apps/introspection/src/tokens/revocation-list.js';

const COUNT = Number(process.env.REVOCATIONS ?? 1_000_000);
const HOUR = 3600;

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

function heap(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

/** The id as a replica gets it: parsed out of an event's or a token's JSON (a flat string of its own). */
const asHeard = (id: string): string => JSON.parse(`"${id}"`) as string;

const ms = (started: number) => `${(performance.now() - started).toFixed(1)} ms`;

interface Measured {
  bytesPerEntry: number;
  fill: string;
  livePurge: string;
  /** The minute timer's purges while the entries expire: all of them, and the longest one. */
  expiringPurges: string;
  longestPurge: string;
  sizeAfter: number;
}

/** Fills a list through `add`, purges it at `now` (nothing expired), then every minute until `expired` (everything). */
function measure<T extends { size: number }>(list: T, keys: string[], add: (key: string, i: number) => void, purge: (at: number) => void, now: number, expired: number): Measured {
  const base = heap();
  let started = performance.now();
  keys.forEach((key, i) => add(key, i));
  const fill = ms(started);
  const bytesPerEntry = (heap() - base) / keys.length;
  started = performance.now();
  purge(now);
  const livePurge = ms(started);
  if (list.size !== keys.length) throw new Error('a live entry was purged');
  let total = 0;
  let longest = 0;
  for (let at = now + 60; at <= expired + 60; at += 60) {
    started = performance.now();
    purge(at);
    const took = performance.now() - started;
    total += took;
    longest = Math.max(longest, took);
  }
  return { bytesPerEntry, fill, livePurge, expiringPurges: `${total.toFixed(0)} ms`, longestPurge: `${longest.toFixed(1)} ms`, sizeAfter: list.size };
}

function fullScan(size: number, now: number): string {
  const map = new Map<string, number>();
  for (let i = 0; i < size; i++) map.set(`k${i}`, now + HOUR);
  const started = performance.now();
  for (const [key, exp] of map) if (exp + 60 < now) map.delete(key);
  return ms(started);
}

function main(): void {
  const now = Math.floor(Date.now() / 1000);
  // Strings made first and measured on their own (in a replica the list holds the only reference to them).
  const made = (make: () => string): { ids: string[]; bytes: number } => {
    const before = heap();
    const ids: string[] = [];
    for (let i = 0; i < COUNT; i++) ids.push(asHeard(make()));
    return { ids, bytes: (heap() - before) / COUNT - 8 }; // minus the array's slot
  };
  const jtis = made(() => randomBytes(16).toString('base64url'));
  const grantIds = made(() => randomUUID());

  const tokens = new RevocationList();
  const t = measure(tokens, jtis.ids, (jti, i) => tokens.add(jti, now + (i % HOUR)), (at) => tokens.purge(at), now, now + HOUR + 60);
  const grants = new GrantRevocationList();
  const g = measure(grants, grantIds.ids, (id, i) => grants.add(id, now - (i % HOUR)), (at) => grants.purge(at), now, now + HOUR + 60);
  const stringBytes = jtis.bytes;
  const grantIdBytes = grantIds.bytes;

  console.log(`${COUNT.toLocaleString('en')} entries each (node ${process.version})`);
  console.log(`  a 22-character jti string: ${stringBytes.toFixed(0)} bytes; a 36-character grant id (UUID): ${grantIdBytes.toFixed(0)} bytes (held by the lists, beside what is below)`);
  for (const [name, m] of [['revoked tokens (RevocationList)', t], ['revoked grants (GrantRevocationList)', g]] as const) {
    console.log(`${name}: ${m.bytesPerEntry.toFixed(0)} bytes per entry (${((m.bytesPerEntry * COUNT) / 2 ** 20).toFixed(0)} MiB), filled in ${m.fill}`);
    console.log(`  purge with every entry live: ${m.livePurge}; the minute's purges while they expire: ${m.expiringPurges} in all, ${m.longestPurge} the longest (${m.sizeAfter} left)`);
  }
  console.log(`a full scan of a Map of ${COUNT.toLocaleString('en')} live entries (the purge before issue #20): ${fullScan(COUNT, now)}`);
}

main();
