import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { context, diag, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import type { SpanProcessor, ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import {
  ACTIVITY_ID_ATTR_KEY,
  RUN_ID_ATTR_KEY,
  UPDATE_ID_ATTR_KEY,
  WORKFLOW_ID_ATTR_KEY,
} from '@temporalio/interceptors-opentelemetry/lib/instrumentation';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/worker';
import type { OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry/lib/workflow';
import type { InjectedSinks, WorkerInterceptors } from '@temporalio/worker';
import type { Logger } from './logger';

/**
 * Traces: one decision is one trace, from the HTTP request (a span per request, below) through the client's Update
 * (Temporal's client interceptor carries the trace in the Update's headers) to the workflow's spans and the local
 * activity that settles the change (Temporal's workflow and activity interceptors).
 *
 * The workflow interceptors are compiled into the workflow bundle, always: a bundle is the same whatever the
 * configuration, and replays the same histories. They make their spans inside the sandbox and hand them out through
 * the `exporter` sink, which every Worker running the bundle registers (`workflowSpanSinks`): it forwards them to the
 * exporter when traces are on and drops them when off.
 *
 * Off by default. OTEL_TRACES_EXPORTER=otlp, or an OTLP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT), turns the OTLP/HTTP (JSON) exporter on; the exporter reads the other standard
 * OTEL_EXPORTER_OTLP_* settings itself, the batch processor OTEL_BSP_*, the sampler OTEL_TRACES_SAMPLER. The service is
 * named for the process (clearance-api, clearance-worker) unless OTEL_SERVICE_NAME says otherwise.
 */
export const WORKFLOW_INTERCEPTOR_MODULES: string[] = [require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')];

/**
 * The workflow interceptors a bundle carries: only when traces are wanted. They add no command to a history (spans go
 * out through the sink, context through headers), so a bundle with them and one without replay the same histories;
 * without them a crossing's run does not evaluate the OpenTelemetry modules (about 0.7 MB, and the bundle goes from
 * 2.0 to 3.7 MB with source maps) that the SDK evaluates again for every workflow run.
 */
export const workflowInterceptorModulesFor = (env: NodeJS.ProcessEnv = process.env): string[] =>
  otlpWanted(env) ? WORKFLOW_INTERCEPTOR_MODULES : [];

/**
 * What may leave the process in a span. The workflow exporter copies the whole WorkflowInfo into each workflow span's
 * attributes (memo, search attributes, last failure), and errors are recorded with their messages and stacks, which
 * may quote what a person typed: so spans keep only these attributes (ids are opaque: `crossing-<uuid>`, hashed update
 * ids), a status without its message, and an exception's type. Request bodies, URLs and query strings (which carry
 * plates) are never recorded in the first place.
 */
const KEPT_ATTRIBUTES = new Set([
  'http.request.method',
  'http.route',
  'http.response.status_code',
  WORKFLOW_ID_ATTR_KEY,
  RUN_ID_ATTR_KEY,
  UPDATE_ID_ATTR_KEY,
  ACTIVITY_ID_ATTR_KEY,
  'workflowId',
  'runId',
  'workflowType',
  'taskQueue',
  'namespace',
  'attempt',
  'exception.type',
]);

function kept(attributes: Attributes): Attributes {
  return Object.fromEntries(Object.entries(attributes).filter(([key]) => KEPT_ATTRIBUTES.has(key)));
}

/** The span as exported: the same span seen through a copy whose attributes, events and status are trimmed. */
function scrubbed(span: ReadableSpan): ReadableSpan {
  return Object.create(span, {
    attributes: { value: kept(span.attributes) },
    events: { value: span.events.map((event) => ({ ...event, attributes: event.attributes && kept(event.attributes) })) },
    status: { value: { code: span.status.code } },
  });
}

class Scrubbing implements SpanProcessor {
  constructor(private readonly next: SpanProcessor) {}
  onStart(...args: Parameters<SpanProcessor['onStart']>): void {
    this.next.onStart(...args);
  }
  onEnd(span: ReadableSpan): void {
    this.next.onEnd(scrubbed(span));
  }
  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }
  shutdown(): Promise<void> {
    return this.next.shutdown();
  }
}

export interface Tracing {
  /** For a Temporal Client: its workflow calls (the API's Updates) carry the current trace. */
  clientInterceptors: { workflow: WorkflowClientInterceptor[] } | undefined;
  /** For a Worker: its activities (local ones included) run in the trace their workflow passed on. */
  workerInterceptors: WorkerInterceptors;
  /** For every Worker that runs the workflow bundle: where the workflow interceptors' spans go. */
  sinks: InjectedSinks<OpenTelemetrySinks>;
  /** Wraps the API's request handler: a span per HTTP request, current while the request is handled. */
  traceRequests(handler: RequestListener): RequestListener;
  /** Sends the spans still buffered; the process calls it as it stops. */
  shutdown(): Promise<void>;
}

/** The workflow interceptors' sink for a Worker whose spans go nowhere: traces off, or a test's own Worker. */
export function workflowSpanSinks(): InjectedSinks<OpenTelemetrySinks> {
  return { exporter: { export: { fn: () => undefined } } };
}

const OFF: Tracing = {
  clientInterceptors: undefined,
  workerInterceptors: {},
  sinks: workflowSpanSinks(),
  traceRequests: (handler) => handler,
  shutdown: async () => undefined,
};

/** Whether the environment asks for the OTLP exporter; a value this process cannot honour stops it with a sentence. */
export function otlpWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = exporters.filter((name) => name !== 'otlp' && name !== 'none');
  if (unknown.length)
    throw new Error(`OTEL_TRACES_EXPORTER may be otlp or none, not "${unknown.join(',')}": the OTLP exporter is the one built in`);
  const wanted = exporters.length
    ? exporters.includes('otlp')
    : Boolean(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT);
  const protocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL;
  if (wanted && protocol && protocol !== 'http/json') {
    throw new Error(`OTEL_EXPORTER_OTLP_PROTOCOL may be http/json, not "${protocol}": traces are sent as OTLP/HTTP with JSON bodies`);
  }
  return wanted;
}

/**
 * Starts tracing for this process as the environment says (see above). Off, it loads no SDK and no exporter: the API
 * handles requests and calls Temporal exactly as without it, and the Worker's one cost is the workflow interceptors'
 * in-sandbox spans, dropped by the sink.
 */
export async function startTracing(serviceName: 'clearance-api' | 'clearance-worker', log: Logger, env = process.env): Promise<Tracing> {
  if (!otlpWanted(env)) return OFF;
  // Loaded only when asked for: the SDK and the exporter are the bulk of the cost.
  const [{ NodeTracerProvider, BatchSpanProcessor }, { Resource, envDetectorSync }, { OTLPTraceExporter }] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/exporter-trace-otlp-http'),
  ]);
  diag.setLogger(
    {
      error: (message, ...args) => log.error({ args }, `traces: ${message}`),
      warn: (message, ...args) => log.warn({ args }, `traces: ${message}`),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    },
    { suppressOverrideMessage: true },
  );
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (the env detector) win over the process's own name.
  const resource = Resource.default()
    .merge(new Resource({ 'service.name': serviceName }))
    .merge(envDetectorSync.detect());
  const processor = new Scrubbing(new BatchSpanProcessor(new OTLPTraceExporter()));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  // The global provider, the AsyncLocalStorage context manager and the W3C trace-context propagator (which the
  // interceptors use to write the trace into Temporal headers).
  provider.register();
  log.info({ service: resource.attributes['service.name'] }, 'traces are exported over OTLP/HTTP');
  const tracer = trace.getTracer('clearance');
  return {
    clientInterceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] },
    workerInterceptors: {
      activity: [
        (ctx) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
    },
    sinks: { exporter: makeWorkflowExporter(processor, resource) },
    traceRequests: (handler) => (req, res) => traced(tracer, req, res, handler),
    shutdown: () => provider.shutdown(),
  };
}

