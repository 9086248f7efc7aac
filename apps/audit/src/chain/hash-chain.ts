import { createHash } from 'node:crypto';
import type { EventEnvelope } from '#contracts';
import { canonicalJson } from './canonical-json.js';

/** The `prev_hash` of the first row of the trail. */
export const GENESIS_HASH = '0'.repeat(64);

/** SHA-256 over the previous row's hash and the canonical text of this row's event. */
export function rowHash(prevHash: string, event: EventEnvelope | unknown): string {
  return createHash('sha256').update(prevHash, 'utf8').update('\n', 'utf8').update(canonicalJson(event), 'utf8').digest('hex');
}

export interface ChainedRow {
  seq: number;
  eventId: string;
  prevHash: string | null;
  rowHash: string | null;
  event: unknown;
}

export type ChainBreak =
  | { seq: number; event_id: string; problem: 'content_altered'; expected_hash: string; stored_hash: string }
  | { seq: number; event_id: string; problem: 'link_broken'; expected_prev_hash: string; stored_prev_hash: string | null };

/**
 * Checks one page of rows (in `seq` order) against the hash of the row
 * before it. Returns the first break, or the hash to carry into the next page.
 */
export function verifyRows(rows: readonly ChainedRow[], carried: string | null): { break?: ChainBreak; last: string | null } {
  let previous = carried;
  for (const row of rows) {
    if (row.rowHash === null) {
      // A row from before the chain existed (migration): the chain starts after it.
      if (previous === null) continue;
    }
    const expectedPrev = previous ?? GENESIS_HASH;
    if (row.prevHash !== expectedPrev) {
      return { break: { seq: row.seq, event_id: row.eventId, problem: 'link_broken', expected_prev_hash: expectedPrev, stored_prev_hash: row.prevHash }, last: previous };
    }
    const expected = rowHash(expectedPrev, row.event);
    if (row.rowHash !== expected) {
      return { break: { seq: row.seq, event_id: row.eventId, problem: 'content_altered', expected_hash: expected, stored_hash: row.rowHash ?? '' }, last: previous };
    }
    previous = expected;
  }
  return { last: previous };
}
