import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); undefined elsewhere or once it is gone. */
export function cpuSecondsOf(pid: number): number | undefined {
  try {
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}
/** Resident memory of a process in MiB, from /proc (Linux); undefined elsewhere or once it is gone. */
export function residentMiB(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** USER_HZ: 100 on every Linux this runs on. */
const CLOCK_TICKS = 100;

/** Every PostgreSQL process on this machine (the server is shared; the benchmark is the only load on it while it runs). */
export function postgresPids(): number[] {
  if (!existsSync('/proc')) return [];
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/comm`, 'utf8').trim() === 'postgres';
      } catch {
        return false;
      }
    })
    .map(Number);
}

export type CpuGroups = Record<string, number[] | 'self'>;

/** CPU seconds by group of processes, per process; `self` is this process (the load generator). */
export function cpuSnapshot(groups: CpuGroups): Record<string, Map<number, number>> {
  const out: Record<string, Map<number, number>> = {};
  for (const [name, pids] of Object.entries(groups)) {
    const seconds = new Map<number, number>();
    if (pids === 'self') {
      const u = process.cpuUsage();
      seconds.set(process.pid, (u.user + u.system) / 1e6);
    } else {
      for (const pid of pids) {
        const s = cpuSecondsOf(pid);
        if (s !== undefined) seconds.set(pid, s);
      }
    }
    out[name] = seconds;
  }
  return out;
}

/**
 * CPU seconds each group used between two snapshots: a process that started
 * in between counts from zero; one that ended in between (a database
 * backend closing) is left out, its last figures being unknown.
 */
export function cpuUsedBetween(before: Record<string, Map<number, number>>, after: Record<string, Map<number, number>>): Record<string, number> {
  const used: Record<string, number> = {};
  for (const [name, now] of Object.entries(after)) {
    let sum = 0;
    for (const [pid, seconds] of now) sum += seconds - (before[name]?.get(pid) ?? 0);
    used[name] = sum;
  }
  return used;
}
