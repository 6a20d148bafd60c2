import fs from 'node:fs';

/**
 * What the launcher needs to know about other processes on this machine, read from Linux's /proc: whether a recorded
 * process is still the one that was recorded (a pid is reused once its process has gone, so the kernel's start time
 * is recorded beside it), and which process holds a TCP port.
 */

/** The start time of a process in clock ticks since boot (field 22 of /proc/<pid>/stat), or null when it is gone. */
export function startTimeOf(pid: number): number | null {
  try {
    // The command name (field 2) is in parentheses and may hold spaces; count the fields after it.
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').pop()!.split(' ');
    return Number(fields[19]);
  } catch {
    return null;
  }
}

/** The command line of a process, as one readable string, or null when it is gone. */
export function commandOf(pid: number): string | null {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return null;
  }
}

/** The pid listening on a TCP port of this machine, or null when none (or when /proc does not tell). */
export function listenerOf(port: number): number | null {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = fs.readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // local_address is "HEXADDR:HEXPORT", st 0A is LISTEN, the inode is column 10.
      if (cols.length > 9 && cols[3] === '0A' && parseInt(cols[1].split(':')[1], 16) === port) inodes.add(cols[9]);
    }
  }
  if (inodes.size === 0) return null;
  for (const entry of fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const target = fs.readlinkSync(`/proc/${entry}/fd/${fd}`);
        const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
        if (inode && inodes.has(inode)) return Number(entry);
      } catch {
        // closed meanwhile
      }
    }
  }
  return null;
}

/** A sentence for an error: who holds the port, and what to do about it. */
export function portTakenSentence(port: number, setting: string): string {
  const pid = listenerOf(port);
  const who = pid ? `process ${pid} (${(commandOf(pid) ?? 'unknown').slice(0, 160)})` : 'another process';
  return `port ${port} is already in use by ${who}: stop that process, or set ${setting} to a free port`;
}

/** Sends a signal, ignoring a process that has gone meanwhile. */
export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** Resolves once the process has gone, or after the time given; true when it has gone. */
export async function waitForExit(pid: number, startTime: number | null, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = startTimeOf(pid);
    if (now === null || (startTime !== null && now !== startTime) || isZombie(pid)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

function isZombie(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').pop()!.startsWith('Z');
  } catch {
    return true;
  }
}
