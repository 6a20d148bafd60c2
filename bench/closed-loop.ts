import type { LaunchedSystem } from '../infra/launch-system';
import { baseline } from './baseline';
import { driveCrossing, type Mix, type People } from './crossing-driver';
import type { GateReads } from './gate-reads';
import { client, percentile, pool } from './http';
import { cpuPerCrossing, cpuSnapshot, memoryMb, scheduleToStart } from './proc';
import { latencyByKind, progress, Recorder } from './recorder';
import type { Subscribers } from './subscribers';

export interface ClosedLoopOptions extends Mix {
  crossings: number;
  concurrency: number;
}

/**
 * The closed loop (`npm run bench` without --rate): `concurrency` crossings in flight, the next started as soon as
 * one ends, so its crossings per second are what the system carries at that concurrency (the sweep takes them as the
 * saturating rate). With `withBaseline`, the bare engine then runs the same number of workflows, Updates and
 * concurrency on the same Temporal server (baseline.ts).
 */
export async function closedLoop(
  system: LaunchedSystem,
  t: People,
  opts: ClosedLoopOptions,
  extras: { reads?: GateReads; subscribers?: Subscribers; withBaseline: boolean },
) {
  const { reads, subscribers } = extras;
  const recorder = new Recorder();
  const api = client(system.apiUrls ?? system.apiUrl);
  const call = reads ? reads.track(api) : api;
  const s2sBefore = await scheduleToStart(system);
  const cpuBefore = cpuSnapshot(system);
  const started = performance.now();
  let done = 0;
  let updates = 0;
  reads?.start();
  await pool(opts.crossings, opts.concurrency, async (i) => {
    try {
      // Awaited first, then added: `updates += await …` reads `updates` before the await, so the crossings in
      // flight overwrote each other's counts (7 Updates a crossing came out as 0, and the baseline ran none).
      const n = await driveCrossing(call, t, opts, i, recorder);
      updates += n;
    } catch (err) {
      recorder.count(`crossing failed: ${(err as Error).message.slice(0, 80)}`);
    }
    progress('crossings', ++done, opts.crossings);
  });
  const seconds = (performance.now() - started) / 1000;
  const gateEvents = reads ? await reads.stop() : null;
  const webhooks = subscribers ? await subscribers.stop(client(system.apiUrl), t.company) : null;
  const cpuMsPerCrossing = cpuPerCrossing(cpuBefore, cpuSnapshot(system), opts.crossings);
  const ours = opts.crossings / seconds;
  const s2sAfter = await scheduleToStart(system);
  const updatesPerCrossing = Math.round(updates / opts.crossings);
  const base = extras.withBaseline ? await baseline(system, opts.crossings, opts.concurrency, updatesPerCrossing) : undefined;
  const stats = Object.fromEntries(
    Object.entries(latencyByKind(recorder)).map(([kind, { count, p50, p95, p99 }]) => [kind, { count, p50, p95, p99 }]),
  );
  return {
    options: opts,
    seconds: Math.round(seconds * 10) / 10,
    crossingsPerSecond: Math.round(ours * 100) / 100,
    baselinePerSecond: base ? Math.round(base.perSecond * 100) / 100 : null,
    ratioToBaseline: base ? Math.round((ours / base.perSecond) * 100) / 100 : null,
    cpuMsPerCrossing,
    baselineCpuMsPerCrossing: base?.cpuMsPerCrossing ?? null,
    updatesPerCrossing,
    latencyMs: stats,
    gateEvents,
    webhooks,
    decisionToListVisibleMs: {
      count: recorder.visibility.length,
      p50: Math.round(percentile(recorder.visibility, 50)),
      p95: Math.round(percentile(recorder.visibility, 95)),
      p99: Math.round(percentile(recorder.visibility, 99)),
    },
    errors: Object.fromEntries(recorder.errors),
    peakRssMb: {
      worker: memoryMb(system.pids?.worker, 'VmHWM'),
      api: memoryMb(system.pids?.api, 'VmHWM'),
      temporal: memoryMb(system.pids?.temporal, 'VmHWM'),
    },
    workflowTaskScheduleToStartMeanMs:
      s2sAfter.count > s2sBefore.count
        ? Math.round(((s2sAfter.sum - s2sBefore.sum) / (s2sAfter.count - s2sBefore.count)) * 10) / 10
        : null,
  };
}
