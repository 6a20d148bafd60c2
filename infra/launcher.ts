import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { loadConfig } from './config';
import { initORM, migrate } from './db/orm';
import { createLogger } from './logger';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './postgres';
import { freePort } from './ports';
import { stopProcess } from './stop-process';
import { findOrInstallTemporal, PROJECT_ROOT, startTemporalDevServer, type DevServer } from './temporal-server';

/**
 * `npm start`: the whole system on one machine. Starts what is missing (the Temporal dev server, an embedded
 * PostgreSQL), applies migrations, then runs the worker and the API as their own processes, exactly as a deployment
 * runs them. Ctrl-C stops everything it started, in order: API, worker, Temporal, PostgreSQL.
 */
const log = createLogger('launcher');

/** Starts `worker/main.ts` or `api/main.ts` (or their build under dist/) as a child process. */
function startProcess(name: 'worker' | 'api', env: NodeJS.ProcessEnv): ChildProcess {
  const fromSource = __filename.endsWith('.ts');
  const entry = path.join(PROJECT_ROOT, name, fromSource ? 'main.ts' : 'main.js');
  // Extra Node flags for the worker and API processes, e.g. CHILD_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"
  // to profile them under the benchmark (Node refuses --cpu-prof in NODE_OPTIONS).
  const extra = (process.env.CHILD_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const args = [...extra, ...(fromSource ? ['--import', 'tsx', entry] : [entry])];
  return spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: 'inherit', detached: true });
}

async function waitForReady(url: string, child: ChildProcess, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the API exited with code ${child.exitCode} while starting`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`the API was not ready within ${timeoutMs / 1000} s`);
}

async function main(): Promise<void> {
  const config = loadConfig();
  fs.mkdirSync(config.dataDir, { recursive: true });
  let temporal: DevServer | undefined;
  let database: EmbeddedDatabase | undefined;
  let worker: ChildProcess | undefined;
  let api: ChildProcess | undefined;
  let stopping = false;

  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log.info('stopping');
    await stopProcess(api);
    await stopProcess(worker);
    await temporal?.stop();
    await database?.stop();
    fs.rmSync(path.join(config.dataDir, 'launcher.json'), { force: true });
    log.info('stopped');
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(0));

  try {
    let temporalAddress = config.temporalAddress;
    if (!temporalAddress) {
      temporal = await startTemporalDevServer({
        binary: findOrInstallTemporal(log),
        dataDir: path.join(config.dataDir, 'temporal'),
        port: config.temporalPort,
        uiPort: config.temporalUiPort,
        namespace: config.temporalNamespace,
        log,
      });
      temporalAddress = temporal.address;
    }

    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      database = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPostgresPort, log });
      databaseUrl = database.url;
    }

    const services = await initORM(databaseUrl, { poolMax: 1 });
    const applied = await migrate(services);
    await services.orm.close();
    log.info({ applied }, applied.length ? 'migrations applied' : 'database schema up to date');

    // Bundled once here so every worker process of this run (and the tests' extra workers) loads the same code.
    let bundlePath = process.env.WORKFLOW_BUNDLE_PATH;
    if (!bundlePath) {
      const { code } = await bundleWorkflowCode({
        workflowsPath: path.join(PROJECT_ROOT, 'workflows', __filename.endsWith('.ts') ? 'index.ts' : 'index.js'),
        logger: {
          log: () => undefined,
          trace: () => undefined,
          debug: () => undefined,
          info: () => undefined,
          warn: (m) => log.warn(m),
          error: (m) => log.error(m),
        },
      });
      bundlePath = path.join(config.dataDir, 'workflow-bundle.js');
      fs.writeFileSync(bundlePath, code);
    }

    const workerMetricsPort = await freePort();
    const env = {
      TEMPORAL_ADDRESS: temporalAddress,
      DATABASE_URL: databaseUrl,
      DATA_DIR: config.dataDir,
      WORKFLOW_BUNDLE_PATH: bundlePath,
      PUBLIC_URL: config.publicUrl,
    };
    worker = startProcess('worker', { ...env, WORKER_METRICS_PORT: String(workerMetricsPort) });
    api = startProcess('api', { ...env, WORKER_METRICS_URL: `http://127.0.0.1:${workerMetricsPort}/metrics` });
    for (const [name, child] of [
      ['worker', worker],
      ['api', api],
    ] as const) {
      child.once('exit', (code, signal) => {
        if (stopping) return;
        log.error({ process: name, code, signal }, `the ${name} process stopped; stopping everything`);
        void shutdown(1);
      });
    }

    const apiUrl = `http://127.0.0.1:${config.port}`;
    await waitForReady(apiUrl, api);
    const adminPassword = config.adminPassword ? 'from ADMIN_PASSWORD' : `in ${path.join(config.dataDir, 'admin-password')}`;
    const ready = {
      apiUrl,
      docsUrl: `${apiUrl}/docs`,
      temporalAddress,
      temporalUiUrl: temporal?.uiUrl ?? null,
      databaseUrl: database ? databaseUrl : '(DATABASE_URL)',
      bundlePath,
      adminUsername: config.adminUsername,
      // For the benchmark's memory readings.
      pids: { launcher: process.pid, worker: worker.pid, api: api.pid, temporal: temporal?.process.pid ?? null },
    };
    fs.writeFileSync(path.join(config.dataDir, 'launcher.json'), JSON.stringify(ready, null, 2), { mode: 0o600 });
    process.stdout.write(
      [
        '',
        'Border-gate clearance is running.',
        `  API:              ${apiUrl}`,
        `  API docs:         ${apiUrl}/docs`,
        `  Temporal:         ${temporalAddress}`,
        `  Temporal Web UI:  ${temporal?.uiUrl ?? '(the cluster given by TEMPORAL_ADDRESS)'}`,
        `  PostgreSQL:       ${database ? `embedded, data in ${path.join(config.dataDir, 'postgres')}` : 'DATABASE_URL'}`,
        `  First admin:      ${config.adminUsername}, password ${adminPassword}`,
        'Press Ctrl-C to stop.',
        '',
      ].join('\n'),
    );
  } catch (err) {
    log.fatal({ err }, 'start-up failed');
    await shutdown(1);
  }
}

void main();
