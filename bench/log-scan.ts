import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';

/**
 * What a benchmarked system's own logs say about a stretch of time: workflow tasks the worker took more than 5 s over
 * (the SDK's TMPRL1104 warning: while one runs, every workflow on that thread waits), local activities completed after
 * their workflow task had gone (the SDK's "untracked local activity"), and statements PostgreSQL took longer than a
 * threshold over (`log_min_duration_statement`, turned on by `--slow-ms` for the benchmark's own embedded database
 * only: MikroORM inlines values, so that log then holds the made-up trucks' plates and drivers).
 */
export interface LogWindow {
  slowWorkflowTasks: { count: number; byType: Record<string, number>; longestMs: number; at: string[] };
  lateLocalActivities: number;
  slowStatements: { count: number; top: { ms: number; at: string; statement: string }[] };
}

/** Logs statements slower than `ms` from now on (a reload, no restart); null turns it off again. */
export async function logSlowStatements(db: pg.Pool, ms: number | null): Promise<void> {
  await db.query(
    ms === null ? 'alter system reset log_min_duration_statement' : `alter system set log_min_duration_statement = ${Math.round(ms)}`,
  );
  await db.query('select pg_reload_conf()');
}

export function scanLogs(dataDir: string, from: number, to: number): LogWindow {
  const window: LogWindow = {
    slowWorkflowTasks: { count: 0, byType: {}, longestMs: 0, at: [] },
    lateLocalActivities: 0,
    slowStatements: { count: 0, top: [] },
  };
  for (const line of readLines(path.join(dataDir, 'system.log'))) {
    if (!line.startsWith('{')) continue;
    let entry: { time?: number; msg?: string; workflowType?: string; workflowTaskDuration?: number };
    try {
      entry = JSON.parse(line);
    } catch {
      continue;
    }
    if (!entry.time || entry.time < from || entry.time > to) continue;
    if (entry.msg?.includes('TMPRL1104')) {
      const s = window.slowWorkflowTasks;
      s.count++;
      const type = entry.workflowType ?? 'unknown';
      s.byType[type] = (s.byType[type] ?? 0) + 1;
      s.longestMs = Math.max(s.longestMs, entry.workflowTaskDuration ?? 0);
      const second = new Date(entry.time).toISOString().slice(11, 19);
      if (!s.at.includes(second)) s.at.push(second);
    } else if (entry.msg?.includes('untracked local activity')) window.lateLocalActivities++;
  }
  // `2026-12-01 13:28:30.467 UTC [30179] LOG:  duration: 123.456 ms  execute <unnamed>: select …`
  const slow: { ms: number; at: string; statement: string }[] = [];
  for (const line of readLines(path.join(dataDir, 'postgres.log'))) {
    const m = /^(\S+ \S+) UTC \[\d+\] LOG:\s+duration: ([\d.]+) ms\s+(?:statement|execute [^:]*): (.*)$/.exec(line);
    if (!m) continue;
    const at = Date.parse(`${m[1].replace(' ', 'T')}Z`);
    if (at < from || at > to) continue;
    slow.push({ ms: Math.round(Number(m[2])), at: m[1].slice(11, 23), statement: m[3].replace(/\s+/g, ' ').slice(0, 160) });
  }
  window.slowStatements = { count: slow.length, top: slow.sort((a, b) => b.ms - a.ms).slice(0, 10) };
  return window;
}

function readLines(file: string): string[] {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n') : [];
}
