import type { LaunchedSystem } from '../infra/launch-system';
import { dueFrom, OpenLoop } from './arrivals';
import { driveCrossing, type Mix, type People } from './crossing-driver';
import { client } from './http';
import { cpuPerCrossing, cpuSnapshot } from './proc';
import { latencyByKind, type Recorder } from './recorder';

export interface OpenLoopOptions extends Mix {
  /** New crossings started per second. */
  rate: number;
  /** For how long crossings are started; the run then waits for the last ones to end. */
  seconds: number;
}

/**
 * `--rate R --seconds S`: a new crossing every 1/R s on a fixed schedule (arrivals.ts), each driven through its
 * steps by the crossing driver as in the closed loop, however many are in flight. Every call's latency is kept from
 * its actual send and from when it was due (a declaration at its arrival's time, a later step when the step before
 * answered), so a client falling behind its schedule cannot hide queueing.
 *
 * `recorder` is the caller's, so the soak can listen to it minute by minute.
 */
export async function openLoop(system: LaunchedSystem, t: People, opts: OpenLoopOptions, recorder: Recorder, label = 'open loop') {
  const api = client(system.apiUrls ?? system.apiUrl);
  const loop = new OpenLoop();
  const cpuBefore = cpuSnapshot(system);
  let completed = 0;
  let failed = 0;
  const status = setInterval(
    () => process.stdout.write(`\r${label}: ${completed} cleared, ${failed} failed, ${loop.inFlight} in flight   `),
    1000,
  );
  const ran = await loop.run(opts.rate, opts.seconds, async (i, dueAt) => {
    try {
      await driveCrossing(dueFrom(api, dueAt), t, opts, i, recorder);
      completed++;
    } catch (err) {
      failed++;
      recorder.count(`crossing failed: ${(err as Error).message.slice(0, 80)}`);
    }
  });
  clearInterval(status);
  process.stdout.write('\n');
  const cpu = cpuPerCrossing(cpuBefore, cpuSnapshot(system), Math.max(1, completed));
  const round = (n: number, places = 2) => Math.round(n * 10 ** places) / 10 ** places;
  return {
    rate: opts.rate,
    seconds: opts.seconds,
    started: ran.sent,
    /** Crossings started per second: the gaps between the first start and the last (the rate asked, unless the client lags). */
    achievedRate: round(ran.sent > 1 ? (ran.sent - 1) / ran.sendSeconds : opts.rate),
    completed,
    failed,
    /** Crossings cleared per second, from the first start to the last end (the drain after the last start included). */
    completedPerSecond: round(completed / ran.seconds),
    totalSeconds: round(ran.seconds, 1),
    cpuMsPerCrossing: cpu,
    latencyMs: latencyByKind(recorder),
    inFlight: { max: Math.max(0, ...loop.inFlightEachSecond), eachSecond: loop.inFlightEachSecond },
    errors: Object.fromEntries(recorder.errors),
  };
}

export type OpenLoopResult = Awaited<ReturnType<typeof openLoop>>;
