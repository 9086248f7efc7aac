/**
 * `BENCH_ONLY=growth npm run bench` (issue #20, "Flat as the data grows"):
 * the same figures on the empty database and on the same database loaded
 * with realistic history (bench/history, BENCH_HISTORY_SCALE: 1 is the
 * issue's 1,000,000 grants, about 10,000,000 refresh-token rows, 1,000,000
 * revoked tokens, 5,000,000 audit events, 100,000 clients).
 *
 * 1. Empty: client_credentials tokens/s at 64 connections, then the whole
 *    flows at 64 people: (c) refresh with rotation, (b) signed in, (a) fresh
 *    sign-in, (d) EHR launch; each with p50/p99 (after a first pass of each,
 *    BENCH_WARMUP_S long and not counted, so that both phases meet warm
 *    processes).
 * 2. The history is seeded into the suite's own database while the suite
 *    runs (each table timed), beside the bench's own clients, people, grants
 *    and tokens, which stay in use: their rows sit among the seeded ones in
 *    the same indexes, as deep as the history makes them. Then a CHECKPOINT,
 *    so the seed's writes are not flushed during the measurement.
 * 3. The introspection service, which loads its revocation set at start, is
 *    restarted and waited for; a token revoked before the restart must
 *    introspect inactive after it.
 * 4. The same figures again, with the same people and clients.
 * 5. Each figure empty and loaded, their ratio, and whether it is within the
 *    issue's bounds (rates within 10 %, p99 within 20 %); the database size
 *    per table, per grant and per audit event, and in all.
 *
 * The janitor is paused in both phases (HOUSEKEEPING_INTERVAL_SECONDS one
 * day) unless BENCH_HISTORY_JANITOR=1: the seeded history holds millions of
 * rows past their horizon (expired refresh tokens and revocations), and
 * their deletion would be measured instead of the size of the tables.
 */
import pg from 'pg';
import type { RunningSuite } from '#testing';
import type { CpuGroups } from './cpu-split.js';
import { Flows, type FlowRow } from './flows.js';
import { load } from './http-load.js';
import { databaseFootprint, footprintLines } from './history/database-footprint.js';
import { historyPlan, historyScaleFromEnvironment } from './history/history-plan.js';
import { seedHistory } from './history/history-seed.js';

/** The issue's bounds: rates at least 90 % of the empty database's, p99 at most 120 %. */
const RATE_BOUND = 0.9;
const P99_BOUND = 1.2;
const PEOPLE = 64;

/** Settings of the suite for this mode: the janitor paused unless BENCH_HISTORY_JANITOR=1. */
export function growthSuiteEnv(): Record<string, string> {
  return process.env.BENCH_HISTORY_JANITOR === '1' ? {} : { HOUSEKEEPING_INTERVAL_SECONDS: '86400' };
}

/** One measured figure of a phase. */
interface Figure {
  name: string;
  unit: string;
  rate: number;
  p50: number;
  p99: number;
  failed: number;
  firstError?: string;
}

function fromFlow(row: FlowRow): Figure {
  return { name: row.name, unit: 'flows/s', rate: row.perSecond, p50: row.p50, p99: row.p99, failed: row.failed, ...(row.firstError ? { firstError: row.firstError } : {}) };
}

async function post(suite: RunningSuite, path: string, form: Record<string, string>, body: string): Promise<Response> {
  return fetch(`${suite.baseUrl}${path}`, { method: 'POST', headers: form, body });
}

