import type pg from 'pg';
import type { HistoryPlan } from './history-plan.js';

/*
 * The steps' statements compute each row in a chain of `CROSS JOIN LATERAL
 * (SELECT … OFFSET 0)`: OFFSET 0 keeps PostgreSQL from folding a step into
 * the next, which would compute it again (hashes included) wherever it is used.
 */

/** What every step of the history seed works with: one connection (its `pg_temp` functions, seeded-values.ts) and the plan. */
export interface SeedContext {
  db: pg.Client;
  plan: HistoryPlan;
}

/** One table's part of the seed: the rows written and how long it took. */
export interface SeededTable {
  table: string;
  rows: number;
  seconds: number;
}

/** Runs `step`, timing it; its result is the rows it wrote. */
export async function timed(table: string, step: () => Promise<number>, log: (line: string) => void): Promise<SeededTable> {
  const started = performance.now();
  const rows = await step();
  const seconds = (performance.now() - started) / 1000;
  log(`${table}: ${rows.toLocaleString('en-US')} rows in ${seconds.toFixed(1)} s`);
  return { table, rows, seconds };
}

/** Rows an INSERT wrote. */
export function written(result: pg.QueryResult): number {
  return result.rowCount ?? 0;
}

/** `[from, to)` cut in `parts` pieces of about equal length (for statements of bounded size). */
export function ranges(from: number, to: number, parts: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const step = Math.max(1, Math.ceil((to - from) / Math.max(1, parts)));
  for (let lo = from; lo < to; lo += step) out.push([lo, Math.min(to, lo + step)]);
  return out;
}
