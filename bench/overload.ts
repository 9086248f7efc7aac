/**
 * `BENCH_ONLY=overload npm run bench` (issue #14, admission control): what
 * the suite does at twice the rate it can serve. Registrations are the
 * measured endpoint (database writes; the flood the issue saw); /token is
 * measured beside them to show it is not starved.
 *
 * 1. Unloaded: registrations one at a time, their p99.
 * 2. Capacity: registrations at 16 connections, the rate of 201s.
 * 3. Overload: an open-loop load at twice that rate (requests are sent on
 *    schedule whatever the answers, as independent clients would), with
 *    /token beside it; the p99 of the admitted registrations (201), how many
 *    were refused (503, Retry-After), any other status, the /token p99, and
 *    the resident memory of the gateway and the registration service.
 */
import autocannon from 'autocannon';
import { Agent, request } from 'node:http';
import type { RunningSuite } from '#testing';
import { cpuSnapshot, cpuUsedBetween, residentMiB, type CpuGroups } from './cpu-split.js';
import { percentile } from './percentile.js';

const REGISTRATION = JSON.stringify({ client_name: 'Overload', redirect_uris: ['https://overload.example/cb'], token_endpoint_auth_method: 'none', scope: 'openid patient/*.rs' });

function rssMiB(pid: number | undefined): number {
  const mib = pid ? residentMiB(pid) : undefined;
  return mib === undefined ? NaN : Math.round(mib);
}

/**
 * Keep-alive connections for the open loop. `fetch` costs the load generator
 * several times what `node:http` does per request, and the generator shares
 * the machine's two cores with the suite: with `fetch` the generator alone
 * took most of a core at twice capacity, and every figure measured its own
 * queue.
 */
const agent = new Agent({ keepAlive: true, maxSockets: 512 });

function timed(url: string, init: { method: string; headers: Record<string, string>; body: string }): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request(url, { method: init.method, headers: { ...init.headers, 'content-length': String(Buffer.byteLength(init.body)) }, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
      res.on('error', () => resolve({ status: 0, ms: performance.now() - started }));
    });
    req.on('error', () => resolve({ status: 0, ms: performance.now() - started }));
    req.end(init.body);
  });
}

/** Sends `rate` requests a second for `seconds`, on schedule, and collects every answer. */
async function openLoop(rate: number, seconds: number, send: () => Promise<{ status: number; ms: number }>): Promise<Array<{ status: number; ms: number }>> {
  const answers: Array<Promise<{ status: number; ms: number }>> = [];
  const started = performance.now();
  const total = Math.round(rate * seconds);
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    answers.push(send());
  }
  return Promise.all(answers);
}

export async function runOverload(suite: RunningSuite, tokenForm: Record<string, string>, seconds: number, cpu: () => CpuGroups): Promise<boolean> {
  const register = () => timed(`${suite.baseUrl}/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: REGISTRATION });
  const token = () => timed(`${suite.baseUrl}/token`, { method: 'POST', headers: tokenForm, body: 'grant_type=client_credentials' });

  const unloaded: number[] = [];
  for (let i = 0; i < 200; i++) unloaded.push((await register()).ms);
  const tokenUnloaded: number[] = [];
  for (let i = 0; i < 200; i++) tokenUnloaded.push((await token()).ms);

  const capacityRun = await autocannon({ url: `${suite.baseUrl}/register`, method: 'POST', connections: 16, duration: seconds, headers: { 'content-type': 'application/json' }, body: REGISTRATION });
  const capacity = capacityRun['2xx'] / seconds;
  const rate = Math.max(10, Math.round(2 * capacity));

  const rss = () => ({ gateway: rssMiB(suite.processes('gateway')[0]?.pid), registration: rssMiB(suite.processes('registration')[0]?.pid) });
  const memoryBefore = rss();
  let flooding = true;
  const tokenDuring: Array<{ status: number; ms: number }> = [];
  const beside = (async () => {
    while (flooding) tokenDuring.push(await token());
  })();
  const cpuBefore = cpuSnapshot(cpu());
  const answers = await openLoop(rate, seconds, register);
  const cpuUsed = cpuUsedBetween(cpuBefore, cpuSnapshot(cpu()));
  flooding = false;
  await beside;
  const memoryAfter = rss();

  const admitted = answers.filter((a) => a.status === 201).map((a) => a.ms);
  const refused = answers.filter((a) => a.status === 503);
  const other = answers.filter((a) => a.status !== 201 && a.status !== 503);
  const unloadedP99 = percentile(unloaded, 0.99);
  const admittedP99 = percentile(admitted, 0.99);
  const tokenP99Before = percentile(tokenUnloaded, 0.99);
  const tokenP99During = percentile(tokenDuring.map((a) => a.ms), 0.99);
  console.log('\n# overload: registrations at twice the rate the suite serves, /token beside them');
  console.log('| measure | value |');
  console.log('|---|---|');
  console.log(`| registrations, unloaded p99 (one at a time) | ${unloadedP99.toFixed(1)} ms |`);
  console.log(`| registrations served at 16 connections (capacity) | ${Math.round(capacity)}/s |`);
  console.log(`| offered in the overload run (open loop, ${seconds} s) | ${rate}/s, ${answers.length} requests |`);
  console.log(`| admitted (201) | ${admitted.length}, p50 ${percentile(admitted, 0.5).toFixed(1)} ms, p99 ${admittedP99.toFixed(1)} ms (${(admittedP99 / unloadedP99).toFixed(2)} × unloaded) |`);
  console.log(`| refused (503 + Retry-After) | ${refused.length}, p99 ${percentile(refused.map((a) => a.ms), 0.99).toFixed(1)} ms |`);
  console.log(`| any other status | ${other.length}${other.length ? ` (${[...new Set(other.map((a) => a.status))].join(', ')})` : ''} |`);
  console.log(`| /token beside it: p99 before → during | ${tokenP99Before.toFixed(1)} → ${tokenP99During.toFixed(1)} ms, ${tokenDuring.filter((a) => a.status !== 200).length} not 200 of ${tokenDuring.length} |`);
  console.log(`| resident memory, gateway / registration | ${memoryBefore.gateway} → ${memoryAfter.gateway} MiB / ${memoryBefore.registration} → ${memoryAfter.registration} MiB |`);
  const split = Object.entries(cpuUsed).filter(([, s]) => s > 0.05).sort((a, b) => b[1] - a[1]);
  console.log(`| CPU during the overload run (of ${2 * seconds} core-seconds) | ${split.map(([k, s]) => `${k} ${s.toFixed(1)} s`).join(', ')} |`);
  const ok = other.length === 0 && tokenDuring.every((a) => a.status === 200);
  if (!ok) console.log('FAILED: the overload run had answers other than 201/503, or /token was refused');
  return ok;
}
