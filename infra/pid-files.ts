import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from './logger';
import { commandOf, signal, startTimeOf, waitForExit } from './process-table';

/**
 * The processes a launcher started, recorded in `DATA_DIR/run/<name>.pid` as `{pid, startTime}` (the kernel's start
 * time tells a recorded process from a later one that reuses its pid).
 *
 * The worker and the API exit by themselves when their launcher dies (their IPC channel to it closes). The Temporal
 * dev server and PostgreSQL are binaries that cannot watch their parent: if a launcher is killed with SIGKILL they
 * keep running, holding their ports and data files. The next launcher finds them here and stops them before it
 * starts its own.
 */
export type Part = 'launcher' | 'api' | 'worker' | 'temporal' | 'postgres';

interface PidRecord {
  pid: number;
  startTime: number | null;
}

/** How each leftover is asked to stop: PostgreSQL's fast shutdown is SIGINT. */
const STOP_SIGNAL: { [P in Part]: NodeJS.Signals } = {
  launcher: 'SIGTERM',
  api: 'SIGTERM',
  worker: 'SIGTERM',
  temporal: 'SIGTERM',
  postgres: 'SIGINT',
};

export class PidFiles {
  private readonly dir: string;

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'run');
  }

  record(part: Part, pid: number | undefined): void {
    if (!pid) return;
    fs.mkdirSync(this.dir, { recursive: true });
    fs.writeFileSync(this.file(part), JSON.stringify({ pid, startTime: startTimeOf(pid) } satisfies PidRecord));
  }

  forget(part: Part): void {
    fs.rmSync(this.file(part), { force: true });
  }

  /** The recorded process of a part when it is still running, else undefined. */
  running(part: Part): PidRecord | undefined {
    let record: PidRecord;
    try {
      record = JSON.parse(fs.readFileSync(this.file(part), 'utf8'));
    } catch {
      return undefined;
    }
    const now = startTimeOf(record.pid);
    if (now === null || (record.startTime !== null && now !== record.startTime) || record.pid === process.pid) return undefined;
    return record;
  }

  /**
   * Stops what an earlier launcher of this data folder left running, newest layer first (API, worker, then Temporal
   * and PostgreSQL). Refuses when that launcher itself is still running: two launchers must not share a data folder.
   */
  async stopLeftovers(log: Logger): Promise<void> {
    const launcher = this.running('launcher');
    if (launcher) {
      throw new Error(
        `npm start is already running with this data folder (${path.dirname(this.dir)}), as process ${launcher.pid}: ` +
          `stop it first (Ctrl-C in its terminal, or kill ${launcher.pid}), or set DATA_DIR to another folder`,
      );
    }
    for (const part of ['api', 'worker', 'temporal', 'postgres'] as const) {
      const leftover = this.running(part);
      if (!leftover) continue;
      log.warn(
        { part, pid: leftover.pid, command: commandOf(leftover.pid)?.slice(0, 200) },
        `stopping the ${part} process an earlier launcher left running`,
      );
      signal(leftover.pid, STOP_SIGNAL[part]);
      if (!(await waitForExit(leftover.pid, leftover.startTime, 20_000))) {
        signal(leftover.pid, 'SIGKILL');
        await waitForExit(leftover.pid, leftover.startTime, 5_000);
      }
      this.forget(part);
    }
  }

  private file(part: Part): string {
    return path.join(this.dir, `${part}.pid`);
  }
}
