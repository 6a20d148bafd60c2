import { createHash, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { launchSystem, ROOT, stopProcess } from '../infra/launch-system';
import { initORM } from '../infra/db/orm';
import { FLOW_WINDOW_MS } from '../domain/tracking';
import { freshPlate } from '../sim/plates';
import { Road, type CorridorSegment, type HoldingAreaShape } from '../sim/traffic-road';
import { RUBBER } from '../test/system/crossing-flow';
import { declaration } from '../test/system/fixtures';
import { computeGateFlow } from '../worker/traffic-keeper';
import { accounts, driveCrossing, type Mix } from './crossing-driver';
import { client, percentile, retrying } from './http';
import { cpuSnapshot, machineCpuSeconds, memoryMb } from './proc';
import { progress, Recorder } from './recorder';

/**
 * `npm run bench:traffic`: drivers' phones at a busy gate. Two figures (reported, never asserted):
 *
 * 1. **Position ingestion.** T trucks are declared at Hữu Nghị through the API (real crossings, real workflows), each
 *    given its driver link. Then, on a fixed schedule that does not wait for answers (phones do not slow down because
 *    the API does: an open loop), R batches a second of B points go to `POST /v1/crossings/{id}/positions` with the
 *    trucks' tokens, round-robin over the trucks: at the defaults 100 batches of 10, 1,000 positions a second, each of
 *    5,000 trucks sending a batch every 50 s of a fix every 5 s. Each truck sits somewhere on the corridor (or, one in
 *    five, on the road before it, placed on no segment) and moves on at its own speed from batch to batch. Meanwhile
 *    the closed loop of `npm run bench` keeps C crossings in flight (bench/crossing-driver.ts), as bench/gate-reads.ts
 *    runs beside it: the batches share the API, the worker and PostgreSQL with the crossings' decisions.
 * 2. **Flow recomputation.** With every truck's latest fix in the last 10 minutes, `computeGateFlow`
 *    (worker/traffic-keeper.ts, the worker's round for one gate) is timed in this process against the system's
 *    database: during the ingestion every 5 s, then quiet, N times in a row; its aggregate statement alone, and its
 *    plan (`EXPLAIN (ANALYZE, BUFFERS)`).
 *
 * Declaring 5,000 trucks through the API takes many minutes on this machine (4–15 a second, as the other engineers' suites
 * share it). A budget (--declare-for) stops declaring, and the rest up to T are written with SQL, as `npm run
 * bench:stats` writes its crossings: copies of a declared crossing's row (the read model the positions route reads),
 * each with a driver link of a token made here, and no workflow behind it. Their phones post through the API like the
 * others; only their first entry into the corridor is marked delivered beforehand, since no workflow would take it.
 * Both counts are reported. Before the measured window every truck sends one batch (a warm-up round at the same rate),
 * so that the flow counts all of them and the one-off APPROACHING signals of declared trucks are behind.
 */
const HELP = `npm run bench:traffic -- [options]
  --trucks T            trucks declared, each with a driver link (default 5000)
  --declare-for S       stop declaring through the API after S seconds (default 300); the rest up to T are written
                        with SQL (copies of a declared crossing, each with a driver link, no workflow)
  --declare-concurrency N  declarations in flight at once (default 16)
  --rate R              position batches per second, open loop (default 100)
  --batch B             points per batch (default 10)
  --seconds S           how long the batches are sent (default 90; at least T / R so that every truck sends one)
  --concurrency C       crossings the closed loop keeps in flight meanwhile (default 16; 0: none)
  --flow-rounds N       quiet computeGateFlow rounds timed after the ingestion (default 30)
  --drain-for S         after the warm-up, wait at most S s for the declared trucks' first entries into the corridor
                        (APPROACHING, a signal to each workflow) to reach their workflows (default 300)
Starts its own system in .data/bench-traffic (as npm start does); writes bench/results/traffic-<time>.json and .md.
CHILD_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the API and the worker.`;

const GATE = 'HUU_NGHI';
/** API.md's goals for this work (reported, never asserted). */
const BATCH_P99_GOAL_MS = 50;
const FLOW_GOAL_MS = 1000;
const POINT_EVERY_S = 5;

interface Options {
  trucks: number;
  declareForS: number;
  declareConcurrency: number;
  rate: number;
  batch: number;
  seconds: number;
  concurrency: number;
  flowRounds: number;
  drainForS: number;
}

/** A truck en route: its crossing, its phone's token, where it is on the road and how fast it goes. */
interface Phone {
  crossingId: string;
  token: string;
  /** Metres along the corridor; negative: on the road before it, on no segment. */
  m: number;
  speed: number;
  lastSentAt: number | null;
}

const ms = (v: number) => Math.round(v);
const summary = (values: number[]) => ({
  count: values.length,
  p50: ms(percentile(values, 50)),
  p95: ms(percentile(values, 95)),
  p99: ms(percentile(values, 99)),
  max: ms(values.reduce((a, b) => Math.max(a, b), 0)),
});
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      trucks: { type: 'string', default: '5000' },
      'declare-for': { type: 'string', default: '300' },
      'declare-concurrency': { type: 'string', default: '16' },
      rate: { type: 'string', default: '100' },
      batch: { type: 'string', default: '10' },
      seconds: { type: 'string', default: '90' },
      concurrency: { type: 'string', default: '16' },
      'flow-rounds': { type: 'string', default: '30' },
      'drain-for': { type: 'string', default: '300' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return void console.log(HELP);
  const opts: Options = {
    trucks: Number(values.trucks),
    declareForS: Number(values['declare-for']),
    declareConcurrency: Number(values['declare-concurrency']),
    rate: Number(values.rate),
    batch: Number(values.batch),
    seconds: Number(values.seconds),
    concurrency: Number(values.concurrency),
    flowRounds: Number(values['flow-rounds']),
    drainForS: Number(values['drain-for']),
  };
  const command =
    `npm run bench:traffic -- --trucks ${opts.trucks} --rate ${opts.rate} --batch ${opts.batch} --seconds ${opts.seconds} ` +
    `--concurrency ${opts.concurrency}`;

  const dataDir = path.join(ROOT, '.data', 'bench-traffic');
  fs.rmSync(dataDir, { recursive: true, force: true });
  console.log(`starting a fresh system in ${dataDir} (as npm start does) …`);
  const launched = await launchSystem({ dataDir, env: { LOG_LEVEL: 'warn' } });
  const { system } = launched;
  const services = await initORM(system.databaseUrl, { poolMax: 2 });
  const db = new pg.Pool({ connectionString: system.databaseUrl, max: 2 });
  const when = new Date().toISOString();
  try {
    const call = client(system.apiUrl);
    const people = await accounts(system);
    const gates = (await call('GET', '/v1/gates', { token: people.admin })).body as {
      code: string;
      corridor: CorridorSegment[];
      holdingAreas: HoldingAreaShape[];
    }[];
    const gate = gates.find((g) => g.code === GATE)!;
    const road = new Road(gate.corridor, gate.holdingAreas);

    // ---- declaring, each with its driver link -----------------------------------------------------------------------
    const phones: Phone[] = [];
    const declareMs: number[] = [];
    const linkMs: number[] = [];
    const errors = new Map<string, number>();
    const count = (e: string) => errors.set(e, (errors.get(e) ?? 0) + 1);
    const used = new Set<string>();
    const declaring = performance.now();
    const deadline = declaring + opts.declareForS * 1000;
    let next = 0;
    let retries = 0;
    await Promise.all(
      Array.from({ length: opts.declareConcurrency }, async () => {
        while (next < opts.trucks && performance.now() < deadline) {
          const i = next++;
          const plate = freshPlate(used);
          const body = declaration({
            goods: [RUBBER],
            vehicle: { plate, trailerPlate: null, country: 'VN', grossWeightKg: 32000 },
            driver: { fullName: 'Nguyen Van A', idNumber: '001090012345', nationality: 'VN', phone: `+8491${String(i).padStart(7, '0')}` },
          });
          const key = randomUUID();
          const made = await retrying(
            () => call('POST', '/v1/crossings', { token: people.company, body, key }),
            () => retries++,
          );
          declareMs.push(made.ms);
          if (made.status !== 201) {
            count(`declare ${made.status}`);
            continue;
          }
          const link = await retrying(
            () => call('POST', `/v1/crossings/${made.body.id}/driver-link`, { token: people.company, key: randomUUID() }),
            () => retries++,
          );
          linkMs.push(link.ms);
          if (link.status !== 201) {
            count(`driver-link ${link.status}`);
            continue;
          }
          // Four in five on the corridor, spread along it; the rest on the road before it (placed on no segment).
          const onCorridor = Math.random() < 0.8;
          phones.push({
            crossingId: made.body.id,
            token: link.body.token,
            m: onCorridor ? Math.random() * road.lengthM : -Math.random() * 5000,
            speed: (5 + Math.random() * 50) / 3.6,
            lastSentAt: null,
          });
          progress('declaring', phones.length, opts.trucks);
        }
      }),
    );
    process.stdout.write('\n');
    const declareSeconds = (performance.now() - declaring) / 1000;
    const declared = phones.length;
    console.log(
      `declared ${declared} trucks with driver links in ${declareSeconds.toFixed(0)} s (${(declared / declareSeconds).toFixed(1)}/s)`,
    );
    const written = await topUp(db, phones, opts.trucks - declared, road);
    if (written) console.log(`wrote ${written} more with SQL (copies of a declared crossing, each with a driver link)`);
    const rssAfterDeclaring = memoryMb(system.pids.worker);

    // ---- the closed loop and the phones, together ------------------------------------------------------------------
    const recorder = new Recorder();
    let stopLoop = false;
    let crossingsDone = 0;
    const mix: Mix = { priority: 0.2, transshipment: 0.1, quarantine: 0.3, returns: 0.1, online: 0.3 };
    const loopStarted = performance.now();
    let driven = 0;
    const loop = Promise.all(
      Array.from({ length: opts.concurrency }, async () => {
        while (!stopLoop) {
          try {
            await driveCrossing(call, people, mix, driven++, recorder);
            crossingsDone++;
          } catch (err) {
            recorder.count(`crossing failed: ${(err as Error).message.slice(0, 80)}`);
          }
        }
      }),
    );
    // The closed loop settles into its pace before the phones start.
    if (opts.concurrency > 0) await sleep(10_000);

    // The warm-up: one batch for every truck, at the same rate, not measured.
    const warmStatuses = new Map<number, number>();
    const warmStarted = performance.now();
    await Promise.all(
      phones.map(async (phone, i) => {
        const wait = warmStarted + (i * 1000) / opts.rate - performance.now();
        if (wait > 0) await sleep(wait);
        const res = await call('POST', `/v1/crossings/${phone.crossingId}/positions`, {
          token: phone.token,
          body: { positions: pointsOf(road, phone, opts.batch) },
          key: randomUUID(),
        }).catch(() => ({ status: 0 }));
        warmStatuses.set(res.status, (warmStatuses.get(res.status) ?? 0) + 1);
        if (i % opts.rate === 0) progress('warm-up  ', i + opts.rate, phones.length + opts.rate);
      }),
    );
    console.log(
      `warm-up: every truck sent one batch in ${((performance.now() - warmStarted) / 1000).toFixed(0)} s: ${JSON.stringify(Object.fromEntries(warmStatuses))}`,
    );

    // Each declared truck's first batch on the corridor signals its workflow (APPROACHING, once): thousands at once in
    // the warm-up, a few a minute on a real road. The measured window waits for them to reach their workflows.
    const draining = performance.now();
    const undelivered = async () =>
      (await db.query(`select count(*)::int as n from crossing_track where approached_at is not null and approach_delivered_at is null`))
        .rows[0].n as number;
    let left = await undelivered();
    const approachesAfterWarmUp = left;
    while (left > 0 && performance.now() - draining < opts.drainForS * 1000) {
      await sleep(1000);
      left = await undelivered();
      process.stdout.write(`\rapproaches not yet in their workflows: ${left}     `);
    }
    const drainSeconds = Math.round((performance.now() - draining) / 1000);
    console.log(`\n${approachesAfterWarmUp} approaches after the warm-up; ${left} left after ${drainSeconds} s`);

    const batchMs: number[] = [];
    const lateMs: number[] = [];
    const statuses = new Map<number, number>();
    const pending = new Set<Promise<void>>();
    const flowDuring: { ms: number; trucks: number; error?: string }[] = [];
    const cpuBefore = { ours: cpuSnapshot(system), machine: machineCpuSeconds() };
    const loopDoneBefore = crossingsDone;
    let sent = 0;
    const started = performance.now();
    const end = started + opts.seconds * 1000;
    const fire = (due: number) => {
      const phone = phones[sent % phones.length];
      sent++;
      const body = { positions: pointsOf(road, phone, opts.batch) };
      const late = performance.now() - due;
      const p: Promise<void> = call('POST', `/v1/crossings/${phone.crossingId}/positions`, { token: phone.token, body, key: randomUUID() })
        .then((res) => {
          batchMs.push(res.ms);
          lateMs.push(late + res.ms);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (res.status !== 202) count(`positions ${res.status}: ${String(res.body?.detail ?? '').slice(0, 80)}`);
        })
        .catch((err: Error) => {
          count(`positions failed: ${err.message.slice(0, 60)}`);
        })
        .finally(() => pending.delete(p));
      pending.add(p);
    };
    // The flow as the worker computes it, every 5 s while the batches arrive.
    const flowTimer = setInterval(() => void timeFlow(services).then((r) => flowDuring.push(r)), 5000);
    let n = 0;
    while (performance.now() < end) {
      const due = started + (n * 1000) / opts.rate;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      fire(due);
      n++;
      if (n % opts.rate === 0) progress('positions', Math.min(opts.seconds, Math.round(n / opts.rate)), opts.seconds);
    }
    const sendingSeconds = (performance.now() - started) / 1000;
    clearInterval(flowTimer);
    await Promise.all([...pending]);
    const cpuAfter = { ours: cpuSnapshot(system), machine: machineCpuSeconds() };
    const loopDone = crossingsDone - loopDoneBefore;
    stopLoop = true;
    await loop;
    const loopSeconds = (performance.now() - loopStarted) / 1000;

    // ---- the flow, quiet --------------------------------------------------------------------------------------------
    const flowQuiet: { ms: number; trucks: number; error?: string }[] = [];
    const countsMs: number[] = [];
    for (let i = 0; i < opts.flowRounds; i++) {
      flowQuiet.push(await timeFlow(services));
      const t0 = performance.now();
      await services.stores().traffic.segmentCounts(GATE, FLOW_WINDOW_MS);
      countsMs.push(performance.now() - t0);
    }
    const tracks = (
      await db.query(
        `select count(*)::int as all, count(*) filter (where last_at > now() - interval '10 minutes')::int as recent,
                count(*) filter (where last_at > now() - interval '10 minutes' and segment_code is not null)::int as on_segments
           from crossing_track where gate_code = $1`,
        [GATE],
      )
    ).rows[0];
    const points = (await db.query(`select count(*)::int as n from track_point where gate_code = $1`, [GATE])).rows[0].n;
    const plan = (
      await db.query(
        `explain (analyze, buffers)
         select t.segment_code, count(*)::int as trucks, avg(t.speed_kmh)::float8 as mean_speed
           from crossing_track t join crossing c on c.id = t.crossing_id
          where t.gate_code = $1 and t.last_at > now() - make_interval(secs => $2) and t.segment_code is not null
            and c.status in ('IN_PROGRESS', 'AWAITING_CORRECTION')
          group by t.segment_code`,
        [GATE, FLOW_WINDOW_MS / 1000],
      )
    ).rows.map((r) => r['QUERY PLAN'] as string);
    const flow = (await services.stores().traffic.flowOf(GATE))!;

    // CPU over the sending: this system's processes and the bench's client, against the whole machine's.
    const share = (cpu: number) => Math.round((cpu / sendingSeconds) * 100) / 100;
    const byProcess = Object.fromEntries(
      Object.entries(cpuAfter.ours).map(([k, v]) => [k, v === null || cpuBefore.ours[k] === null ? null : share(v - cpuBefore.ours[k]!)]),
    );
    const latency = Object.fromEntries([...recorder.latencies].map(([kind, v]) => [kind, summary(v)]));
    const batches = summary(batchMs);
    const result = {
      when,
      machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
      command,
      options: opts,
      declared: {
        trucks: phones.length,
        throughApi: declared,
        writtenWithSql: written,
        asked: opts.trucks,
        seconds: Math.round(declareSeconds),
        perSecond: Math.round((declared / declareSeconds) * 10) / 10,
        declareMs: summary(declareMs),
        driverLinkMs: summary(linkMs),
        retries,
      },
      warmUp: Object.fromEntries(warmStatuses),
      approaches: { afterWarmUp: approachesAfterWarmUp, leftWhenMeasuring: left, drainSeconds },
      positions: {
        batchesAsked: opts.rate * opts.seconds,
        batchesSent: sent,
        pointsPerBatch: opts.batch,
        achievedBatchesPerSecond: Math.round((batchMs.length / sendingSeconds) * 10) / 10,
        achievedPositionsPerSecond: Math.round(((statuses.get(202) ?? 0) * opts.batch) / sendingSeconds),
        statuses: Object.fromEntries(statuses),
        batchMs: batches,
        goalP99Ms: BATCH_P99_GOAL_MS,
        p99UnderGoal: batches.p99 < BATCH_P99_GOAL_MS,
        fromScheduleMs: summary(lateMs),
      },
      closedLoop: {
        inFlight: opts.concurrency,
        crossingsWhileSending: loopDone,
        perSecondWhileSending: Math.round((loopDone / sendingSeconds) * 100) / 100,
        crossingsInAll: crossingsDone,
        seconds: Math.round(loopSeconds),
        latencyMs: latency,
      },
      cpuCoresWhileSending: { machine: share(cpuAfter.machine - cpuBefore.machine), byProcess },
      flow: {
        tracks,
        pointsStored: points,
        duringSendingMs: summary(flowDuring.map((f) => f.ms)),
        quietMs: summary(flowQuiet.map((f) => f.ms)),
        segmentCountsQuietMs: summary(countsMs),
        goalMs: FLOW_GOAL_MS,
        underGoal: summary([...flowDuring, ...flowQuiet].map((f) => f.ms)).max < FLOW_GOAL_MS,
        trucksCounted: flowQuiet[flowQuiet.length - 1]?.trucks ?? null,
        errors: [...new Set([...flowDuring, ...flowQuiet].flatMap((f) => (f.error ? [f.error] : [])))],
        lastFlow: { at: flow?.at, segments: Object.fromEntries(flow?.segments ?? []), advisory: flow?.advisory.level },
        plan,
      },
      peakRssMb: {
        worker: memoryMb(system.pids.worker, 'VmHWM'),
        api: memoryMb(system.pids.api, 'VmHWM'),
        temporal: memoryMb(system.pids.temporal, 'VmHWM'),
      },
      workerRssAfterDeclaringMb: rssAfterDeclaring,
      errors: Object.fromEntries([...errors, ...recorder.errors]),
    };
    console.log(JSON.stringify(result, null, 2));
    const stamp = when.replace(/[:.]/g, '-');
    const dir = path.join(ROOT, 'bench', 'results');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `traffic-${stamp}.json`), JSON.stringify(result, null, 2));
    fs.writeFileSync(path.join(dir, `traffic-${stamp}.md`), toMarkdown(result));
  } finally {
    await db.end();
    await services.orm.close();
    await stopProcess(launched.process);
  }
}

