import http from 'node:http';
import type { LaunchedSystem } from '../infra/launch-system';
import { OpenLoop } from './arrivals';
import type { People } from './crossing-driver';
import { client } from './http';
import { summary } from './recorder';
import { cpuPerCrossing, cpuSnapshot } from './proc';
import { requestsBetween, requestsByOperation, temporalMetricsUrl } from './temporal-metrics';

/** How long the Temporal server takes to show a request in its metrics, with margin (seen: under 3 s). */
const SETTLE_MS = 5000;

/**
 * `--hold N --read-rate R --seconds S`: with N crossings open, `GET /v1/crossings/{id}` of a random one at R per second
 * on a fixed schedule (arrivals.ts), each by one of the run's accounts in turn (the declarant that owns them and every
 * gate role of Hữu Nghị: all can see them). The console polls exactly so. The route answers from the read model, so
 * the Temporal server should see no QueryWorkflow in the window: its own metrics count them (temporal-metrics.ts).
 */
export async function readLoad(system: LaunchedSystem, t: People, ids: string[], opts: { rate: number; seconds: number }) {
  if (!ids.length) throw new Error('no open crossing to read');
  const call = client(system.apiUrls ?? system.apiUrl);
  const get = keptAliveGet(system.apiUrls ?? [system.apiUrl]);
  const readers = Object.values(t);
  const metricsUrl = temporalMetricsUrl(system);
  const before = metricsUrl ? await requestsByOperation(metricsUrl) : undefined;
  const sent: number[] = [];
  const sinceDue: number[] = [];
  const errors = new Map<string, number>();
  const failed = (what: string) => errors.set(what, (errors.get(what) ?? 0) + 1);
  const loop = new OpenLoop();
  const cpuBefore = cpuSnapshot(system);
  const status = setInterval(() => process.stdout.write(`\rreads: ${sent.length} answered, ${loop.inFlight} in flight   `), 1000);
  const ran = await loop.run(opts.rate, opts.seconds, async (i, dueAt) => {
    const id = ids[Math.floor(Math.random() * ids.length)];
    try {
      const res = await get(`/v1/crossings/${id}`, readers[i % readers.length]);
      sent.push(res.ms);
      sinceDue.push(performance.now() - dueAt);
      if (res.status !== 200) failed(`GET ${res.status}`);
    } catch (err) {
      failed(`GET failed: ${(err as Error).message.slice(0, 80)}`);
    }
  });
  clearInterval(status);
  // Over the window and its drain, so the CPU is that of the reads answered (and of whatever else ran meanwhile).
  const cpuUsPerRead = cpuPerCrossing(cpuBefore, cpuSnapshot(system), Math.max(1, sent.length) / 1000);
  get.close();
  process.stdout.write('\n');
  // The server's counters reach its /metrics a moment after the request (a report interval): read them once settled.
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const after = metricsUrl ? await requestsByOperation(metricsUrl) : undefined;
  const temporalRequests = before && after ? requestsBetween(before, after) : null;
  // The count is trusted only if it sees a query: one read with ?consistent=true, after the window, must add one.
  await call('GET', `/v1/crossings/${ids[0]}?consistent=true`, { token: t.company });
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const calibration = after && metricsUrl ? (requestsBetween(after, await requestsByOperation(metricsUrl)).QueryWorkflow ?? 0) : null;
  return {
    open: ids.length,
    readers: readers.length,
    rate: opts.rate,
    seconds: opts.seconds,
    achievedRate: Math.round(((ran.sent > 1 ? ran.sent - 1 : 1) / ran.sendSeconds) * 10) / 10,
    latencyMs: summary(sent),
    sinceDueMs: summary(sinceDue),
    maxInFlight: Math.max(0, ...loop.inFlightEachSecond),
    errors: Object.fromEntries(errors),
    /** Microseconds of CPU per answered read, by process: what limits the rate one API process can carry. */
    cpuUsPerRead,
    /** QueryWorkflow requests the Temporal server served during the reads (null: its metrics were not found). */
    workflowQueries: temporalRequests ? (temporalRequests.QueryWorkflow ?? 0) : null,
    /** Every other request it served meanwhile, by operation (polls left out): the keepers' rounds, at most. */
    temporalRequests,
    /** QueryWorkflow requests counted for the one ?consistent=true read after the window (1: the count works). */
    calibrationQueries: calibration,
  };
}

/**
 * GETs over a bounded pool of kept-alive connections per API, as a console's browser or a load balancer would hold
 * them. (Global fetch opens a new connection for every call it cannot queue: at 1,000 reads a second that was tens of
 * thousands of sockets and a client stuck on them, not a measure of the API.) Calls beyond the pool wait in the client,
 * which the figures "from due" show.
 */
function keptAliveGet(baseUrls: string[]) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  let turn = 0;
  const get = (path: string, token: string) =>
    new Promise<{ status: number; ms: number }>((resolve, reject) => {
      const started = performance.now();
      const req = http.get(
        `${baseUrls[turn++ % baseUrls.length]}${path}`,
        { agent, headers: { authorization: `Bearer ${token}` } },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
          res.on('error', reject);
        },
      );
      req.setTimeout(30_000, () => req.destroy(new Error('no answer in 30 s')));
      req.on('error', reject);
    });
  return Object.assign(get, { close: () => agent.destroy() });
}
