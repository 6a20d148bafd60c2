import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, type Config } from './config';
import { initORM, migrate } from './db/orm';
import { createLogger } from './logger';
import { PidFiles, type Part } from './pid-files';
import { freePort, isPortOpen } from './ports';
import { startEmbeddedPostgres } from './postgres';
import { portTakenSentence } from './process-table';
import { stopProcess } from './stop-process';
import { Supervisor, type Running, type SupervisedPart } from './supervisor';
import { CODE_ROOT, codeFile, FROM_SOURCE } from './project-root';
import { findOrInstallTemporal, startTemporalDevServer } from './temporal-server';
import { otlpWanted, workflowInterceptorModulesFor } from './tracing';
import { prebuiltBundlePath, writeWorkflowBundle } from './workflow-bundle';

/**
 * `npm start`: the whole system on one machine. Starts what is missing (the Temporal dev server, an embedded
 * PostgreSQL), applies migrations, then runs the worker and the API as their own processes, exactly as a deployment
 * runs them.
 *
 * It supervises what it started: a part that stops unexpectedly is started again with backoff while the others keep
 * running, and the launcher gives up (stopping everything, with a sentence naming the part) only when one keeps
 * stopping. Ctrl-C stops everything in order: API, worker, Temporal, PostgreSQL. If the launcher itself is killed,
 * the worker and the API exit with it (their IPC channel closes); the Temporal and PostgreSQL binaries are recorded in
 * pid files, and the next start stops them before starting its own.
 *
 * WORKER_PROCESSES and API_PROCESSES (default 1 each) start more workers and API replicas on this machine, against the
 * same Temporal server and PostgreSQL, as a deployment scales them out (the benchmark's `--workers N --apis N`). Each
 * further API listens on a free port of its own, given in launcher.json with the others.
 */
const log = createLogger('launcher');

/**
 * Builds the browser console (infra/build-console.ts) in a process of its own, so the API serves today's screens. It takes
 * well under a second; a failure stops the start with esbuild's sentence. The compiled launcher (dist/) does not: its
 * console was built with it by `npm run build`, and a production image holds console/dist but not console/src.
 */
function buildConsole(): Promise<void> {
  if (!FROM_SOURCE) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', codeFile('infra', 'build-console')], {
      cwd: CODE_ROOT,
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(stderr.trim() || `the console build exited with ${code}`))));
  });
}

/** Starts `worker/main.ts` or `api/main.ts` (or their build under dist/) as a child process with an IPC channel. */
function startNodeProcess(name: 'worker' | 'api', env: NodeJS.ProcessEnv, extra: string[]): Running {
  const entry = codeFile(name, 'main');
  // Extra Node flags for the worker and API processes, e.g. CHILD_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"
  // to profile them under the benchmark (Node refuses --cpu-prof in NODE_OPTIONS).
  const args = [...extra, ...(FROM_SOURCE ? ['--import', 'tsx', entry] : [entry])];
  // Its own process group, so a Ctrl-C in the terminal reaches only the launcher, which stops the parts in order.
  // The IPC channel is how the child notices the launcher has gone (see infra/parent-watch.ts).
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    detached: true,
  });
  return { process: child, stop: () => stopProcess(child) };
}

/** @temporalio/envconfig's variables that only a real cluster needs (infra/temporal-connection.ts). */
const CLUSTER_ONLY_VARIABLES = [
  'TEMPORAL_API_KEY',
  'TEMPORAL_TLS',
  'TEMPORAL_TLS_CLIENT_CERT_PATH',
  'TEMPORAL_TLS_CLIENT_KEY_PATH',
  'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
  'TEMPORAL_TLS_SERVER_NAME',
];

/** How many processes of a kind to run: a whole number from 1 to 8 in `name`, else 1. */
function processCount(name: 'WORKER_PROCESSES' | 'API_PROCESSES'): number {
  const text = process.env[name];
  if (text === undefined || text === '') return 1;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 8) throw new Error(`${name} must be a whole number from 1 to 8, not "${text}"`);
  return n;
}

/** The supervisor's key of the i-th process of a kind (0-based): "worker", then "worker-2", "worker-3" … */
const replica = (kind: 'worker' | 'api', i: number) => (i === 0 ? kind : `${kind}-${i + 1}`);

/** Waits for /readyz; meanwhile a part that stops is restarted (or the launcher gives up) by its supervisor. */
async function waitForReady(url: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`the API was not ready within ${timeoutMs / 1000} s (see /readyz for what it waits for)`);
}

/**
 * The bundle every worker of this run loads: WORKFLOW_BUNDLE_PATH if given; from source, today's workflows bundled
 * into the data folder; compiled, the one `npm run build` wrote (never webpack at a production start).
 */
