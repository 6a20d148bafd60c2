import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from './ports';

export const ROOT = path.resolve(__dirname, '..');

export interface LaunchedSystem {
  apiUrl: string;
  temporalAddress: string;
  databaseUrl: string;
  bundlePath: string;
  dataDir: string;
  adminPassword: string;
  logFile: string;
  pids: {
    launcher: number;
    worker: number;
    api: number;
    temporal: number | null;
    postgres: number | null;
    /** Every worker and API process, the first ones included (more than one with `workers` / `apis`). */
    workers?: (number | null)[];
    apis?: (number | null)[];
  };
  /** Every API's address, the first (`apiUrl`) included. */
  apiUrls?: string[];
  /** Where each worker serves its Temporal SDK metrics. */
  workerMetricsUrls?: string[];
}

/**
 * Starts the whole system the way `npm start` does (the same launcher, as a child process), on free ports, in its own
 * data folder, and resolves once the API is ready. Used by the tests' global set-up, tests that restart a system, and
 * the benchmarks.
 */
export interface LaunchPorts {
  port: number;
  temporalPort: number;
  temporalUiPort: number;
  pgPort: number;
}

export async function launchSystem(opts: {
  dataDir: string;
  databaseUrl?: string;
  env?: NodeJS.ProcessEnv;
  ports?: LaunchPorts;
  /** Worker processes and API processes to run (default 1 each): the launcher's WORKER_PROCESSES and API_PROCESSES. */
  workers?: number;
  apis?: number;
  /**
   * Run the production build (dist/, written by `npm run build`) under plain node, as the image does, instead of the
   * sources under tsx. The benchmark's `--compiled`: tsx's loader and the source maps it turns on cost CPU in every
   * process that production does not pay.
   */
  compiled?: boolean;
}): Promise<{
  system: LaunchedSystem;
  process: ChildProcess;
  ports: LaunchPorts;
}> {
  fs.mkdirSync(opts.dataDir, { recursive: true });
  // Free ports of the kernel's choice, or the ones given (to start a system again where its clients expect it).
  const ports = opts.ports ?? {
    port: await freePort(),
    temporalPort: await freePort(),
    temporalUiPort: await freePort(),
    pgPort: await freePort(),
  };
  const { port, temporalPort, temporalUiPort, pgPort } = ports;
  const launcher = opts.compiled ? [path.join(ROOT, 'dist/infra/launcher.js')] : ['--import', 'tsx', path.join(ROOT, 'infra/launcher.ts')];
  if (opts.compiled && !fs.existsSync(launcher[0])) throw new Error(`no production build at ${launcher[0]}: run npm run build first`);
  const logFile = path.join(opts.dataDir, 'system.log');
  const out = fs.openSync(logFile, 'a');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: opts.dataDir,
    PORT: String(port),
    TEMPORAL_PORT: String(temporalPort),
    TEMPORAL_UI_PORT: String(temporalUiPort),
    EMBEDDED_PG_PORT: String(pgPort),
    LOG_LEVEL: 'info',
    NODE_ENV: 'test',
    ...(opts.workers ? { WORKER_PROCESSES: String(opts.workers) } : {}),
    ...(opts.apis ? { API_PROCESSES: String(opts.apis) } : {}),
    ...opts.env,
  };
  delete env.TEMPORAL_ADDRESS;
  if (opts.databaseUrl) env.DATABASE_URL = opts.databaseUrl;
  else delete env.DATABASE_URL;
  const readyFile = path.join(opts.dataDir, 'launcher.json');
  // A launcher killed earlier in this folder left its file behind; this one writes a new file once it is ready.
  fs.rmSync(readyFile, { force: true });
  const child = spawn(process.execPath, launcher, {
    cwd: ROOT,
    env,
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);

  const deadline = Date.now() + 240_000;
  while (!fs.existsSync(readyFile)) {
    if (child.exitCode !== null) {
      throw new Error(`the launcher exited with ${child.exitCode}; the end of ${logFile}:\n${logTail(logFile)}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGINT');
      throw new Error(`the system did not start within 240 s; the end of ${logFile}:\n${logTail(logFile)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const ready = JSON.parse(fs.readFileSync(readyFile, 'utf8'));
  // The first admin is created right after the API starts listening; wait for its password file.
  const passwordFile = path.join(opts.dataDir, 'admin-password');
  while (!fs.existsSync(passwordFile)) await new Promise((r) => setTimeout(r, 100));
  return {
    process: child,
    ports,
    system: {
      apiUrl: ready.apiUrl,
      temporalAddress: ready.temporalAddress,
      databaseUrl: opts.databaseUrl ?? ready.databaseUrl,
      bundlePath: ready.bundlePath,
      dataDir: opts.dataDir,
      adminPassword: fs.readFileSync(passwordFile, 'utf8').trim(),
      logFile,
      pids: ready.pids,
      apiUrls: ready.apiUrls,
      workerMetricsUrls: ready.workerMetricsUrls,
    },
  };
}

/**
 * The last lines of a launcher's log, for the error that says it did not start: a CI run keeps only what the test
 * printed, not the data folder, so the reason has to be in the message.
 */
function logTail(logFile: string, lines = 20): string {
  try {
    return fs
      .readFileSync(logFile, 'utf8')
      .trimEnd()
      .split('\n')
      .slice(-lines)
      .map((line) => `  ${line.length > 400 ? `${line.slice(0, 400)}…` : line}`)
      .join('\n');
  } catch (err) {
    return `  (unreadable: ${(err as Error).message})`;
  }
}

export { stopProcess } from './stop-process';