/** Stops every introspection process, starts one, and waits until it is ready; how long that took and the revocations it loaded. */
async function restartIntrospection(suite: RunningSuite): Promise<{ seconds: number; revokedTokens: number | undefined }> {
  await suite.stopService('introspection');
  const started = performance.now();
  const child = await suite.startService('introspection');
  const management = suite.managementUrlOf(child);
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the introspection service exited with code ${child.exitCode} while starting`);
    const ready = await fetch(`${management}/health/ready`).then((r) => r.status === 200, () => false);
    const gateway = ready && (await fetch(`${suite.baseUrl}/health/ready`).then((r) => r.status === 200, () => false));
    if (gateway) break;
    if (Date.now() > deadline) throw new Error('the introspection service was not ready within 3 minutes of its restart');
    await new Promise((r) => setTimeout(r, 200));
  }
  const seconds = (performance.now() - started) / 1000;
  const metrics = await fetch(`${management}/metrics`).then((r) => r.text(), () => '');
  const entries = /^cache_entries\{cache="revoked_tokens"\} (\d+)/m.exec(metrics);
  return { seconds, revokedTokens: entries ? Number(entries[1]) : undefined };
}

/** `CHECKPOINT` on the suite's database: what the seed wrote reaches the disk now, not during the measurement. */
async function checkpoint(databaseUrl: string): Promise<void> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await db.query('CHECKPOINT');
  } finally {
    await db.end();
  }
}

const ratioOf = (loaded: number, empty: number) => (empty > 0 ? loaded / empty : NaN);

function printComparison(empty: Figure[], loaded: Figure[]): void {
  console.log('\n| figure | empty | loaded | loaded ÷ empty | issue\'s bound | within |');
  console.log('|---|---|---|---|---|---|');
  for (const before of empty) {
    const after = loaded.find((f) => f.name === before.name);
    if (!after) continue;
    const rate = ratioOf(after.rate, before.rate);
    const p99 = ratioOf(after.p99, before.p99);
    const p50 = ratioOf(after.p50, before.p50);
    console.log(`| ${before.name}: ${before.unit} | ${before.rate.toFixed(1)} | ${after.rate.toFixed(1)} | ${rate.toFixed(3)} | ≥ ${RATE_BOUND.toFixed(2)} | ${rate >= RATE_BOUND ? 'yes' : 'NO'} |`);
    console.log(`| ${before.name}: p99 ms | ${before.p99.toFixed(1)} | ${after.p99.toFixed(1)} | ${p99.toFixed(3)} | ≤ ${P99_BOUND.toFixed(2)} | ${p99 <= P99_BOUND ? 'yes' : 'NO'} |`);
    console.log(`| ${before.name}: p50 ms | ${before.p50.toFixed(1)} | ${after.p50.toFixed(1)} | ${p50.toFixed(3)} | — | — |`);
  }
  const failures = [...empty.map((f) => ['empty', f] as const), ...loaded.map((f) => ['loaded', f] as const)].filter(([, f]) => f.failed);
  for (const [phase, f] of failures) console.log(`${phase}: ${f.name}: ${f.failed} failed${f.firstError ? ` (first: ${f.firstError})` : ''}`);
}

/**
 * The growth run on a started suite (its janitor paused, {@link growthSuiteEnv});
 * `form`: the headers of a client_credentials client. Returns false when a
 * request or flow failed or a revocation was not honoured after the restart.
 */
export async function runGrowth(suite: RunningSuite, form: Record<string, string>, seconds: number, warmup: number, cpu: () => CpuGroups): Promise<boolean> {
  if (!suite.databaseUrl) throw new Error('the growth benchmark needs the suite on PostgreSQL (NATS_URL and DATABASE_URL)');
  const plan = historyPlan(historyScaleFromEnvironment(), suite);
  console.log(
    `\n# growth (issue #20): empty database, then loaded with history at BENCH_HISTORY_SCALE=${plan.scale} (${plan.clients.toLocaleString('en-US')} clients, ${plan.users.toLocaleString('en-US')} people, ${plan.grants.toLocaleString('en-US')} grants, ${plan.revokedTokens.toLocaleString('en-US')} revoked tokens, ${plan.auditEvents.toLocaleString('en-US')} audit events); janitor ${process.env.BENCH_HISTORY_JANITOR === '1' ? 'on' : 'paused'}`,
  );
  const flows = await Flows.prepare(suite, PEOPLE);
  await flows.signEveryoneIn();
  const measure = async (timing: { warmup: number; duration: number }): Promise<Figure[]> => {
    await flows.renewAdminToken(); // the EHR's admin token lives minutes; the seed takes longer
    const cc = await load('client_credentials /token', `${suite.baseUrl}/token`, PEOPLE, form, 'grant_type=client_credentials', undefined, cpu, undefined, timing);
    const figures: Figure[] = [{ name: `client_credentials /token, ${PEOPLE} connections`, unit: 'tokens/s', rate: cc.rps, p50: cc.p50, p99: cc.p99, failed: cc.non2xx + cc.errors + cc.mismatches }];
    figures.push(fromFlow(await flows.run('(c) refresh with rotation', flows.refresh, PEOPLE, timing.duration, timing.warmup, cpu)));
    figures.push(fromFlow(await flows.run('(b) signed in, consent remembered', flows.signedIn, PEOPLE, timing.duration, timing.warmup, cpu)));
    figures.push(fromFlow(await flows.run('(a) fresh sign-in', flows.fresh, PEOPLE, timing.duration, timing.warmup, cpu)));
    figures.push(fromFlow(await flows.run('(d) EHR launch', flows.ehrLaunch, PEOPLE, timing.duration, timing.warmup, cpu)));
    return figures;
  };

  // A first pass, not counted: the empty phase would otherwise be the one to meet every process's code cold.
  await measure({ warmup: 0, duration: warmup });
  const empty = await measure({ warmup, duration: seconds });
  console.log('empty database measured');

  const report = await seedHistory(suite.databaseUrl, plan, (line) => console.log(`  ${line}`));
  await checkpoint(suite.databaseUrl);
  console.log(`\n## history seeded in ${(report.seconds / 60).toFixed(1)} minutes\n| step | rows | seconds |\n|---|---|---|`);
  for (const s of report.steps) console.log(`| ${s.table} | ${s.rows ? s.rows.toLocaleString('en-US') : '-'} | ${s.seconds.toFixed(1)} |`);

  // A token revoked before the restart, and one that is not: the restarted replica must tell them apart from the table.
  // Issued after the seed: a client_credentials token lives five minutes, and the seed at scale 1 takes over twenty.
  const issue = async () => ((await (await post(suite, '/token', form, 'grant_type=client_credentials')).json()) as { access_token: string }).access_token;
  const [revoked, live] = [await issue(), await issue()];
  if ((await post(suite, '/revoke', form, `token=${revoked}`)).status !== 200) throw new Error('the revocation before the restart failed');
  const restart = await restartIntrospection(suite);
  const introspect = async (token: string) => (await post(suite, '/introspect', form, `token=${token}`)).text();
  const honoured = (await introspect(revoked)) === '{"active":false}' && (await introspect(live)).includes('"active":true');
  console.log(
    `\nintrospection restarted: ready in ${restart.seconds.toFixed(1)} s with ${restart.revokedTokens ?? 'an unknown number of'} live token revocations loaded (${plan.liveRevokedTokens.toLocaleString('en-US')} seeded live, the last ones seeded); a token revoked before the restart introspects ${honoured ? 'inactive, one not revoked active' : 'WRONGLY'}`,
  );

  const loaded = await measure({ warmup, duration: seconds });
  printComparison(empty, loaded);
  console.log('\n## database after the loaded run');
  for (const line of footprintLines(await databaseFootprint(suite.databaseUrl))) console.log(line);
  return honoured && [...empty, ...loaded].every((f) => f.failed === 0);
}