async function bundleWorkflows(config: Config): Promise<string> {
  if (config.workflowBundlePath) return config.workflowBundlePath;
  if (!FROM_SOURCE) {
    const prebuilt = prebuiltBundlePath(otlpWanted());
    if (!fs.existsSync(prebuilt)) throw new Error(`${prebuilt} is missing: run npm run build, which writes it`);
    return prebuilt;
  }
  // With the tracing interceptors only when traces are on (infra/tracing.ts `workflowInterceptorModulesFor`).
  return writeWorkflowBundle(path.join(config.dataDir, 'workflow-bundle.js'), {
    workflowInterceptorModules: workflowInterceptorModulesFor(),
  });
}

async function main(): Promise<void> {
  const config = loadConfig();
  fs.mkdirSync(config.dataDir, { recursive: true });
  const readyFile = path.join(config.dataDir, 'launcher.json');
  fs.rmSync(readyFile, { force: true });
  const pidFiles = new PidFiles(config.dataDir);
  // In the order started; stopped in reverse: the APIs, then the workers, then Temporal, then PostgreSQL. Further
  // replicas ("worker-2", "api-2") have no pid file: like the first ones, they exit when the launcher's channel closes.
  const parts = new Map<string, Supervisor>();
  const recorded = (name: string): name is Part => ['launcher', 'api', 'worker', 'temporal', 'postgres'].includes(name);
  let stopping = false;

  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log.info('stopping');
    for (const part of [...parts.values()].reverse()) await part.stop();
    // Only what this launcher recorded: one refused because another runs must not touch that one's files.
    for (const part of parts.keys()) if (recorded(part)) pidFiles.forget(part);
    if (pidFiles.running('launcher') === undefined) {
      pidFiles.forget('launcher');
      fs.rmSync(readyFile, { force: true });
    }
    log.info('stopped');
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(0));

  const supervise = async (name: string, part: SupervisedPart) => {
    const supervisor = new Supervisor(part, {
      log,
      onGiveUp: (sentence) => {
        process.stderr.write(`\n${sentence}\n\n`);
        void shutdown(1);
      },
      onStarted: (child) => {
        if (recorded(name)) pidFiles.record(name, child.pid);
        writeReadyFile();
      },
    });
    parts.set(name, supervisor);
    await supervisor.start();
    return supervisor;
  };

  let ready: Record<string, unknown> | undefined;
  let workerMetricsPorts: number[] = [];
  let apiPorts: number[] = [];
  // The addresses, and the current pid of each part (the benchmark reads them); rewritten after every restart.
  function writeReadyFile(): void {
    if (!ready) return;
    const pidOf = (name: string) => parts.get(name)?.process?.pid ?? null;
    const pids = {
      launcher: process.pid,
      worker: pidOf('worker'),
      api: pidOf('api'),
      temporal: pidOf('temporal'),
      postgres: pidOf('postgres'),
      workers: workerMetricsPorts.map((_, i) => pidOf(replica('worker', i))),
      apis: apiPorts.map((_, i) => pidOf(replica('api', i))),
    };
    fs.writeFileSync(readyFile, JSON.stringify({ ...ready, pids }, null, 2), { mode: 0o600 });
  }

  try {
    await pidFiles.stopLeftovers(log);
    pidFiles.record('launcher', process.pid);
    if (await isPortOpen(config.port)) throw new Error(`the API cannot start: ${portTakenSentence(config.port, 'PORT')}`);

    let temporalAddress = config.temporalAddress;
    let temporalUiUrl: string | null = null;
    if (!temporalAddress) {
      const binary = findOrInstallTemporal(log, config.toolsDir);
      const options = {
        binary,
        dataDir: path.join(config.dataDir, 'temporal'),
        port: config.temporalPort,
        uiPort: config.temporalUiPort,
        namespace: config.temporalNamespace,
        log,
      };
      await supervise('temporal', { name: 'the Temporal dev server', start: () => startTemporalDevServer(options) });
      temporalAddress = `127.0.0.1:${config.temporalPort}`;
      temporalUiUrl = `http://127.0.0.1:${config.temporalUiPort}`;
    }

    let databaseUrl = config.databaseUrl;
    let databaseDir = '';
    if (!databaseUrl) {
      let url = '';
      await supervise('postgres', {
        name: 'the embedded PostgreSQL',
        start: async () => {
          const database = await startEmbeddedPostgres({
            dataDir: config.dataDir,
            port: config.embeddedPostgresPort,
            password: config.embeddedPostgresPassword,
            log,
          });
          url = database.url;
          databaseDir = database.databaseDir;
          return database;
        },
      });
      databaseUrl = url;
    }

    const services = await initORM(databaseUrl, { poolMax: 1 });
    const applied = await migrate(services);
    await services.orm.close();
    log.info({ applied }, applied.length ? 'migrations applied' : 'database schema up to date');

    await buildConsole();
    // Bundled once here so every worker process of this run (and the tests' extra workers) loads the same code.
    const bundlePath = await bundleWorkflows(config);
    const workers = processCount('WORKER_PROCESSES');
    const apis = processCount('API_PROCESSES');
    workerMetricsPorts = await Promise.all(Array.from({ length: workers }, () => freePort()));
    apiPorts = [config.port, ...(await Promise.all(Array.from({ length: apis - 1 }, () => freePort())))];
    const env: NodeJS.ProcessEnv = {
      // The dev server started here speaks plain gRPC on this machine: a cluster's TLS or API key left in the
      // environment from another use must not reach it (spawn drops the variables set to undefined).
      ...(config.temporalAddress ? {} : Object.fromEntries(CLUSTER_ONLY_VARIABLES.map((name) => [name, undefined]))),
      TEMPORAL_ADDRESS: temporalAddress,
      DATABASE_URL: databaseUrl,
      DATA_DIR: config.dataDir,
      WORKFLOW_BUNDLE_PATH: bundlePath,
      PUBLIC_URL: config.publicUrl,
    };
    for (const [i, metricsPort] of workerMetricsPorts.entries()) {
      await supervise(replica('worker', i), {
        name: i === 0 ? 'the worker' : `worker ${i + 1}`,
        start: async () => startNodeProcess('worker', { ...env, WORKER_METRICS_PORT: String(metricsPort) }, config.childNodeArgs),
      });
    }
    const startApi = (i: number) =>
      supervise(replica('api', i), {
        name: i === 0 ? 'the API' : `API ${i + 1}`,
        start: async () => {
          // A restart finds the port still held only if something else took it meanwhile: say by what.
          if (await isPortOpen(apiPorts[i])) throw new Error(portTakenSentence(apiPorts[i], 'PORT'));
          return startNodeProcess(
            'api',
            {
              ...env,
              PORT: String(apiPorts[i]),
              // Each API folds one worker's metrics into its /metrics (the benchmark reads every worker's directly).
              WORKER_METRICS_URL: `http://127.0.0.1:${workerMetricsPorts[i % workerMetricsPorts.length]}/metrics`,
              // One machine for development: the payment simulator stands in for the provider (refused in production).
              ENABLE_DEV_ROUTES: String(config.devRoutesFlag ?? true),
            },
            config.childNodeArgs,
          );
        },
      });
    await startApi(0);
    const apiUrl = `http://127.0.0.1:${config.port}`;
    await waitForReady(apiUrl);
    // The further APIs once the first is ready: it has created the first admin, so they find it and do not race to.
    const apiUrls = apiPorts.map((port) => `http://127.0.0.1:${port}`);
    for (let i = 1; i < apiPorts.length; i++) {
      await startApi(i);
      await waitForReady(apiUrls[i]);
    }
    const adminPassword = config.adminPassword ? 'from ADMIN_PASSWORD' : `in ${path.join(config.dataDir, 'admin-password')}`;
    ready = {
      apiUrl,
      docsUrl: `${apiUrl}/docs`,
      temporalAddress,
      temporalUiUrl,
      databaseUrl: config.databaseUrl ? '(DATABASE_URL)' : databaseUrl,
      bundlePath,
      adminUsername: config.adminUsername,
      apiUrls,
      workerMetricsUrls: workerMetricsPorts.map((port) => `http://127.0.0.1:${port}/metrics`),
    };
    writeReadyFile();
    process.stdout.write(
      [
        '',
        'Border-gate clearance is running.',
        `  API:              ${apiUrl}`,
        ...(apiUrls.length > 1 ? [`  Further APIs:     ${apiUrls.slice(1).join(', ')}`] : []),
        ...(workerMetricsPorts.length > 1 ? [`  Workers:          ${workerMetricsPorts.length} processes`] : []),
        `  Console:          ${apiUrl}/`,
        `  API docs:         ${apiUrl}/docs`,
        `  Temporal:         ${temporalAddress}`,
        `  Temporal Web UI:  ${temporalUiUrl ?? '(the cluster given by TEMPORAL_ADDRESS)'}`,
        `  PostgreSQL:       ${config.databaseUrl ? 'DATABASE_URL' : `embedded, data in ${databaseDir}`}`,
        `  First admin:      ${config.adminUsername}, password ${adminPassword}`,
        ...(config.production || config.devRoutesFlag === false
          ? []
          : [
              `  Development:      payment simulator at ${apiUrl}/dev/payment-provider (ENABLE_DEV_ROUTES=false turns it off)`,
              `                    drivers' SMS at ${apiUrl}/dev/notifications (as an admin)${config.smsProviderUrl ? '' : ', sent nowhere else'}`,
            ]),
        'Press Ctrl-C to stop.',
        '',
      ].join('\n'),
    );
  } catch (err) {
    log.fatal(`npm start could not start the system: ${(err as Error).message}`);
    process.stderr.write(`\nnpm start could not start the system: ${(err as Error).message}\n\n`);
    await shutdown(1);
  }
}

void main();
