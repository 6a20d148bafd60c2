import net from 'node:net';
import path from 'node:path';
import type { DatabaseTimeouts } from './db/orm';
import { parseDuration } from '../domain/durations';
import { PROJECT_ROOT } from './project-root';
import { secretOrGenerated } from './secrets';
import { loadTemporalConnection, type TemporalConnectionSettings } from './temporal-connection';

/**
 * Every setting the processes read, in one place. Values come from the environment; the defaults are the embedded,
 * single-machine ones that `npm start` uses.
 */
export interface Config {
  production: boolean;
  dataDir: string;
  /** The interface the API listens on: this machine only unless HOST says otherwise (0.0.0.0 behind an ingress). */
  host: string;
  port: number;
  /** TEMPORAL_ADDRESS (or the envconfig profile's); unset, the launcher starts a dev server of its own. */
  temporalAddress: string | undefined;
  temporalNamespace: string;
  /** The whole connection (TLS, API key) from @temporalio/envconfig's variables: infra/temporal-connection.ts. */
  temporal: TemporalConnectionSettings;
  taskQueue: string;
  databaseUrl: string | undefined;
  embeddedPostgresPort: number;
  temporalPort: number;
  temporalUiPort: number;
  adminUsername: string;
  adminPassword: string | undefined;
  authSecret: string | undefined;
  tokenTtlSeconds: number;
  logLevel: string;
  /** Where people reach the API: printed in gate-pass QR codes and payment links. */
  publicUrl: string;
  paymentWebhookSecret: string | undefined;
  /** Seals the devices' secrets in PostgreSQL (the API reads them back to check each device's signature). */
  deviceSecretKey: string | undefined;
  loginFailuresPerAccount: number;
  loginFailuresPerAddress: number;
  /** No API answer takes longer than this: past it the answer is 503 (for a change: outcome unknown, retry). */
  requestTimeoutMs: number;
  /** express's `trust proxy`: which hops' X-Forwarded-For to believe for the client's address (none by default). */
  trustProxy: boolean | number | string;
  /** Origins (the Temporal Web UI's) allowed to call the codec endpoint from a browser. */
  codecCorsOrigins: string[];
  /** Mounts the development-only routes (the payment simulator, the notification outbox); never in production. */
  devRoutes: boolean;
  /** ENABLE_DEV_ROUTES as given (the launcher turns the routes on unless told `false`). */
  devRoutesFlag: boolean | undefined;
  /** AES-256 keys of the payloads Temporal stores, `id:base64key[,…]` (PAYLOAD_KEYS); generated in development. */
  payloadKeys: string | undefined;
  /** Outside production without PAYLOAD_KEYS: the one key, base64 (DEV_PAYLOAD_KEY), else generated into the data folder. */
  devPayloadKey: string | undefined;
  /** The embedded PostgreSQL's superuser password (EMBEDDED_PG_PASSWORD), else generated into the data folder. */
  embeddedPostgresPassword: string | undefined;
  /** The Ed25519 private key that signs gate passes, PKCS#8 PEM (GATE_PASS_SIGNING_KEY); generated in development. */
  gatePassSigningKey: string | undefined;
  /** The worker: its prebuilt workflow bundle, its cache of crossings, where it serves its Prometheus metrics. */
  workflowBundlePath: string | undefined;
  workerMaxCachedWorkflows: number;
  workerMetricsPort: number | undefined;
  /** The worker's own /healthz and /metrics (worker/http-server.ts): not served unless WORKER_HTTP_PORT is set. */
  workerHttpPort: number | undefined;
  /** Where the worker's /healthz listens: this machine only unless WORKER_HTTP_HOST says otherwise (0.0.0.0 in a pod). */
  workerHttpHost: string;
  /** The API: where the worker's metrics are, to fold them into /metrics. */
  workerMetricsUrl: string | undefined;
  /** The launcher: extra Node flags for the worker and API (e.g. `--cpu-prof`), and where it installs tools. */
  childNodeArgs: string[];
  toolsDir: string;
  /** Each call to Temporal (an Update, a query, a start) is given up after this long. */
  temporalCallTimeoutMs: number;
  database: DatabaseTimeouts;
  /** Where the worker sends drivers' SMS (SMS_PROVIDER_URL); without it, the development outbox (infra/sms.ts). */
  smsProviderUrl: string | undefined;
  /** The provider's bearer token (SMS_PROVIDER_TOKEN): a secret, sent only in its Authorization header, never logged. */
  smsProviderToken: string | undefined;
  /** How long drivers' positions are kept (TRACK_RETENTION, an ISO duration, default P30D); then deleted. */
  trackRetentionMs: number;
  /** How often the worker recomputes the flow on every gate's approach (TRAFFIC_FLOW_EVERY_MS, default 15 s). */
  trafficFlowEveryMs: number;
  /** How long a webhook event is tried again from its first attempt before it is FAILED (WEBHOOK_RETRY_WINDOW). */
  webhookRetryWindowMs: number;
  /** The most one delivery attempt may take, connection to last byte. */
  webhookAttemptTimeoutMs: number;
  /** Production only: allow receivers at private, loopback and link-local addresses (an operator's choice). */
  webhookAllowPrivate: boolean;
  /** Addresses a receiver may be at even when private (WEBHOOK_ALLOW_ADDRESSES, comma-separated). */
  webhookAllowAddresses: string[];
  /** Seals subscription secrets at rest; read by the API (sealing) and the worker (signing). */
  webhookSecretKey: string | undefined;
}

