import type { RequestHandler } from 'express';
import client from 'prom-client';
import type { RequestScope } from './request-deadline';

/**
 * Prometheus metrics: HTTP requests by route and status, process metrics, and (folded in at scrape time) the Temporal
 * worker's own metrics when WORKER_METRICS_URL says where the worker serves them.
 */
export function createMetrics() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new client.Counter({ name: 'http_requests_total', help: 'HTTP requests', labelNames, registers: [registry] });
  const duration = new client.Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  const routeLabels = ['method', 'route'] as const;
  const statements = new client.Counter({
    name: 'http_db_statements_total',
    help: 'PostgreSQL statements (round trips) sent for HTTP requests, by route',
    labelNames: routeLabels,
    registers: [registry],
  });
  const workflowQueries = new client.Counter({
    name: 'http_workflow_queries_total',
    help: 'Temporal workflow queries made for HTTP requests, by route',
    labelNames: routeLabels,
    registers: [registry],
  });

  const middleware: RequestHandler = (req, res, next) => {
    const end = process.hrtime.bigint();
    res.on('finish', () => {
      // The route pattern (`/v1/crossings/:id`), never the raw URL: ids and query values would explode the label set.
      const route = req.route?.path ? `${req.baseUrl}${req.route.path}` : 'unmatched';
      const labels = { method: req.method, route, status: String(res.statusCode) };
      requests.inc(labels);
      duration.observe(labels, Number(process.hrtime.bigint() - end) / 1e9);
      // Counted in the route's request scope (api/route.ts, api/request-deadline.ts).
      const scope = res.locals.requestScope as RequestScope | undefined;
      if (scope?.statements) statements.inc({ method: req.method, route }, scope.statements);
      if (scope?.workflowQueries) workflowQueries.inc({ method: req.method, route }, scope.workflowQueries);
    });
    next();
  };

  async function text(workerMetricsUrl?: string): Promise<string> {
    let out = await registry.metrics();
    if (workerMetricsUrl) {
      try {
        const res = await fetch(workerMetricsUrl, { signal: AbortSignal.timeout(2000) });
        out += `\n# Temporal worker metrics (${new URL(workerMetricsUrl).host})\n${await res.text()}`;
      } catch (err) {
        out += `\n# Temporal worker metrics unavailable: ${(err as Error).message}\n`;
      }
    }
    return out;
  }

  return { middleware, text, contentType: registry.contentType };
}
