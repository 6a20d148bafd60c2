import fs from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, Worker, makeTelemetryFilterString } from '@temporalio/worker';
import { createActivities, createWebhookDelivery } from '../activities';
import { loadConfig, webhookSecretKey } from '../infra/config';
import { webhookTaskQueueOf } from '../domain/webhooks';
import { initORM } from '../infra/db/orm';
import { createLogger } from '../infra/logger';
import { stopWhenParentGone } from '../infra/parent-watch';
import { GatePassSigner } from '../infra/gate-pass-signature';
import { EncryptionCodec } from '../infra/payload-codec';
import { retryUntil } from '../infra/retry-until';
import { SecretSeal } from '../infra/secret-seal';
import { targetPolicyOf, WebhookPoster } from '../infra/webhook-post';
import { smsAdapterFromConfig } from '../infra/sms';
import { FROM_SOURCE, codeFile } from '../infra/project-root';
import { prebuiltBundlePath } from '../infra/workflow-bundle';
import { otlpWanted, startTracing, workflowInterceptorModulesFor } from '../infra/tracing';
import { freePort } from '../infra/ports';
import { startHeartbeat } from './heartbeat';
import { startWorkerHttp } from './http-server';
import { NotificationSender } from './notification-sender';
import { startQueueKeeper } from './queue-keeper';
import { startTrafficKeeper } from './traffic-keeper';
import { startWebhookKeeper } from './webhook-keeper';
import { registerSearchAttributes } from './register-search-attributes';

/** How long a shutdown may take before the process exits anyway (the API allows as long: api/main.ts). */
const SHUTDOWN_LIMIT_MS = 10_000;

/**
 * The workflow code both Worker instances load. WORKFLOW_BUNDLE_PATH when given (the launcher's bundle, or an image's);
 * compiled (dist/), the bundle `npm run build` wrote beside it, so a production start never runs webpack; from source
 * without one, the SDK bundles workflows/index itself.
 */
function workflowCode(bundlePath: string | undefined): { workflowBundle: { codePath: string } } | { workflowsPath: string } {
  const codePath = bundlePath ?? (FROM_SOURCE ? undefined : prebuiltBundlePath(otlpWanted()));
  if (codePath === undefined) return { workflowsPath: codeFile('workflows', 'index') };
  if (!fs.existsSync(codePath)) {
    throw new Error(`the workflow bundle ${codePath} is missing: run npm run build, or set WORKFLOW_BUNDLE_PATH to one`);
  }
  return { workflowBundle: { codePath } };
}

