import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../../infra/ports';
import { system } from './client';
import { ROOT } from '../../infra/launch-system';

/**
 * Extra worker and API processes against the run's Temporal and PostgreSQL, on a task queue of their own, for tests
 * that stop, kill or restart them without disturbing the shared system. They share its data folder, so tokens signed
 * by one API are good at another.
 */
function envFor(taskQueue: string): NodeJS.ProcessEnv {
  const s = system();
  return {
    ...process.env,
    TASK_QUEUE: taskQueue,
    TEMPORAL_ADDRESS: s.temporalAddress,
    DATABASE_URL: s.databaseUrl,
    DATA_DIR: s.dataDir,
    WORKFLOW_BUNDLE_PATH: s.bundlePath,
    LOG_LEVEL: 'info',
  };
}

function start(entry: string, env: NodeJS.ProcessEnv, logName: string): ChildProcess {
  const out = fs.openSync(path.join(system().dataDir, `${logName}.log`), 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, entry)], { cwd: ROOT, env, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  return child;
}

export function startWorker(taskQueue: string, env: NodeJS.ProcessEnv = {}): ChildProcess {
  return start('worker/main.ts', { ...envFor(taskQueue), ...env }, `worker-${taskQueue}`);
}

export async function startApi(taskQueue: string, env: NodeJS.ProcessEnv = {}): Promise<{ process: ChildProcess; url: string }> {
  const port = await freePort();
  const child = start('api/main.ts', { ...envFor(taskQueue), PORT: String(port), ...env }, `api-${taskQueue}`);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 150; i++) {
    if (
      await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { process: child, url };
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the extra API did not start');
}

export function kill(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}
