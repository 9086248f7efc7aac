/**
 * One autocannon run as the benchmark measures an endpoint: a warm-up, then
 * the measured run, with the CPU each group of processes spent per answered
 * request (bench/run.ts and bench/growth.ts).
 */
import autocannon from 'autocannon';
import { cpuSnapshot, cpuUsedBetween, type CpuGroups } from './cpu-split.js';

export const DURATION = Number(process.env.BENCH_DURATION_S ?? 10);
export const WARMUP = Number(process.env.BENCH_WARMUP_S ?? 3);

/** One measured endpoint at one concurrency. */
export interface Row {
  name: string;
  connections: number;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  mismatches: number;
  /** 2xx answers, warm-up included. */
  ok: number;
  /** CPU microseconds per answered request, by process group, over the measured run. */
  cpuPerRequest?: Record<string, number>;
}

/**
 * `connections` keep-alive connections POSTing to `url` for WARMUP seconds,
 * then DURATION seconds measured (or `timing`'s): the rate, p50/p99 (ms),
 * failures, answers `check` refused, and with `cpu` the CPU µs per answered
 * request by group.
 */
export async function load(
  name: string,
  url: string,
  connections: number,
  headers: Record<string, string>,
  body: string | (() => string),
  check?: (body: string) => boolean,
  cpu?: () => CpuGroups,
  /** Headers of each request of its own (a fresh DPoP proof each time). */
  perRequest?: () => Record<string, string>,
  timing: { warmup: number; duration: number } = { warmup: WARMUP, duration: DURATION },
): Promise<Row> {
  const verifyBody = check ? (b: string | Buffer | undefined) => check(String(b ?? '')) : undefined;
  // A body function gives every request its own body (a fresh assertion each time); perRequest its own headers.
  const shape =
    typeof body === 'string' && !perRequest
      ? { body }
      : {
          requests: [
            {
              method: 'POST' as const,
              setupRequest: (req: autocannon.Request): autocannon.Request => ({
                ...req,
                body: typeof body === 'string' ? body : body(),
                ...(perRequest ? { headers: { ...req.headers, ...perRequest() } } : {}),
              }),
            },
          ],
        };
  const warm = timing.warmup > 0 ? await autocannon({ url, method: 'POST', connections, duration: timing.warmup, headers, ...shape }) : { '2xx': 0 };
  const before = cpu ? cpuSnapshot(cpu()) : undefined;
  const result = await autocannon({ url, method: 'POST', connections, duration: timing.duration, headers, ...shape, ...(verifyBody ? { verifyBody } : {}) });
  // The groups are listed again: database backends may have come and gone.
  const used = before && cpu ? cpuUsedBetween(before, cpuSnapshot(cpu())) : undefined;
  const answered = result.requests.total;
  const cpuPerRequest = used && answered > 0 ? Object.fromEntries(Object.entries(used).map(([k, v]) => [k, Math.round((v * 1e6) / answered)])) : undefined;
  return {
    name,
    connections,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    mismatches: (result as unknown as { mismatches?: number }).mismatches ?? 0,
    ok: warm['2xx'] + result['2xx'],
    ...(cpuPerRequest ? { cpuPerRequest } : {}),
  };
}
