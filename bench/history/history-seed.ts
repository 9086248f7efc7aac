/**
 * Loads a database migrated by every service with realistic history (issue
 * #20): the rows the services would have written over two years, generated
 * in bulk with SQL (`INSERT … SELECT … FROM generate_series`), and the audit
 * trail appended through the audit service's own store (the hash chain is
 * computed in Node). One module per table: seed-clients.ts, seed-users.ts,
 * seed-grants.ts (grants and consents), seed-refresh-tokens.ts,
 * seed-revoked-tokens.ts, seed-audit-trail.ts; what each value is derived
 * from, seeded-values.ts. Afterwards every table written is vacuumed and
 * analysed. The suite may be running meanwhile (the audit service appends
 * beside the seed under the chain's lock); its janitor should not be, or it
 * deletes the expired history while it is written.
 *
 * Not seeded: rows whose horizon is a day or less (login sessions,
 * interactions, codes, launch contexts, pushed requests, outboxes,
 * `revoked_grant`): the janitor keeps them at what a day of traffic leaves.
 */
import pg from 'pg';
import type { HistoryPlan } from './history-plan.js';
import { auditRevocations, seedAuditTrail } from './seed-audit-trail.js';
import { seedClients } from './seed-clients.js';
import { seedConsents, seedGrants } from './seed-grants.js';
import { seedRefreshTokens } from './seed-refresh-tokens.js';
import { seedRevokedTokens } from './seed-revoked-tokens.js';
import { timed, type SeedContext, type SeededTable } from './seed-step.js';
import { newSeedSecrets, seededValueFunctions, SeededValues, type SeedSecrets } from './seeded-values.js';
import { seedUsers } from './seed-users.js';

/** Tables the seed writes, vacuumed and analysed afterwards. */
export const SEEDED_TABLES = ['client', 'app_user', 'authorization_grant', 'consent', 'refresh_token', 'revoked_token', 'audit_event'] as const;
/** The seed's own working tables (unlogged), dropped at its end whatever happens. */
const WORKING_TABLES = ['history_grant', 'history_event', 'history_event_ordered'];

export interface HistorySeedReport {
  plan: HistoryPlan;
  /** Each step: its table, rows and seconds (the VACUUM ANALYZE steps write none). */
  steps: SeededTable[];
  seconds: number;
  /** What the seeded values were derived from (to present a seeded secret to the services, in tests). */
  secrets: SeedSecrets;
}

/** VACUUM (ANALYZE) of each table; writes no rows. */
async function vacuum(db: pg.Client, tables: readonly string[]): Promise<number> {
  for (const table of tables) await db.query(`VACUUM (ANALYZE) ${table}`);
  return 0;
}

/** Seeds `plan`'s history into the database at `databaseUrl` (every service's migrations run). */
export async function seedHistory(databaseUrl: string, plan: HistoryPlan, log: (line: string) => void = () => undefined): Promise<HistorySeedReport> {
  const started = performance.now();
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    // The seed's own commits need not wait for the disk; the sorts of millions of rows want memory; JIT compiling
    // each statement (estimated at millions of rows) cost more than it saved (0.4 s a statement).
    await db.query(`SET synchronous_commit = off`);
    await db.query(`SET jit = off`);
    await db.query(`SET work_mem = '256MB'`);
    await db.query(`SET maintenance_work_mem = '512MB'`);
    const format = (await db.query(`SELECT checksum_key FROM refresh_token_format WHERE id = 1`)).rows as Array<{ checksum_key: Buffer }>;
    if (!format[0]) throw new Error('refresh_token_format has no row: run the authorization migrations first');
    const secrets = newSeedSecrets(format[0].checksum_key);
    const values = new SeededValues(secrets);
    for (const sql of seededValueFunctions(secrets, plan)) await db.query(sql);
    const context: SeedContext = { db, plan };
    const steps: SeededTable[] = [];
    const step = async (table: string, work: () => Promise<number>) => steps.push(await timed(table, work, log));
    await step('client', () => seedClients(context));
    await step('app_user', () => seedUsers(context, values));
    await step('authorization_grant', () => seedGrants(context));
    await step('consent', () => seedConsents(context));
    await step('refresh_token', () => seedRefreshTokens(context));
    await step('revoked_token (expired)', () => seedRevokedTokens(context, 'historical'));
    await step('audit_event', () => seedAuditTrail(context, values, databaseUrl, log));
    await step('VACUUM ANALYZE (all but revoked_token)', () => vacuum(db, SEEDED_TABLES.filter((t) => t !== 'revoked_token')));
    // Last, so that they are still live when the introspection service loads them.
    await step('revoked_token (live) and their token.revoked', async () => {
      const rows = await seedRevokedTokens(context, 'live');
      await auditRevocations(context, databaseUrl, Array.from({ length: plan.liveRevokedTokens }, (_, r) => values.jti(r)));
      await vacuum(db, ['revoked_token']);
      return rows;
    });
    return { plan, steps, seconds: (performance.now() - started) / 1000, secrets };
  } finally {
    await db.query(`DROP TABLE IF EXISTS ${WORKING_TABLES.join(', ')}`).catch(() => undefined);
    await db.end();
  }
}
