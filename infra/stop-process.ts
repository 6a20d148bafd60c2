import type { ChildProcess } from 'node:child_process';

/** Asks a child process to stop (SIGTERM), kills it if it has not within the time given, and resolves once it exited. */
export function stopProcess(child: ChildProcess | undefined, timeoutMs = 60_000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
