/**
 * The rows of one table that may go once they are past their horizon (what
 * keeps a row alive, and for how long after, is the owning store's to say).
 */
export interface ExpiringRows {
  /** The table. */
  readonly table: string;
  /**
   * The `table` label of the housekeeping metrics and the key of a round's
   * report: the table's name unless one table has rows of two kinds (two
   * horizons, each with its own index: one range each keeps every batch an
   * index scan that stops at its LIMIT, where an OR would collect every
   * match first).
   */
  readonly name?: string;
  /** Its single-column primary key: rows are deleted by key. */
  readonly key: string;
  /**
   * SQL condition true of a row past its horizon, with `$1`… for
   * `parameters`. An index must serve it, or every batch scans the table.
   */
  readonly pastHorizon: string;
  readonly parameters?: readonly unknown[];
}

/** A statement and its parameters. */
export interface Statement {
  sql: string;
  parameters: unknown[];
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** The label of `rows` in metrics and reports. */
export function labelOf(rows: ExpiringRows): string {
  return rows.name ?? rows.table;
}

function checked(rows: ExpiringRows): ExpiringRows {
  if (!IDENTIFIER.test(rows.table) || !IDENTIFIER.test(rows.key)) throw new Error(`not a table and key: ${rows.table}.${rows.key}`);
  return rows;
}

/**
 * Deletes at most `limit` rows past their horizon in one statement (its own
 * transaction: all of the batch or none of it). The keys are picked through
 * the horizon's index and locked with `SKIP LOCKED`, so a row a request holds
 * (a refresh locking its token) is left for a later batch and the janitor
 * never waits on request traffic; the horizon is checked again on each row as
 * the DELETE finds it (READ COMMITTED re-reads a row changed meanwhile), so a
 * row that came back to life is kept. `= ANY(ARRAY(…))` makes the delete an
 * index scan on the key rather than a join.
 */
export function purgeStatement(rows: ExpiringRows, limit: number): Statement {
  const { table, key, pastHorizon } = checked(rows);
  const parameters = [...(rows.parameters ?? []), limit];
  const chosen = `SELECT ${key} FROM ${table} WHERE ${pastHorizon} LIMIT $${parameters.length} FOR UPDATE SKIP LOCKED`;
  return { sql: `DELETE FROM ${table} WHERE ${key} = ANY(ARRAY(${chosen})) AND (${pastHorizon})`, parameters };
}

/** How many rows are past their horizon, counted up to `cap` (the count of a table far behind stays cheap). */
export function backlogStatement(rows: ExpiringRows, cap: number): Statement {
  const { table, pastHorizon } = checked(rows);
  const parameters = [...(rows.parameters ?? []), cap];
  return { sql: `SELECT count(*)::int AS backlog FROM (SELECT 1 FROM ${table} WHERE ${pastHorizon} LIMIT $${parameters.length}) AS past`, parameters };
}
