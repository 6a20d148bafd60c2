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

/** The processes the benchmark accounts CPU to; PostgreSQL only when the system embeds it. */
export function processes(system: LaunchedSystem): Record<string, number | null> {
  // PostgreSQL's pid only when the system embeds it (not with DATABASE_URL).
  return { worker: system.pids?.worker, api: system.pids?.api, temporal: system.pids?.temporal, postgres: system.pids?.postgres ?? null };
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

/** The workflow-task schedule-to-start latency from the worker's Prometheus metrics (mean over the run, ms). */
export async function scheduleToStart(apiUrl: string): Promise<{ sum: number; count: number }> {
  const text = await (await fetch(`${apiUrl}/metrics`)).text();
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
