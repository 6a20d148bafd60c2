import http from 'node:http';
import type net from 'node:net';
import client from 'prom-client';
import type { State } from '@temporalio/worker';
import type { Logger } from '../infra/logger';

/**
 * The worker's own `/healthz` and `/metrics` (WORKER_HTTP_PORT), for an orchestrator's liveness probe and a
 * Prometheus scrape that must not depend on the API being up or on which API replica answers.
 *
 * Healthy means both Worker instances (crossings, webhook deliveries) are RUNNING: one that failed or is draining
 * polls nothing, and a process that still answers HTTP with a dead Worker would never be restarted. Before `run()`
 * and during shutdown the answer is 503, which is what a rolling update wants too.
 *
 * /metrics is prom-client's process metrics (memory, event loop, GC) of this process, followed by the SDK core's own
 * (slots, polls, schedule-to-start latency) read from its Prometheus endpoint, so one port carries both.
 */
export interface WorkerHttpOptions {
  host: string;
  port: number;
  workers: Record<string, { getState(): State }>;
  /** The SDK core's Prometheus endpoint (WORKER_METRICS_PORT), if it serves one. */
  coreMetricsUrl: string | undefined;
  log: Logger;
}

export async function startWorkerHttp(options: WorkerHttpOptions): Promise<{ port: number; close(): Promise<void> }> {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });

  const health = () => {
    const states = Object.fromEntries(Object.entries(options.workers).map(([name, worker]) => [name, worker.getState()]));
    const healthy = Object.values(states).every((state) => state === 'RUNNING');
    return { code: healthy ? 200 : 503, body: { status: healthy ? 'ok' : 'unavailable', workers: states } };
  };

  const metrics = async () => {
    let text = await registry.metrics();
    if (options.coreMetricsUrl) {
      // The core's endpoint answering late or not at all is said in the scrape, not hidden: the process metrics still go out.
      try {
        const res = await fetch(options.coreMetricsUrl, { signal: AbortSignal.timeout(2000) });
        text += `\n# Temporal SDK core metrics\n${await res.text()}`;
      } catch (err) {
        text += `\n# Temporal SDK core metrics unavailable: ${(err as Error).message}\n`;
      }
    }
    return text;
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://worker');
    if (req.method !== 'GET' || !['/healthz', '/metrics'].includes(url.pathname)) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'not found' }));
      return;
    }
    if (url.pathname === '/healthz') {
      const { code, body } = health();
      res.writeHead(code, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
      return;
    }
    metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: Error) => {
        options.log.error({ err }, 'worker metrics could not be collected');
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics could not be collected: ${err.message}\n`);
      },
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  options.log.info({ host: options.host, port }, 'worker health and metrics listening');
  return {
    port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
