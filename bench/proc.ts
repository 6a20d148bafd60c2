import fs from 'node:fs';
import type { LaunchedSystem } from '../infra/launch-system';

/** What the benchmark reads of the system's processes from Linux's /proc: memory, and CPU per process tree. */
/** A process's resident memory now (VmRSS) or at its peak (VmHWM), in MB, from /proc. */
export function memoryMb(pid: number | undefined | null, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number | null {
  if (!pid) return null;
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Math.round(Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1]) / 1024);
  } catch {
    return null;
  }
}

/** Every process now: its parent and the CPU ticks (user + system, its own and its reaped children's), from /proc. */
export function processTable(): Map<number, { ppid: number; ticks: number }> {
  const table = new Map<number, { ppid: number; ticks: number }>();
  for (const entry of fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      // Fields after the command name (which may hold spaces): ppid is [1], utime [11] … cstime [14].
      const f = fs.readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ').pop()!.split(' ');
      table.set(Number(entry), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) });
    } catch {
      // gone meanwhile
    }
  }
  return table;
}

/** CPU seconds a process and all its live descendants have used so far. */
export function cpuSeconds(table: Map<number, { ppid: number; ticks: number }>, pid: number | undefined | null): number | null {
  if (!pid || !table.has(pid)) return null;
  let ticks = 0;
  const visit = (p: number) => {
    ticks += table.get(p)?.ticks ?? 0;
    for (const [child, { ppid }] of table) if (ppid === p) visit(child);
  };
  visit(pid);
  return ticks / 100; // USER_HZ
}

/**
 * The processes the benchmark accounts CPU and memory to, by name: "worker", "api", and with more than one of each
 * (`--workers N --apis N`) "worker-2", "api-2" …; PostgreSQL only when the system embeds it (not with DATABASE_URL).
 */
export function processes(system: LaunchedSystem): Record<string, number | null> {
  const replicas = (kind: string, pids: (number | null)[] | undefined) =>
    (pids ?? []).slice(1).map((pid, i) => [`${kind}-${i + 2}`, pid] as const);
  return {
    worker: system.pids?.worker,
    ...Object.fromEntries(replicas('worker', system.pids?.workers)),
    api: system.pids?.api,
    ...Object.fromEntries(replicas('api', system.pids?.apis)),
    temporal: system.pids?.temporal,
    postgres: system.pids?.postgres ?? null,
  };
}

/**
 * Resident memory of each process now, MB. PostgreSQL is a tree of processes sharing its buffers: it counts as the
 * private memory of all of them (RssAnon) plus the shared memory once (the largest RssShmem among them), so a backend
 * more or less does not count the buffers again.
 */
export function residentMb(system: LaunchedSystem): Record<string, number | null> {
  const table = processTable();
  return Object.fromEntries(
    Object.entries(processes(system)).map(([name, pid]) => {
      if (name !== 'postgres' || !pid) return [name, memoryMb(pid)];
      const tree = descendants(table, pid);
      const anon = tree.reduce((sum, p) => sum + (memoryKb(p, 'RssAnon') ?? 0), 0);
      const shared = Math.max(0, ...tree.map((p) => memoryKb(p, 'RssShmem') ?? 0));
      return [name, Math.round((anon + shared) / 1024)];
    }),
  );
}

function memoryKb(pid: number, field: string): number | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  } catch {
    return null;
  }
}

/** A process and all its live descendants. */
function descendants(table: Map<number, { ppid: number; ticks: number }>, pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) for (const [child, { ppid }] of table) if (ppid === out[i]) out.push(child);
  return out;
}

/** CPU seconds so far per process, the benchmark's own process included. */
export function cpuSnapshot(system: LaunchedSystem): Record<string, number | null> {
  const own = process.cpuUsage();
  const table = processTable();
  return {
    ...Object.fromEntries(Object.entries(processes(system)).map(([name, pid]) => [name, cpuSeconds(table, pid)])),
    'bench client': (own.user + own.system) / 1e6,
  };
}

/** Milliseconds of CPU per crossing per process between two snapshots. */
export function cpuPerCrossing(before: Record<string, number | null>, after: Record<string, number | null>, n: number) {
  const out: Record<string, number | null> = {};
  let total = 0;
  for (const [name, value] of Object.entries(after)) {
    const start = before[name];
    out[name] = value === null || start === null || start === undefined ? null : Math.round(((value - start) * 1000) / n);
    total += out[name] ?? 0;
  }
  return { ...out, total };
}

/**
 * The workflow-task schedule-to-start latency from the workers' Prometheus metrics (summed over every worker), or from
 * the API's /metrics (which folds in one worker's) for a system the benchmark did not start.
 */
export async function scheduleToStart(system: LaunchedSystem): Promise<{ sum: number; count: number }> {
  const urls = system.workerMetricsUrls ?? [`${system.apiUrl}/metrics`];
  const text = (await Promise.all(urls.map(async (url) => (await fetch(url)).text()))).join('\n');
  const pick = (name: string) =>
    text
      .split('\n')
      .filter((l) => l.startsWith(name) && !l.includes('activity'))
      .reduce((s, l) => s + Number(l.split(' ').pop()), 0);
  return {
    sum: pick('temporal_workflow_task_schedule_to_start_latency_sum'),
    count: pick('temporal_workflow_task_schedule_to_start_latency_count'),
  };
}

/** CPU seconds the whole machine has been busy so far, every process counted (from /proc/stat). */
export function machineCpuSeconds(): number {
  const [, ...fields] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const [user, nice, system, , , irq, softirq, steal] = fields.map(Number);
  return (user + nice + system + irq + softirq + steal) / 100; // USER_HZ
}
