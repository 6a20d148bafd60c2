import fs from 'node:fs';
import path from 'node:path';

/**
 * Faults as an operator meets them, done to the processes `npm start` runs: their pids come from the launcher's
 * ready file (rewritten after every restart), PostgreSQL's from its own postmaster.pid.
 */
export type Part = 'launcher' | 'worker' | 'api' | 'temporal' | 'postgres';

export function pidOf(dataDir: string, part: Part): number {
  const ready = JSON.parse(fs.readFileSync(path.join(dataDir, 'launcher.json'), 'utf8'));
  const pid = ready.pids?.[part];
  if (!pid) throw new Error(`no ${part} pid in ${dataDir}/launcher.json`);
  return pid;
}

export function kill9(pid: number): void {
  process.kill(pid, 'SIGKILL');
}

/** Every process of the embedded PostgreSQL: the postmaster and its backends. */
function postgresPids(dataDir: string): number[] {
  const postmaster = pidOf(dataDir, 'postgres');
  const children = fs
    .readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((e) => {
      try {
        return Number(fs.readFileSync(`/proc/${e}/stat`, 'utf8').split(') ').pop()!.split(' ')[1]) === postmaster;
      } catch {
        return false;
      }
    })
    .map(Number);
  return [postmaster, ...children];
}

/** Stops the processes (SIGSTOP) for the time given, then lets them go on (SIGCONT). */
export async function freeze(pids: () => number[], ms: number): Promise<void> {
  const frozen = pids();
  for (const pid of frozen) process.kill(pid, 'SIGSTOP');
  try {
    await new Promise((r) => setTimeout(r, ms));
  } finally {
    for (const pid of frozen) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // gone meanwhile
      }
    }
  }
}

export const freezePostgres = (dataDir: string, ms: number) => freeze(() => postgresPids(dataDir), ms);
export const freezeWorker = (dataDir: string, ms: number) => freeze(() => [pidOf(dataDir, 'worker')], ms);
