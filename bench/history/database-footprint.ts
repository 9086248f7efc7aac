/**
 * What the history costs on disk: per table its rows and
 * `pg_total_relation_size` (heap, TOAST, indexes, free-space and visibility
 * maps), bytes per row, and the whole database (`pg_database_size`).
 */
import pg from 'pg';
import { SEEDED_TABLES } from './history-seed.js';

export interface TableFootprint {
  table: string;
  rows: number;
  bytes: number;
}

export interface DatabaseFootprint {
  tables: TableFootprint[];
  databaseBytes: number;
}

export async function databaseFootprint(databaseUrl: string, tables: readonly string[] = SEEDED_TABLES): Promise<DatabaseFootprint> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const out: TableFootprint[] = [];
    for (const table of tables) {
      const [row] = (await db.query(`SELECT count(*) AS n, pg_total_relation_size($1::regclass) AS bytes FROM ${table}`, [table])).rows as Array<{ n: string; bytes: string }>;
      out.push({ table, rows: Number(row!.n), bytes: Number(row!.bytes) });
    }
    const [size] = (await db.query(`SELECT pg_database_size(current_database()) AS bytes`)).rows as Array<{ bytes: string }>;
    return { tables: out, databaseBytes: Number(size!.bytes) };
  } finally {
    await db.end();
  }
}

const mib = (bytes: number) => (bytes / 2 ** 20).toLocaleString('en-US', { maximumFractionDigits: 0 });
const perRow = (bytes: number, rows: number) => (rows ? Math.round(bytes / rows).toLocaleString('en-US') : '-');

/** The footprint as Markdown: the tables, then per grant (alone, and with its refresh tokens and consent) and per audit event. */
export function footprintLines(footprint: DatabaseFootprint): string[] {
  const of = (table: string) => footprint.tables.find((t) => t.table === table) ?? { table, rows: 0, bytes: 0 };
  const [grants, tokens, consents, events] = [of('authorization_grant'), of('refresh_token'), of('consent'), of('audit_event')];
  return [
    '| table | rows | total MiB (heap, TOAST, indexes) | bytes per row |',
    '|---|---|---|---|',
    ...footprint.tables.map((t) => `| ${t.table} | ${t.rows.toLocaleString('en-US')} | ${mib(t.bytes)} | ${perRow(t.bytes, t.rows)} |`),
    `database: ${mib(footprint.databaseBytes)} MiB (pg_database_size)`,
    `per grant: ${perRow(grants.bytes, grants.rows)} bytes (authorization_grant); with its refresh tokens and consent: ${perRow(grants.bytes + tokens.bytes + consents.bytes, grants.rows)} bytes`,
    `per audit event: ${perRow(events.bytes, events.rows)} bytes (audit_event)`,
  ];
}
