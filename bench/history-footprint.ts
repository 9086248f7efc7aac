/**
 * `node dist/bench/history-footprint.js` (issue #20): the growth benchmark's
 * history alone, without the suite or any load: a scratch database on
 * DATABASE_URL's server made by every service's migrations, seeded at
 * BENCH_HISTORY_SCALE (default 1: the counts), how long each table
 * took, and what it costs on disk (per table, per grant, per audit event, the
 * whole database). The database is dropped afterwards, also when the seed
 * fails or the run is interrupted (Ctrl-C).
 */
import { scratchServerDatabase } from '#testing';
import { runMigrations } from '../apps/suite/src/run-migrations.js';
import { databaseFootprint, footprintLines } from './history/database-footprint.js';
import { historyPlan, historyScaleFromEnvironment } from './history/history-plan.js';
import { seedHistory } from './history/history-seed.js';

async function main(): Promise<void> {
  const scratch = await scratchServerDatabase('history', process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  let dropped: Promise<void> | undefined;
  const drop = () => (dropped ??= scratch.drop());
  const interrupted = () => void drop().finally(() => process.exit(130));
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    await runMigrations(scratch.url);
    const plan = historyPlan(historyScaleFromEnvironment(), { issuer: 'https://auth.example.org', fhirBaseUrl: 'https://fhir.example.org/r4' });
    console.log(`# history at scale ${plan.scale}: ${plan.clients} clients, ${plan.users} people, ${plan.grants} grants, ${plan.revokedTokens} revoked tokens, ${plan.auditEvents} audit events`);
    const report = await seedHistory(scratch.url, plan, (line) => console.log(`  ${line}`));
    console.log('\n| step | rows | seconds | rows/s |\n|---|---|---|---|');
    for (const s of report.steps) console.log(`| ${s.table} | ${s.rows ? s.rows.toLocaleString('en-US') : '-'} | ${s.seconds.toFixed(1)} | ${s.rows && s.seconds > 0 ? Math.round(s.rows / s.seconds).toLocaleString('en-US') : '-'} |`);
    console.log(`seeded in ${(report.seconds / 60).toFixed(1)} minutes\n`);
    for (const line of footprintLines(await databaseFootprint(scratch.url))) console.log(line);
  } finally {
    await drop();
  }
}

await main();
