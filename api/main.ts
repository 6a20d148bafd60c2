import http from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { apiSecrets, loadConfig } from '../infra/config';
import { initORM } from '../infra/db/orm';
import { createLogger } from '../infra/logger';
import { stopWhenParentGone } from '../infra/parent-watch';
import { isTransientDatabaseError } from '../infra/db/errors';
import { retryUntil } from '../infra/retry-until';
import { EncryptionCodec } from '../infra/payload-codec';
import { startTracing } from '../infra/tracing';
import { createApp } from './app';
import { TokenService } from './auth/tokens';
import { ensureFirstAdmin } from './bootstrap-admin';
import { Cursors } from './cursor';
import { ApproachDelivery } from './approach-delivery';
import { ArrivalDelivery } from './arrival-delivery';
import { CorridorCache } from './corridor-cache';
import { CrossingClient } from './crossing-client';
import { SecretSeal } from '../infra/secret-seal';
import { DeviceCredentials } from './device-credentials';
import { DependencyHealth } from './dependencies';
import { countStatementsPerRequest } from './request-deadline';

/**
 * The API process. Starts even when Temporal or PostgreSQL is down (connections are lazy): /readyz then answers 503
 * and requests that need the missing dependency get 503, until it is back.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger('api', config.logLevel);
  if (!config.temporalAddress || !config.databaseUrl) {
    throw new Error('the API needs TEMPORAL_ADDRESS and DATABASE_URL (npm start provides both)');
  }
  const tracing = await startTracing('clearance-api', log);
  const services = await initORM(config.databaseUrl, { timeouts: config.database });
  countStatementsPerRequest(services);
  const connection = Connection.lazy(config.temporal.options());
  // Secrets are read once here, not per request: from the environment, or in development from the data folder.
  const secrets = apiSecrets(config);
  const codec = EncryptionCodec.fromConfig(config);
  const temporal = new Client({
    connection,
    namespace: config.temporalNamespace,
    dataConverter: { payloadCodecs: [codec] },
    interceptors: tracing.clientInterceptors,
  });
  const tokens = new TokenService(secrets.authSecret, config.tokenTtlSeconds);

  // The first admin exists before the API answers; if PostgreSQL is down it is created as soon as it is back. A wrong
  // setting (no ADMIN_PASSWORD in production) stops the API with a sentence instead of being retried for ever.
  const firstAdmin = () => ensureFirstAdmin(config, services, log);
  await firstAdmin().catch((err) => {
    if (!isTransientDatabaseError(err)) throw err;
    log.warn({ err }, 'could not create the first admin yet; retrying in the background');
    retryUntil('PostgreSQL', firstAdmin, {
      log,
      timeoutMs: Number.POSITIVE_INFINITY,
      intervalMs: 5000,
      retryIf: isTransientDatabaseError,
    }).catch((fatal) => {
      log.fatal({ err: fatal }, 'cannot create the first admin');
      process.exit(1);
    });
  });

  const health = new DependencyHealth({ config, services, temporal });
  const crossings = new CrossingClient(temporal, config.taskQueue, config.temporalCallTimeoutMs);
  const arrivals = new ArrivalDelivery(crossings, services, log);
  arrivals.start();
  const approaches = new ApproachDelivery(crossings, services, log);
  approaches.start();
  const deviceSecrets = new SecretSeal(secrets.deviceSecretKey, 'device-secret');
  const app = createApp({
    config,
    services,
    temporal,
    tokens,
    log,
    codec,
    health,
    cursors: new Cursors(secrets.authSecret),
    secrets,
    deviceSecrets,
    webhookSecrets: new SecretSeal(secrets.webhookSecretKey, 'webhook-secret'),
    devices: new DeviceCredentials(services, deviceSecrets, log),
    arrivals,
    approaches,
    corridors: new CorridorCache(services),
  });
  // Request lines up to 256 kB (Node's default is 16 kB), the size of the body limit: a long query is then a 400 naming
  // the field at fault rather than a bare 431.
  const server = http.createServer({ maxHeaderSize: 256 * 1024 }, tracing.traceRequests(app));
  server.listen(config.port, config.host, () => log.info({ host: config.host, port: config.port }, 'API listening'));
  if (config.devRoutes) log.warn('development routes are mounted (/dev/payment-provider): ENABLE_DEV_ROUTES=true');
  server.keepAliveTimeout = 65_000;

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'API shutting down');
    arrivals.stop();
    approaches.stop();
    // Stop accepting connections, let requests in flight finish, then close the pools.
    server.close(async () => {
      await Promise.allSettled([services.orm.close(), connection.close(), tracing.shutdown()]);
      log.info('API stopped');
      process.exit(0);
    });
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  stopWhenParentGone(stop);
}

main().catch((err) => {
  createLogger('api').fatal({ err }, 'API failed to start');
  process.exit(1);
});
