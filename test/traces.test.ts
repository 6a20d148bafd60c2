import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { ROOT } from '../infra/launch-system';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../infra/tracing';
import { writeWorkflowBundle } from '../infra/workflow-bundle';
import { freePort } from '../infra/ports';
import { account, declaration, httpRetrying } from './system/client';
import { RUBBER, staffOf } from './system/crossing-flow';
import { kill, startApi, startWorker } from './system/processes';

/** A span as an OTLP/HTTP JSON body carries it, with the service that sent it. */
interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: Record<string, unknown>;
}

/**
 * A collector of the smallest kind: it takes what the exporters POST to /v1/traces (OTLP/HTTP with JSON bodies) and
 * keeps the spans, and the raw bodies, to look through.
 */
async function otlpReceiver(): Promise<{ url: string; spans: ReceivedSpan[]; bodies: string[]; server: Server }> {
  const spans: ReceivedSpan[] = [];
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      bodies.push(text);
      const valueOf = (v: Record<string, unknown>) => Object.values(v)[0];
      const attributesOf = (list: { key: string; value: Record<string, unknown> }[] = []) =>
        Object.fromEntries(list.map((a) => [a.key, valueOf(a.value)]));
      for (const rs of JSON.parse(text).resourceSpans ?? []) {
        const service = String(attributesOf(rs.resource?.attributes)['service.name']);
        for (const ss of rs.scopeSpans ?? [])
          for (const s of ss.spans ?? [])
            spans.push({
              service,
              traceId: s.traceId,
              spanId: s.spanId,
              parentSpanId: s.parentSpanId || undefined,
              name: s.name,
              attributes: attributesOf(s.attributes),
            });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}`, spans, bodies, server };
}

/**
 * Traces, told with an API and a worker of their own that export to a receiver the test runs: a customs officer's
 * decision is one trace from the HTTP request through the Update to the local activity that settles it, and nothing a
 * company declared travels with it.
 */
describe('traces', () => {
  const taskQueue = `traces-${randomUUID().slice(0, 8)}`;
  let receiver: Awaited<ReturnType<typeof otlpReceiver>>;
  let api: Awaited<ReturnType<typeof startApi>>;
  let worker: ReturnType<typeof startWorker>;

  beforeAll(async () => {
    receiver = await otlpReceiver();
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '200' };
    // The test system's bundle is the plain one (no traces asked for at its start): this worker gets the traced one,
    // as a worker with traces on does.
    const bundle = await writeWorkflowBundle(path.join(ROOT, '.data', `${taskQueue}-bundle.js`), {
      workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    });
    worker = startWorker(taskQueue, { ...env, WORKFLOW_BUNDLE_PATH: bundle });
    api = await startApi(taskQueue, env);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([api && kill(api.process, 'SIGTERM'), worker && kill(worker, 'SIGTERM')]);
    await new Promise((resolve) => receiver?.server.close(resolve));
  });

  it('makes one decision one trace from the HTTP request through the Update to the settleCrossing activity', async () => {
    const staff = await staffOf();
    const company = await account('DECLARANT');
    const n = String(Date.now()).slice(-5);
    const declared = declaration({
      goods: [RUBBER],
      vehicle: { plate: `12C-${n.slice(0, 3)}.${n.slice(3)}`, trailerPlate: null, country: 'VN', grossWeightKg: 32000 },
      driver: { fullName: `Tran Thi Vet ${n}`, idNumber: `0010900${n}`, nationality: 'VN', phone: `+849123${n}` },
    } as Parameters<typeof declaration>[0]);
    const created = await httpRetrying('POST', '/v1/crossings', {
      baseUrl: api.url,
      token: company.token,
      body: declared,
      key: randomUUID(),
    });
    expect(created.status).toBe(201);
    const decided = await httpRetrying('POST', `/v1/crossings/${created.body.id}/steps/health-check/decision`, {
      baseUrl: api.url,
      token: staff.health.token,
      body: { outcome: 'APPROVE' },
      key: randomUUID(),
    });
    expect(decided.status).toBe(200);

    // The decision's request span, and once the batch processors have sent them, the spans of its trace.
    const route = 'POST /v1/crossings/:id/steps/:step/decision';
    const expected = [
      'StartWorkflowUpdate:decide.v1',
      'HandleUpdate:decide.v1',
      'StartActivity:settleCrossing',
      'RunActivity:settleCrossing',
    ];
    const deadline = Date.now() + 20_000;
    let trace: ReceivedSpan[] = [];
    for (;;) {
      const request = receiver.spans.find((s) => s.name === route && s.attributes['http.response.status_code'] === 200);
      trace = request ? receiver.spans.filter((s) => s.traceId === request.traceId) : [];
      if (expected.every((name) => trace.some((s) => s.name === name)) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const names = trace.map((s) => `${s.service} ${s.name}`);
    expect(names).toEqual(
      expect.arrayContaining([
        `clearance-api ${route}`,
        'clearance-api StartWorkflowUpdate:decide.v1',
        'clearance-worker HandleUpdate:decide.v1',
        'clearance-worker StartActivity:settleCrossing',
        'clearance-worker RunActivity:settleCrossing',
      ]),
    );
    // One tree: the request span is its root, and every other span's parent is a span of the same trace.
    const ids = new Set(trace.map((s) => s.spanId));
    const roots = trace.filter((s) => !s.parentSpanId);
    expect(roots.map((s) => s.name)).toEqual([route]);
    expect(trace.filter((s) => s.parentSpanId && !ids.has(s.parentSpanId))).toEqual([]);
    expect(trace.find((s) => s.name === 'RunActivity:settleCrossing')!.attributes.temporalWorkflowId).toBe(`crossing-${created.body.id}`);

    // Nothing the company declared, nor who it is, in anything the exporters sent.
    const sent = receiver.bodies.join('\n');
    for (const secret of [
      declared.vehicle.plate,
      declared.driver.fullName,
      declared.driver.idNumber,
      declared.driver.phone,
      company.companyTaxCode!,
      company.username,
    ]) {
      expect(sent).not.toContain(secret);
    }
  }, 90_000);
});
