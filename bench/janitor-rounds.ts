/**
 * `node dist/bench/janitor-rounds.js` (issue #20): how much a janitor round
 * removes at the default settings. A scratch database of DATABASE_URL's
 * server with the authorization service's migrations, BENCH_ROWS (default
 * 300,000) expired refresh tokens and as many rotated past a one-hour
 * reuse-detection horizon next to as many live ones, then the service's own
 * janitor (batches of 5,000, a 10 s budget, 20 ms pauses) round after round
 * until nothing is left: rows, statements, seconds and backlog per round.
 */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '#nest';
import { scratchServerDatabase } from '#testing';
import { AuthorizationConfig } from '../apps/authorization/src/config/authorization.config.js';
import { authorizationJanitorOn } from '../apps/authorization/src/housekeeping.fixtures.js';
import { authorizationDataSource } from '../apps/authorization/src/persistence/authorization-database.fixtures.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 300_000);

async function main(): Promise<void> {
  const scratch = await scratchServerDatabase('janitorrounds', process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const dataSource = await authorizationDataSource(scratch.url);
  try {
    const insert = (expires: string, used: string) =>
      dataSource.query(
        `INSERT INTO refresh_token (token_hash, grant_id, client_id, scope, auth_time, expires_at, used_at)
         SELECT encode(sha256(($1 || g)::bytea), 'hex'), md5(g::text), 'app-client-id-0123456789', 'launch/patient openid fhirUser offline_access patient/*.rs', now(), ${expires}, ${used}
         FROM generate_series(1, $2::int) g`,
        [randomBytes(8).toString('hex'), ROWS],
      );
    await insert(`now() - interval '1 minute'`, 'NULL');
    await insert(`now() + interval '80 days'`, `now() - interval '2 hours'`);
    await insert(`now() + interval '80 days'`, 'NULL');
    await dataSource.query('VACUUM ANALYZE refresh_token');
    const config = loadConfig(AuthorizationConfig, { DATABASE_URL: scratch.url, REFRESH_REUSE_DETECTION_SECONDS: '3600' });
    const janitor = authorizationJanitorOn(dataSource, config);
    console.log(`${ROWS} expired, ${ROWS} rotated past the horizon, ${ROWS} live refresh tokens; batches of ${config.HOUSEKEEPING_BATCH_SIZE}, budget ${config.HOUSEKEEPING_ROUND_BUDGET_MS} ms`);
    for (let round = 1; round <= 20; round++) {
      const started = Date.now();
      const report = await janitor.round();
      const deleted = (report.deleted.refresh_token ?? 0) + (report.deleted.refresh_token_rotated ?? 0);
      console.log(`round ${round}: ${deleted} rows in ${report.statements} statements, ${((Date.now() - started) / 1000).toFixed(1)} s, backlog ${JSON.stringify(report.backlog)}`);
      if (report.failure) console.log(`  failure: ${report.failure}`);
      if (!Object.values(report.backlog).some((n) => n > 0)) break;
    }
    const [left] = (await dataSource.query(`SELECT count(*)::int AS n FROM refresh_token`)) as Array<{ n: number }>;
    console.log(`left: ${left!.n} (the live ones)`);
  } finally {
    await dataSource.destroy();
    await scratch.drop();
  }
}

await main();
