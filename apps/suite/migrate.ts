// The migration job (Helm pre-install/pre-upgrade hook): `node dist/apps/suite/migrate.js`.
// Runs every service's migrations under a PostgreSQL advisory lock; the
// services themselves then start with MIGRATIONS_RUN=false. With NATS_URL set it
// then creates or updates the JetStream streams with EVENTS_STREAM_REPLICAS,
// EVENTS_STREAM_MAX_AGE_SECONDS and EVENTS_STREAM_MAX_BYTES (src/event-streams.ts).
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { runMigrations } from './src/run-migrations.js';
import { provisionStreams, streamSettingsFrom } from './src/event-streams.js';

const url = process.env.DATABASE_URL_FILE ? readFileSync(process.env.DATABASE_URL_FILE, 'utf8').trim() : process.env.DATABASE_URL;
if (!url || !/^postgres(ql)?:\/\/\S+$/.test(url)) {
  console.error('DATABASE_URL: required, a postgres:// URL (or DATABASE_URL_FILE)');
  process.exit(1);
}
try {
  const streams = process.env.NATS_URL ? streamSettingsFrom(process.env) : undefined;
  const applied = await runMigrations(url, (line) => console.log(line));
  console.log(`migrations done: ${applied.length} applied`);
  if (streams) for (const line of await provisionStreams(process.env.NATS_URL!, streams)) console.log(line);
} catch (err: unknown) {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
}
