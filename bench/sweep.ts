import type { LaunchedSystem } from '../infra/launch-system';
import { baseline } from './baseline';
import { closedLoop } from './closed-loop';
import type { Mix, People } from './crossing-driver';
import { openLoop } from './open-loop';
import { Recorder } from './recorder';

/** The shares of the saturating rate the sweep runs the open loop at. */
export const SWEEP_SHARES = [0.25, 0.5, 0.75, 0.9];

export interface SweepOptions extends Mix {
  /** Crossings of the closed loop that finds the saturating rate, and of the baseline. */
  probeCrossings: number;
  concurrency: number;
  /** How long each open-loop stage starts crossings. */
  stageSeconds: number;
}

/**
 * `--sweep`: the saturating rate is what the closed loop carries at `concurrency` in flight (as `npm run bench`
 * measures it); the open loop then runs at each share of it in turn, on the same system, each stage draining before
 * the next. Last, the bare engine (baseline.ts) at the closed loop's crossings, Updates and concurrency, for the
 * issue's two ratios: throughput (ours at saturation / the engine's) and CPU per crossing (ours / the engine's), the
 * latter both at saturation and at 50 %, where the latency targets are stated.
 */
export async function sweep(system: LaunchedSystem, t: People, opts: SweepOptions) {
  console.log(`finding the saturating rate: closed loop, ${opts.probeCrossings} crossings, ${opts.concurrency} in flight`);
  const probe = await closedLoop(system, t, { ...opts, crossings: opts.probeCrossings }, { withBaseline: false });
  const saturation = probe.crossingsPerSecond;
  const stages = [];
  for (const share of SWEEP_SHARES) {
    const rate = Math.round(saturation * share * 100) / 100;
    console.log(`open loop at ${share * 100} % of ${saturation}/s: ${rate} crossings/s for ${opts.stageSeconds} s`);
    stages.push({ share, ...(await openLoop(system, t, { ...opts, rate, seconds: opts.stageSeconds }, new Recorder(), `${share * 100} %`)) });
  }
  const base = await baseline(system, opts.probeCrossings, opts.concurrency, probe.updatesPerCrossing);
  const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  const half = stages.find((s) => s.share === 0.5)!;
  return {
    saturation: probe,
    stages,
    baseline: { perSecond: Math.round(base.perSecond * 100) / 100, cpuMsPerCrossing: base.cpuMsPerCrossing },
    throughputRatio: ratio(saturation, base.perSecond),
    cpuRatioAtSaturation: ratio(probe.cpuMsPerCrossing.total, base.cpuMsPerCrossing.total as number),
    cpuRatioAt50: ratio(half.cpuMsPerCrossing.total, base.cpuMsPerCrossing.total as number),
  };
}

export type SweepResult = Awaited<ReturnType<typeof sweep>>;