/**
 * The worker process: runs crossing workflows and their activities. Scales separately from the API; any number of
 * them may poll the same task queue.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger('worker', config.logLevel);
  if (!config.temporalAddress || !config.databaseUrl) {
    throw new Error('the worker needs TEMPORAL_ADDRESS and DATABASE_URL (npm start provides both)');
  }
  const smsAdapter = smsAdapterFromConfig(config);
  const tracing = await startTracing('clearance-worker', log);

  // The worker's own metrics (schedule-to-start latency, slots, polls) in Prometheus text, served by the SDK's core;
  // the API's /metrics folds them in when WORKER_METRICS_URL points here.
  // With WORKER_HTTP_PORT and no WORKER_METRICS_PORT, the core still serves them, on a port of this machine only,
  // so the worker's one public port (worker/http-server.ts) carries them.
  const metricsPort = config.workerMetricsPort ?? (config.workerHttpPort ? await freePort() : 0);
  Runtime.install({
    logger: {
      log: (level, message, meta) => log[level.toLowerCase() as 'info'](meta ?? {}, message),
      trace: (m, meta) => log.trace(meta ?? {}, m),
      debug: (m, meta) => log.debug(meta ?? {}, m),
      info: (m, meta) => log.info(meta ?? {}, m),
      warn: (m, meta) => log.warn(meta ?? {}, m),
      error: (m, meta) => log.error(meta ?? {}, m),
    },
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} },
      ...(metricsPort ? { metrics: { prometheus: { bindAddress: `127.0.0.1:${metricsPort}` } } } : {}),
    },
  });

  const services = await initORM(config.databaseUrl, { timeouts: config.database });
  const connection = await retryUntil('Temporal', () => NativeConnection.connect(config.temporal.options()), { log });
  await registerSearchAttributes(connection, config.temporalNamespace, log);

  const codec = EncryptionCodec.fromConfig(config);
  // A client for the activities that message other workflows (the deadline-policy fan-out).
  const clientConnection = await Connection.connect(config.temporal.options());
  const client = new Client({
    connection: clientConnection,
    namespace: config.temporalNamespace,
    dataConverter: { payloadCodecs: [codec] },
  });

  // Webhooks go out through agents that refuse private addresses in production (infra/webhook-post.ts).
  const poster = new WebhookPoster(targetPolicyOf(config), config.webhookAttemptTimeoutMs);
  const workflows = workflowCode(config.workflowBundlePath);
  // Traces: a prebuilt bundle has the workflow interceptors when it is the traced one (infra/tracing.ts); a worker that
  // bundles for itself adds them when traces are on. Their spans leave the sandbox through the sink.
  const traced = {
    interceptors: { ...tracing.workerInterceptors, workflowModules: 'workflowsPath' in workflows ? workflowInterceptorModulesFor() : [] },
    sinks: tracing.sinks,
  };
  const worker = await Worker.create({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    // A cached crossing costs the worker about 200 kB (npm run bench -- --hold 2000). Crossings wait hours at a step,
    // so cap the cache: one evicted is replayed from its (short) history when its next message comes.
    maxCachedWorkflows: config.workerMaxCachedWorkflows,
    activities: createActivities(services, client, { publicUrl: config.publicUrl, signer: GatePassSigner.fromConfig(config) }),
    // The same codec as the API's client: the Temporal server stores only ciphertext of company data.
    dataConverter: { payloadCodecs: [codec] },
    ...traced,
    ...workflows,
  });

  // Webhook deliveries on their own task queue and slots: a receiver that hangs holds a webhook slot for at most
  // WEBHOOK_ATTEMPT_TIMEOUT_MS, and never one a crossing's decision needs.
  const webhookWorker = await Worker.create({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: webhookTaskQueueOf(config.taskQueue),
    maxCachedWorkflows: 500,
    maxConcurrentActivityTaskExecutions: 100,
    activities: createWebhookDelivery(services, {
      seal: new SecretSeal(webhookSecretKey(config), 'webhook-secret'),
      poster,
      retryWindowMs: config.webhookRetryWindowMs,
    }),
    dataConverter: { payloadCodecs: [codec] },
    ...traced,
    ...workflows,
  });

  const workerHttp = config.workerHttpPort
    ? await startWorkerHttp({
        host: config.workerHttpHost,
        port: config.workerHttpPort,
        workers: { crossings: worker, webhooks: webhookWorker },
        coreMetricsUrl: metricsPort ? `http://127.0.0.1:${metricsPort}/metrics` : undefined,
        log,
      })
    : undefined;
  log.info({ taskQueue: config.taskQueue, temporal: config.temporal.describe() }, 'worker started');
  const heartbeat = startHeartbeat(services, { taskQueue: config.taskQueue, log });
  const queueKeeper = startQueueKeeper(services, client, { taskQueue: config.taskQueue, log });
  const webhookKeeper = startWebhookKeeper(services, client, { taskQueue: config.taskQueue, log });
  const trafficKeeper = startTrafficKeeper(services, { flowEveryMs: config.trafficFlowEveryMs, retentionMs: config.trackRetentionMs, log });
  // Drivers' SMS, from the outbox table; the sender's store keeps one fork of its own (raw SQL only, nothing cached).
  const sms = new NotificationSender(services.stores().notifications, smsAdapter, log);
  sms.start();
  const stop = (reason: string) => {
    log.info({ reason }, 'worker shutting down');
    if (worker.getState() === 'RUNNING') worker.shutdown();
    if (webhookWorker.getState() === 'RUNNING') webhookWorker.shutdown();
    // A shutdown that hangs (an activity that ignores its cancellation, a server that does not answer) must not keep
    // the process, and so its restart, waiting for ever: like the API, it is given SHUTDOWN_LIMIT_MS, then it exits.
    setTimeout(() => {
      log.error({ reason, afterMs: SHUTDOWN_LIMIT_MS }, 'worker shutdown did not finish in time; exiting');
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS).unref();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop(signal));
  stopWhenParentGone(stop);
  await Promise.all([worker.run(), webhookWorker.run()]);
  queueKeeper.stop();
  trafficKeeper.stop();
  webhookKeeper.stop();
  await Promise.all([heartbeat.stop(), sms.stop()]);
  await Promise.allSettled([connection.close(), clientConnection.close(), services.orm.close(), workerHttp?.close(), tracing.shutdown()]);
  log.info('worker stopped');
  process.exit(0);
}

main().catch((err) => {
  createLogger('worker').fatal({ err }, 'worker failed');
  process.exit(1);
});
