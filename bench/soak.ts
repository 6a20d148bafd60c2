import type { LaunchedSystem } from '../infra/launch-system';
import type { Mix, People } from './crossing-driver';
import { openLoop } from './open-loop';
import { residentMb } from './proc';
import { Recorder, summary } from './recorder';

/** The minute from which the RSS slope is fitted, in a soak of 10 minutes or more (issue 20: from minute 5 to 30). */
const SLOPE_FROM_MINUTE = 5;

export interface SoakOptions extends Mix {
  rate: number;
  minutes: number;
}

/** "30m", "3m", "90s", "1h": a soak's length in minutes. */
export function soakMinutes(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(s|m|h)$/.exec(text.trim());
  if (!m) throw new Error(`--soak takes a length like 30m, 90s or 1h, not "${text}"`);
  return (Number(m[1]) * { s: 1 / 60, m: 1, h: 60 }[m[2] as 's' | 'm' | 'h']);
}

/**
 * `--soak 30m`: the open loop at a steady rate for the whole length, and each minute the resident memory of every
 * process (proc.ts `residentMb`), that minute's decision and declaration latency, and its errors; at the end, the
 * least-squares slope of each process's RSS from minute 5 on (from the middle for a soak under 10 minutes), in MB per
 * minute, so a leak shows as a slope rather than as one high reading.
 */
export async function soak(system: LaunchedSystem, t: People, opts: SoakOptions) {
  const recorder = new Recorder();
  let minute = { decide: [] as number[], declare: [] as number[] };
  recorder.listen((kind, res) => {
    if (kind === 'decide' || kind === 'declare') minute[kind].push(res.ms);
  });
  const errorsSoFar = () => [...recorder.errors.values()].reduce((a, b) => a + b, 0);
  const minutes: { minute: number; rssMb: Record<string, number | null>; decision: object; declaration: object; errors: number }[] = [];
  let errorsBefore = 0;
  const sample = () => {
    const { decide, declare } = minute;
    minute = { decide: [], declare: [] };
    const errors = errorsSoFar() - errorsBefore;
    errorsBefore += errors;
    const d = summary(decide);
    const row = {
      minute: minutes.length + 1,
      rssMb: residentMb(system),
      decision: { count: d.count, p50: d.p50, p99: d.p99 },
      declaration: { count: declare.length, p50: summary(declare).p50, p99: summary(declare).p99 },
      errors,
    };
    minutes.push(row);
    console.log(
      `\nminute ${row.minute}: RSS MB ${JSON.stringify(row.rssMb)}; decision p50/p99 ${d.p50}/${d.p99} ms (${d.count}); errors ${errors}`,
    );
  };
  const timer = setInterval(sample, 60_000);
  const run = await openLoop(system, t, { ...opts, seconds: opts.minutes * 60 }, recorder, 'soak');
  clearInterval(timer);
  // The last minute (and the drain after the last start) ends with the run, not on the timer.
  sample();
  const from = minutes.length >= 2 * SLOPE_FROM_MINUTE ? SLOPE_FROM_MINUTE : Math.max(1, Math.floor(minutes.length / 2));
  const fitted = minutes.filter((m) => m.minute >= from);
  const names = Object.keys(minutes[0]?.rssMb ?? {});
  const slope = Object.fromEntries(
    names.map((name) => {
      const points = fitted.filter((m) => m.rssMb[name] !== null).map((m) => [m.minute, m.rssMb[name] as number] as const);
      return [name, points.length >= 2 ? Math.round(leastSquaresSlope(points) * 100) / 100 : null];
    }),
  );
  const { latencyMs, ...totals } = run;
  return { rate: opts.rate, minutes, rssSlopeMbPerMinute: { fromMinute: from, toMinute: fitted.at(-1)?.minute ?? null, ...slope }, totals, latencyMs };
}

/** The slope of the least-squares line through the points. */
function leastSquaresSlope(points: (readonly [number, number])[]): number {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const num = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const den = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return den ? num / den : 0;
}

export type SoakResult = Awaited<ReturnType<typeof soak>>;