function int(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number, got "${raw}"`);
  return value;
}

/** A TCP port to listen on, 1 to 65535, or undefined when not set. */
function port(name: string): number | undefined {
  const raw = text(name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535)
    throw new Error(`${name} must be a port number from 1 to 65535, got "${raw}"`);
  return value;
}

/** An IP address to listen on (0.0.0.0 for every interface); a host name is refused, as the listener would resolve it. */
function ipAddress(name: string, fallback: string): string {
  const raw = text(name) ?? fallback;
  if (net.isIP(raw) === 0) throw new Error(`${name} must be an IP address to listen on, such as 127.0.0.1 or 0.0.0.0; got "${raw}"`);
  return raw;
}

function text(name: string): string | undefined {
  const raw = process.env[name];
  return raw === undefined || raw === '' ? undefined : raw;
}

/**
 * Where people reach the API, printed in gate-pass QR codes and payment links. Outside production it defaults to this
 * machine; in production there is no sensible default (a QR pointing at 127.0.0.1 is useless at a barrier).
 */
function publicUrl(production: boolean): string {
  const given = text('PUBLIC_URL');
  if (!given && production) throw new Error('PUBLIC_URL must be set in production: gate-pass QR codes and payment links point there');
  return (given ?? `http://127.0.0.1:${int('PORT', 3000)}`).replace(/\/$/, '');
}

/** An ISO 8601 duration of at least a minute, in milliseconds. */
function isoDurationMs(name: string, fallback: string, least: { ms: number; words: string } = { ms: 60_000, words: 'a minute' }): number {
  const raw = text(name) ?? fallback;
  const ms = parseDuration(raw);
  if (ms === null || ms < least.ms)
    throw new Error(`${name} must be an ISO 8601 duration of at least ${least.words}, such as ${fallback}; got "${raw}"`);
  return ms;
}

