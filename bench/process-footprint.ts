/**
 * Each service's footprint (issue #20): its time from start to ready, and
 * its resident memory at idle and at the most the run saw under load.
 */
import { cpuSecondsOf, residentMiB } from './cpu-split.js';
import { freePort, SERVICE_NAMES, type RunningSuite } from '#testing';

type Service = (typeof SERVICE_NAMES)[number];

/** Resident memory per service (its processes together), sampled every half second; idle is the first sample. */
export class MemorySampler {
  readonly idle: Record<string, number>;
  readonly peak: Record<string, number> = {};
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly suite: RunningSuite) {
    this.idle = this.sample();
    this.timer = setInterval(() => this.sample(), 500);
    this.timer.unref();
  }

  private sample(): Record<string, number> {
    const now: Record<string, number> = {};
    for (const name of SERVICE_NAMES) {
      now[name] = this.suite.processes(name).reduce((sum, c) => sum + (c.pid ? (residentMiB(c.pid) ?? 0) : 0), 0);
      this.peak[name] = Math.max(this.peak[name] ?? 0, now[name]!);
    }
    return now;
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }
}

/**
 * One more process of each service started on the running suite: the time
 * until its own /health/ready answers 200, and the CPU it used to get there;
 * then it is stopped again.
 */
export async function startupTimes(suite: RunningSuite): Promise<Array<{ service: Service; readyMs: number; cpuS: number }>> {
  const out: Array<{ service: Service; readyMs: number; cpuS: number }> = [];
  for (const service of SERVICE_NAMES) {
    const started = performance.now();
    // A second gateway needs a public port of its own.
    const child = await suite.startService(service, service === 'gateway' ? { PORT: String(await freePort()) } : {});
    const ready = `${suite.managementUrlOf(child)}/health/ready`;
    let readyMs = NaN;
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 20))) {
      const status = await fetch(ready).then((r) => r.status, () => 0);
      if (status === 200) {
        readyMs = performance.now() - started;
        break;
      }
    }
    out.push({ service, readyMs, cpuS: (child.pid ? cpuSecondsOf(child.pid) : undefined) ?? NaN });
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
  }
  return out;
}

export function printFootprint(memory: MemorySampler, startup: Array<{ service: Service; readyMs: number; cpuS: number }>): void {
  console.log('\n# each service: start to ready (one more process on the running suite), resident memory idle and at most under load');
  console.log('| service | start to ready ms | CPU to ready s | RSS idle MiB | RSS under load, most MiB |');
  console.log('|---|---|---|---|---|');
  for (const name of SERVICE_NAMES) {
    const s = startup.find((x) => x.service === name);
    console.log(`| ${name} | ${s ? Math.round(s.readyMs) : '-'} | ${s ? s.cpuS.toFixed(2) : '-'} | ${Math.round(memory.idle[name] ?? 0)} | ${Math.round(memory.peak[name] ?? 0)} |`);
  }
}
