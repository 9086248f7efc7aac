// The migration job (Helm pre-install/pre-upgrade hook): `node dist/apps/suite/migrate.js`.
// Runs every service's migrations under a PostgreSQL advisory lock; the
// services themselves then start with MIGRATIONS_RUN=false.
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { runMigrations } from './src/run-migrations.js';

const url = process.env.DATABASE_URL_FILE ? readFileSync(process.env.DATABASE_URL_FILE, 'utf8').trim() : process.env.DATABASE_URL;
if (!url || !/^postgres(ql)?:\/\/\S+$/.test(url)) {
  console.error('DATABASE_URL: required, a postgres:// URL (or DATABASE_URL_FILE)');
  process.exit(1);
}
try {
  const applied = await runMigrations(url, (line) => console.log(line));
  console.log(`migrations done: ${applied.length} applied`);
} catch (err: unknown) {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
}