/**
 * A batch of a phone's fixes, one every POINT_EVERY_S up to now (the API takes points of the last 24 h): the truck
 * moves on at its speed, and once past the gate starts again at the far end, as the next truck would.
 */
function pointsOf(road: Road, phone: Phone, n: number) {
  const now = Date.now();
  const moved = phone.lastSentAt === null ? 0 : ((now - phone.lastSentAt) / 1000) * phone.speed;
  phone.lastSentAt = now;
  phone.m += moved;
  if (phone.m > road.lengthM) phone.m -= road.lengthM + 5000;
  return Array.from({ length: n }, (_, k) => {
    const back = (n - 1 - k) * POINT_EVERY_S;
    const m = phone.m - back * phone.speed;
    // Before the corridor: the same line drawn on beyond its far end (about 1 m of latitude per 9e-6 degrees).
    const p = m >= 0 ? road.pointAt(m) : { ...road.pointAt(0), lat: road.pointAt(0).lat + m * 9e-6 };
    return {
      at: new Date(now - back * 1000).toISOString(),
      lat: Math.round(p.lat * 1e6) / 1e6,
      lon: Math.round(p.lon * 1e6) / 1e6,
      speedKmh: Math.round(phone.speed * 36) / 10,
      accuracyM: 8,
    };
  });
}

