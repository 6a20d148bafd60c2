import { randomUUID } from 'node:crypto';
import { OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import cors from 'cors';
import express from 'express';
import helmet from 'helmet';
import pinoHttp from 'pino-http';
import swaggerUi from 'swagger-ui-express';
import type { ApiContext } from './context';
import { consoleFiles } from './console-files';
import { createMetrics } from './metrics';
import { DEPENDENCY_NAMES, type Dependency } from './dependencies';
import { ApiError, errorMiddleware, notFound, RETRY_AFTER_SECONDS, sendProblem } from './problem';
import { Api } from './route';
import { accountRoutes } from './routes/accounts';
import { authRoutes } from './routes/auth';
import { auditRoutes } from './routes/audit';
import { codecRoutes } from './routes/codec';
import { crossingRoutes } from './routes/crossings';
import { documentRoutes } from './routes/documents';
import { feeRateRoutes } from './routes/fee-rates';
import { feeReportRoutes } from './routes/fee-report';
import { invoiceRoutes } from './routes/invoice';
import { onlinePaymentRoutes } from './routes/online-payment';
import { paymentCallbackRoutes } from './routes/payment-callback';
import { paymentSimulatorRoutes } from './routes/payment-simulator';
import { gateRoutes } from './routes/gates';
import { gateStatsRoutes } from './routes/gate-stats';
import { gateFloorRoutes } from './routes/gate-floor';
import { queueRoutes } from './routes/queue';
import { trackingRoutes } from './routes/tracking';
import { trafficRoutes } from './routes/traffic';
import { webhookRoutes } from './routes/webhooks';
import { deadlinePolicyRoutes } from './routes/deadline-policies';
import { devNotificationRoutes } from './routes/dev-notifications';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function createApp(ctx: ApiContext): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // Whose X-Forwarded-For to believe (TRUST_PROXY): by default nobody's, so a client cannot choose its own address
  // for the login throttle; behind an ingress, name the ingress.
  app.set('trust proxy', ctx.config.trustProxy);
  const metrics = createMetrics();

  app.use(
    pinoHttp({
      logger: ctx.log,
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      // Method and path only: query strings can carry plates, and bodies company data.
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, path: req.url.split('?')[0] }),
        res: (res: { statusCode: number }) => ({ status: res.statusCode }),
      },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
    }),
  );
  app.use(metrics.middleware);
  app.use(
    helmet({
      // Swagger UI at /docs styles itself inline; nothing else here needs more than 'self'.
      contentSecurityPolicy: { directives: { 'style-src': ["'self'", "'unsafe-inline'"], 'img-src': ["'self'", 'data:'] } },
    }),
  );
  app.use(
    express.json({
      limit: '256kb',
      type: ['application/json', 'application/*+json'],
      // The payment provider signs the raw bytes of its callback; keep them to check the signature.
      verify: (req, _res, buf) => {
        (req as express.Request & { rawBody?: Buffer }).rawBody = buf;
      },
    }),
  );

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Ready when PostgreSQL and Temporal answer and a worker's heartbeat is fresh; `?self=true` checks only this
  // process's own connections (what a container orchestrator probes: a worker outage must not empty the load balancer).
  app.get('/readyz', async (req, res) => {
    const checks = await ctx.health.check({ self: req.query.self === 'true' });
    const down = (Object.entries(checks) as [Dependency, string][]).filter(([, c]) => c !== 'up');
    if (down.length === 0) {
      res.json({ status: 'ready', checks });
      return;
    }
    const sentence = down.map(([name, state]) => `${DEPENDENCY_NAMES[name]} ${state.replace(/^(down|unknown): (.*)$/, '$1 ($2)')}`);
    const problem = new ApiError(
      503,
      'Service Unavailable',
      `Not ready: ${sentence.join('; ')}.`,
      undefined,
      { checks },
      {
        'Retry-After': String(RETRY_AFTER_SECONDS),
      },
    );
    sendProblem(res, problem);
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.contentType).send(await metrics.text(ctx.config.workerMetricsUrl));
  });

  // The Temporal Web UI's remote codec calls /codec from the browser: only from the origins configured for it.
  if (ctx.config.codecCorsOrigins.length) {
    app.use(
      '/codec',
      cors({
        origin: ctx.config.codecCorsOrigins,
        methods: ['POST'],
        allowedHeaders: ['Authorization', 'Content-Type', 'X-Namespace'],
        credentials: true,
        maxAge: 600,
      }),
    );
  }

  const api = new Api(ctx);
  authRoutes(api, ctx);
  accountRoutes(api, ctx);
  gateRoutes(api, ctx);
  gateStatsRoutes(api, ctx);
  gateFloorRoutes(api, ctx);
  queueRoutes(api, ctx);
  trackingRoutes(api, ctx);
  trafficRoutes(api, ctx);
  webhookRoutes(api, ctx);
  crossingRoutes(api, ctx);
  auditRoutes(api, ctx);
  deadlinePolicyRoutes(api, ctx);
  invoiceRoutes(api, ctx);
  onlinePaymentRoutes(api, ctx);
  paymentCallbackRoutes(api, ctx, ctx.secrets.paymentWebhookSecret);
  feeReportRoutes(api, ctx);
  feeRateRoutes(api, ctx);
  documentRoutes(api, ctx);
  // Development only, and only when asked for (npm start asks): never mounted in production.
  if (ctx.config.devRoutes) {
    paymentSimulatorRoutes(api, ctx);
    devNotificationRoutes(api, ctx);
  }
  codecRoutes(api, ctx, ctx.codec);
  app.use(api.router);

  const openapi = new OpenApiGeneratorV31(api.registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Border-gate clearance API',
      version: '1.0.0',
      description: 'One durable workflow per truck crossing. Errors are application/problem+json.',
    },
  });
  app.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(openapi, { customSiteTitle: 'Border-gate clearance API' }));
  app.use(consoleFiles());

  app.use((req, _res, next) => next(notFound(`No route ${req.method} ${req.path}.`)));
  app.use(errorMiddleware(ctx.log));
  return app;
}
