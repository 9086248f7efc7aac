#!/usr/bin/env node
// The one test command (`npm test`, called by .ci/run): unit specs and the
// end-to-end suite in one `node --test` run. The suite under test is started
// once here (real NATS + PostgreSQL when NATS_URL and DATABASE_URL are set,
// the embedded all-in-one process otherwise) and handed to the e2e files.
// Without a filter it lints first (eslint.config.mjs: zero errors and zero
// warnings, module boundaries included).
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = process.cwd();
const only = process.argv.slice(2);

if (!only.length) {
  const started = Date.now();
  const eslint = ['node_modules/eslint/bin/eslint.js', '.', '--max-warnings=0', '--cache', '--cache-location=node_modules/.cache/eslint/'];
  const lint = spawn(process.execPath, eslint, { stdio: 'inherit' });
  const status = await new Promise((resolve) => lint.on('exit', (c, s) => resolve(c ?? (s ? 1 : 0))));
  if (status !== 0) {
    console.error('# lint failed (npx eslint . to see it again)');
    process.exit(status);
  }
  console.log(`# lint: clean (${Date.now() - started} ms)`);
}

function find(dir, suffix, out = []) {
  let entries = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) find(path, suffix, out);
    else if (name.endsWith(suffix)) out.push(path);
  }
  return out;
}

const unit = [...find(join(root, 'dist/libs'), '.spec.js'), ...find(join(root, 'dist/apps'), '.spec.js')];
const e2e = find(join(root, 'dist/test'), '.test.js');
// Longest first (LPT scheduling): with two files at a time, a long file started last leaves one runner alone
// at the end. These took longest in a full run on 2026-12-07 (seconds, both suites of a file together: 206, 133,
// 133, 118, 108, 106, 105, 98, 97, 80, 79, 78, 78, 76, 71); the rest follow, e2e before the quick unit specs.
const SLOW_FIRST = [
  'declarative-clients', 'smart-launch', 'launcher', 'rolling-restart', 'observability', 'trust-tiers', 'launch-binding',
  'key-rotation', 'cli', 'rate-limits', 'refresh-grace', 'dependency-outage', 'private-key-jwt', 'conformance', 'upstream-oidc',
].map((name) => `/dist/test/e2e/${name}.test.js`);
const rank = (f) => {
  const slow = SLOW_FIRST.findIndex((s) => f.endsWith(s));
  return slow >= 0 ? slow : f.includes('/dist/test/') ? SLOW_FIRST.length : SLOW_FIRST.length + 1;
};
let files = [...unit, ...e2e].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
if (only.length) files = files.filter((f) => only.some((o) => f.includes(o)));

const { startSuite, suiteEnvironment } = await import(join(root, 'dist/libs/testing/src/index.js'));
let suite;
// test/deploy checks files only: it needs no running suite.
const needsSuite = files.some((f) => f.includes('/dist/test/') && !f.includes('/dist/test/deploy/'));
if (needsSuite) {
  const started = Date.now();
  suite = await startSuite({ verbose: process.env.E2E_VERBOSE === '1' });
  console.log(`# suite under test: ${suite.mode} at ${suite.baseUrl} (ready in ${Date.now() - started} ms)`);
}

// Files that measure latency under their own load (a replica killed under load must fail over within a second)
// run after the others, one at a time: beside another e2e file on a two-core host they measured that file's load.
// The event contract check reads the trail the others left in the shared suite, so it too runs after them.
const ALONE = ['/dist/test/e2e/replica-failover.test.js', '/dist/test/e2e/event-contract.test.js'];
const alone = files.filter((f) => ALONE.some((a) => f.endsWith(a)));
const together = files.filter((f) => !alone.includes(f));

// Stopped from outside (Ctrl-C, a CI timeout): stop the test runner and the suite's processes too, or they outlive the run.
let running;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    running?.kill('SIGTERM');
    void Promise.resolve(suite?.stop()).finally(() => process.exit(130));
  });
}

const run = (list, concurrency) =>
  new Promise((resolve) => {
    if (list.length === 0) return resolve(0);
    const child = (running = spawn(process.execPath, ['--test', `--test-concurrency=${concurrency}`, ...list], {
      stdio: 'inherit',
      env: { ...process.env, ...(suite ? suiteEnvironment(suite) : {}) },
    }));
    child.on('exit', (c, s) => resolve(c ?? (s ? 1 : 0)));
  });
const code = (await run(together, 2)) || 0;
const aloneCode = await run(alone, 1);
if (suite) await suite.stop();
process.exit(code || aloneCode);