async function timeFlow(services: Awaited<ReturnType<typeof initORM>>): Promise<{ ms: number; trucks: number; error?: string }> {
  const [approach] = await services.stores().gates.approaches(GATE);
  const started = performance.now();
  try {
    const { segments } = await computeGateFlow(services, approach);
    return { ms: performance.now() - started, trucks: segments.reduce((s, x) => s + x.trucks, 0) };
  } catch (err) {
    return { ms: performance.now() - started, trucks: 0, error: (err as Error).message.slice(0, 200) };
  }
}

/**
 * Up to `n` more trucks written with SQL: copies of the first declared crossing's row (new id; the same view, which is
 * all the positions route reads of it), each with a driver link of a token made here and its first entry into the
 * corridor marked delivered (no workflow stands behind it to take the APPROACHING signal).
 */
async function topUp(db: pg.Pool, phones: Phone[], n: number, road: Road): Promise<number> {
  if (n <= 0 || !phones.length) return 0;
  const { rows: columns } = await db.query<{ column_name: string }>(
    `select column_name from information_schema.columns
      where table_schema = current_schema() and table_name = 'crossing' and is_generated = 'NEVER' and column_name <> 'id'
      order by ordinal_position`,
  );
  const list = columns.map((c) => `"${c.column_name}"`).join(', ');
  const tokens = Array.from({ length: n }, () => `drv_${randomBytes(24).toString('base64url')}`);
  const hashes = tokens.map((t) => createHash('sha256').update(t).digest('hex'));
  const client = await db.connect();
  try {
    await client.query('begin');
    const { rows } = await client.query<{ id: string }>(
      `insert into crossing (id, ${list}) select gen_random_uuid(), ${list} from crossing, generate_series(1, $2::int) where id = $1 returning id`,
      [phones[0].crossingId, n],
    );
    const ids = rows.map((r) => r.id);
    await client.query(
      `insert into driver_link (crossing_id, token_hash, issued_at)
       select id::uuid, hash, now() from jsonb_array_elements_text($1::jsonb) with ordinality a(id, k)
         join jsonb_array_elements_text($2::jsonb) with ordinality b(hash, j) on k = j`,
      [JSON.stringify(ids), JSON.stringify(hashes)],
    );
    const start = road.pointAt(0);
    await client.query(
      `insert into crossing_track (crossing_id, gate_code, last_at, lat, lon, speed_kmh, approached_at, approach_delivered_at)
       select id::uuid, $2, now() - interval '1 hour', $3, $4, 0, now() - interval '1 hour', now() - interval '1 hour'
         from jsonb_array_elements_text($1::jsonb) id`,
      [JSON.stringify(ids), GATE, start.lat, start.lon],
    );
    await client.query('commit');
    ids.forEach((crossingId, i) => {
      const onCorridor = Math.random() < 0.8;
      phones.push({
        crossingId,
        token: tokens[i],
        m: onCorridor ? Math.random() * road.lengthM : -Math.random() * 5000,
        speed: (5 + Math.random() * 50) / 3.6,
        lastSentAt: null,
      });
    });
    await client.query('analyze crossing; analyze crossing_track');
    return ids.length;
  } catch (err) {
    await client.query('rollback');
    throw err;
  } finally {
    client.release();
  }
}

