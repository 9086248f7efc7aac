import { DataSource } from 'typeorm';
import pg from 'pg';
import { SERVICE_MIGRATIONS } from './service-migrations.js';

/**
 * Key of the session-level advisory lock every migration run takes, so two
 * runs (a Helm upgrade retried while the first job still runs) never race:
 * the second waits, then finds nothing pending.
 */
export const MIGRATION_LOCK_KEY = 7_265_311_000_006n;

/** Runs every service's pending migrations under `pg_advisory_lock`; returns the names applied. */
export async function runMigrations(databaseUrl: string, log: (line: string) => void = () => undefined): Promise<string[]> {
  const lock = new pg.Client({ connectionString: databaseUrl });
  await lock.connect();
  const applied: string[] = [];
  try {
    log('waiting for the migration lock');
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
    for (const { service, migrations } of SERVICE_MIGRATIONS) {
      const source = new DataSource({
        type: 'postgres',
        url: databaseUrl,
        migrations,
        migrationsTableName: `${service}_migrations`,
        migrationsTransactionMode: 'each',
        logging: ['error'],
      });
      await source.initialize();
      try {
        const ran = await source.runMigrations({ transaction: 'each' });
        for (const m of ran) applied.push(`${service}: ${m.name}`);
        log(`${service}: ${ran.length ? ran.map((m) => m.name).join(', ') : 'up to date'}`);
      } finally {
        await source.destroy();
      }
    }
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY.toString()]).catch(() => undefined);
    await lock.end();
  }
  return applied;
}