/** A comma-separated list of IP addresses (not ranges: the delivery agents match addresses exactly); anything else is refused at start. */
function ipAddresses(name: string): string[] {
  const entries = (text(name) ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  const wrong = entries.find((a) => net.isIP(a) === 0);
  if (wrong !== undefined) throw new Error(`${name} must list IP addresses, comma-separated (no ranges); "${wrong}" is not one`);
  return entries;
}

/** An http(s) address, or undefined when not set; anything else is a wrong setting, refused at start. */
function httpUrl(name: string): string | undefined {
  const raw = text(name);
  if (raw === undefined) return undefined;
  // The value is not repeated in the sentence: an address may carry credentials.
  if (!URL.canParse(raw) || !['http:', 'https:'].includes(new URL(raw).protocol)) throw new Error(`${name} must be an http(s) address`);
  return raw;
}

/** `TRUST_PROXY`: `false` (default), `true`, a hop count, or addresses/subnets as express takes them. */
function trustProxy(raw: string | undefined): boolean | number | string {
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  return raw;
}

/**
 * LOG_LEVEL, read on its own for the one logger that cannot wait for loadConfig: the one that reports a start that
 * failed, loadConfig's own failure included (`createLogger`'s default). Everything else takes `Config.logLevel`,
 * which is this same reading.
 */
export function bootstrapLogLevel(): string {
  return text('LOG_LEVEL') ?? 'info';
}

export function loadConfig(): Config {
  const production = process.env.NODE_ENV === 'production';
  const temporal = loadTemporalConnection();
  return {
    production,
    dataDir: path.resolve(text('DATA_DIR') ?? '.data'),
    host: text('HOST') ?? '127.0.0.1',
    port: int('PORT', 3000),
    temporalAddress: temporal.address,
    temporalNamespace: temporal.namespace,
    temporal,
    taskQueue: text('TASK_QUEUE') ?? 'crossings',
    databaseUrl: text('DATABASE_URL'),
    embeddedPostgresPort: int('EMBEDDED_PG_PORT', 54329),
    temporalPort: int('TEMPORAL_PORT', 7233),
    temporalUiPort: int('TEMPORAL_UI_PORT', 8233),
    adminUsername: text('ADMIN_USERNAME') ?? 'admin',
    adminPassword: text('ADMIN_PASSWORD'),
    authSecret: text('AUTH_SECRET'),
    tokenTtlSeconds: int('TOKEN_TTL_SECONDS', 8 * 3600),
    logLevel: bootstrapLogLevel(),
    publicUrl: publicUrl(production),
    paymentWebhookSecret: text('PAYMENT_WEBHOOK_SECRET'),
    deviceSecretKey: text('DEVICE_SECRET_KEY'),
    loginFailuresPerAccount: int('LOGIN_FAILURES_PER_ACCOUNT', 10),
    loginFailuresPerAddress: int('LOGIN_FAILURES_PER_ADDRESS', 100),
    requestTimeoutMs: int('REQUEST_TIMEOUT_MS', 8000),
    trustProxy: trustProxy(text('TRUST_PROXY')),
    codecCorsOrigins: (text('CODEC_CORS_ORIGINS') ?? '')
      .split(',')
      .map((o) => o.trim().replace(/\/$/, ''))
      .filter(Boolean),
    devRoutes: text('ENABLE_DEV_ROUTES') === 'true' && !production,
    devRoutesFlag: text('ENABLE_DEV_ROUTES') === undefined ? undefined : text('ENABLE_DEV_ROUTES') === 'true',
    payloadKeys: text('PAYLOAD_KEYS'),
    devPayloadKey: text('DEV_PAYLOAD_KEY'),
    embeddedPostgresPassword: text('EMBEDDED_PG_PASSWORD'),
    gatePassSigningKey: text('GATE_PASS_SIGNING_KEY'),
    workflowBundlePath: text('WORKFLOW_BUNDLE_PATH'),
    workerMaxCachedWorkflows: int('WORKER_MAX_CACHED_WORKFLOWS', 2000),
    workerMetricsPort: text('WORKER_METRICS_PORT') === undefined ? undefined : int('WORKER_METRICS_PORT', 0),
    workerMetricsUrl: text('WORKER_METRICS_URL'),
    workerHttpPort: port('WORKER_HTTP_PORT'),
    workerHttpHost: ipAddress('WORKER_HTTP_HOST', '127.0.0.1'),
    childNodeArgs: (text('CHILD_NODE_ARGS') ?? '').split(' ').filter(Boolean),
    toolsDir: path.resolve(text('TOOLS_DIR') ?? path.join(PROJECT_ROOT, '.tools')),
    temporalCallTimeoutMs: int('TEMPORAL_CALL_TIMEOUT_MS', 5000),
    database: {
      connectMs: int('DB_CONNECT_TIMEOUT_MS', 2000),
      acquireMs: int('DB_ACQUIRE_TIMEOUT_MS', 2000),
      queryMs: int('DB_QUERY_TIMEOUT_MS', 3000),
    },
    smsProviderUrl: httpUrl('SMS_PROVIDER_URL'),
    smsProviderToken: text('SMS_PROVIDER_TOKEN'),
    trackRetentionMs: isoDurationMs('TRACK_RETENTION', 'P30D'),
    trafficFlowEveryMs: Math.max(1000, int('TRAFFIC_FLOW_EVERY_MS', 15_000)),
    webhookRetryWindowMs: isoDurationMs('WEBHOOK_RETRY_WINDOW', 'P1D', { ms: 1000, words: 'a second' }),
    // At most a minute: a round's activity is given ten (workflows/webhook-delivery.ts), and sends eight at a time.
    webhookAttemptTimeoutMs: Math.min(60_000, Math.max(100, int('WEBHOOK_ATTEMPT_TIMEOUT_MS', 10_000))),
    webhookAllowPrivate: text('WEBHOOK_ALLOW_PRIVATE') === 'true',
    webhookAllowAddresses: ipAddresses('WEBHOOK_ALLOW_ADDRESSES'),
    webhookSecretKey: text('WEBHOOK_SECRET_KEY'),
  };
}

/** The secrets the API signs and checks with, resolved once at start-up. */
export interface ApiSecrets {
  authSecret: string;
  paymentWebhookSecret: string;
  deviceSecretKey: string;
  webhookSecretKey: string;
}

/**
 * The API's secrets: from the environment, or outside production generated once into the data folder (so tokens and
 * signatures survive a restart). Production refuses to start without them. The config itself is never changed.
 */
export function apiSecrets(config: Config): ApiSecrets {
  const options = { dataDir: config.dataDir, production: config.production };
  return {
    authSecret: secretOrGenerated(config.authSecret, 'AUTH_SECRET', 'auth-secret', options),
    paymentWebhookSecret: secretOrGenerated(config.paymentWebhookSecret, 'PAYMENT_WEBHOOK_SECRET', 'payment-webhook-secret', options),
    deviceSecretKey: secretOrGenerated(config.deviceSecretKey, 'DEVICE_SECRET_KEY', 'device-secret-key', options),
    webhookSecretKey: webhookSecretKey(config),
  };
}

/** The key subscription secrets are sealed under: the API seals with it, the worker opens with it to sign. */
export function webhookSecretKey(config: Config): string {
  return secretOrGenerated(config.webhookSecretKey, 'WEBHOOK_SECRET_KEY', 'webhook-secret-key', {
    dataDir: config.dataDir,
    production: config.production,
  });
}