/**
 * One SERVER span per request, named and tagged with the route pattern once routing has found it (the same pattern
 * the metrics use: `/v1/crossings/:id/steps/:step/decision`), never the URL. A `traceparent` header from an ingress
 * continues its trace. The request and response emitters are bound to the span's context, so a handler that runs
 * from a stream event (express.json after the body arrived) still sees it.
 */
function traced(tracer: ReturnType<typeof trace.getTracer>, req: IncomingMessage, res: ServerResponse, handler: RequestListener): void {
  const method = req.method ?? 'HTTP';
  const parent = propagation.extract(ROOT_CONTEXT, req.headers);
  const span = tracer.startSpan(method, { kind: SpanKind.SERVER, attributes: { 'http.request.method': method } }, parent);
  const active = trace.setSpan(parent, span);
  context.bind(active, req);
  context.bind(active, res);
  res.once('close', () => {
    const routed = req as IncomingMessage & { baseUrl?: string; route?: { path?: unknown } };
    if (typeof routed.route?.path === 'string') {
      const route = `${routed.baseUrl ?? ''}${routed.route.path}`;
      span.updateName(`${method} ${route}`);
      span.setAttribute('http.route', route);
    }
    span.setAttribute('http.response.status_code', res.statusCode);
    if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
  context.with(active, () => handler(req, res));
}