function toMarkdown(r: Record<string, any>): string {
  const row = (name: string, s: { count: number; p50: number; p95: number; p99: number; max: number }) =>
    `| ${name} | ${s.count} | ${s.p50} | ${s.p95} | ${s.p99} | ${s.max} |`;
  const p = r.positions;
  const f = r.flow;
  return `# Tracking and traffic (${r.when})

\`${r.command}\`

${r.machine}. ${r.declared.trucks} trucks en route: ${r.declared.throughApi} declared through the API with driver links in ${r.declared.seconds} s (${r.declared.perSecond}/s; declaration p50 / p99 ${r.declared.declareMs.p50} / ${r.declared.declareMs.p99} ms, driver link ${r.declared.driverLinkMs.p50} / ${r.declared.driverLinkMs.p99} ms, ${r.declared.retries} retries), ${r.declared.writtenWithSql} written with SQL. Warm-up round (one batch per truck): ${JSON.stringify(r.warmUp)}; ${r.approaches.afterWarmUp} APPROACHING signals not yet delivered after it, ${r.approaches.leftWhenMeasuring} left when the measured window began (${r.approaches.drainSeconds} s later).

Positions: ${p.batchesSent} batches of ${p.pointsPerBatch} sent (${p.batchesAsked} asked), ${p.achievedBatchesPerSecond} batches/s, ${p.achievedPositionsPerSecond} positions/s accepted; answers ${JSON.stringify(p.statuses)}. Goal p99 < ${p.goalP99Ms} ms: **${p.p99UnderGoal ? 'met' : 'not met'}**.

| | count | p50 ms | p95 ms | p99 ms | max ms |
|---|---|---|---|---|---|
${row('`POST /v1/crossings/{id}/positions` (from sending)', p.batchMs)}
${row('the same, from its scheduled time', p.fromScheduleMs)}
${Object.entries(r.closedLoop.latencyMs as Record<string, any>)
  .map(([k, v]) => row(`closed loop: ${k}`, v))
  .join('\n')}

Closed loop: ${r.closedLoop.inFlight} in flight, ${r.closedLoop.crossingsWhileSending} crossings cleared while sending (${r.closedLoop.perSecondWhileSending}/s). CPU while sending, cores: machine ${r.cpuCoresWhileSending.machine}; ${JSON.stringify(r.cpuCoresWhileSending.byProcess)}.

Flow (\`computeGateFlow\`, ${f.trucksCounted} trucks counted on the segments; crossing_track ${JSON.stringify(f.tracks)}; ${f.pointsStored} points stored). Goal < ${f.goalMs} ms: **${f.underGoal ? 'met' : 'not met'}**.

| | count | p50 ms | p95 ms | p99 ms | max ms |
|---|---|---|---|---|---|
${row('computeGateFlow while the batches arrive', f.duringSendingMs)}
${row('computeGateFlow, quiet', f.quietMs)}
${row('its aggregate (segmentCounts) alone, quiet', f.segmentCountsQuietMs)}

Errors: ${JSON.stringify(r.errors)}${f.errors.length ? `; flow errors: ${JSON.stringify(f.errors)}` : ''}. Peak RSS (MB): ${JSON.stringify(r.peakRssMb)}.

\`\`\`
${f.plan.join('\n')}
\`\`\`
`;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
