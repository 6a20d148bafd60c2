import { percentile, type Timed } from './http';

export type Kind = 'declare' | 'decide' | 'resubmit' | 'transshipment' | 'pay-online' | 'list' | 'view';

/** Told of every call recorded: the soak keeps its own figures per minute with one. */
export type Listener = (kind: Kind, res: Timed) => void;

/**
 * What one benchmark run measured: the latency of each call by kind (from its actual send, and for calls sent on a
 * schedule also from when it was due), errors by kind and status, list visibility.
 */
export class Recorder {
  readonly latencies = new Map<Kind, number[]>();
  /** Calls sent on a schedule (the open loop): from when each was due, ms (http.ts `sinceDueMs`). */
  readonly sinceDue = new Map<Kind, number[]>();
  readonly errors = new Map<string, number>();
  /** From a decision's answer to the first list that shows the crossing at its next step, ms. */
  readonly visibility: number[] = [];
  private readonly listeners: Listener[] = [];

  record(kind: Kind, res: Timed): Timed {
    push(this.latencies, kind, res.ms);
    if (res.sinceDueMs !== undefined) push(this.sinceDue, kind, res.sinceDueMs);
    if (res.status >= 400) this.count(`${kind} ${res.status}`);
    for (const listen of this.listeners) listen(kind, res);
    return res;
  }

  count(error: string): void {
    this.errors.set(error, (this.errors.get(error) ?? 0) + 1);
  }

  listen(listener: Listener): void {
    this.listeners.push(listener);
  }
}

// Pushed in place: copying the array at every call (as this did) made a long open loop quadratic.
function push<K>(map: Map<K, number[]>, key: K, value: number): void {
  const values = map.get(key);
  if (values) values.push(value);
  else map.set(key, [value]);
}

export function progress(label: string, done: number, total: number): void {
  const width = 30;
  const filled = Math.round((done / total) * width);
  process.stdout.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
  if (done === total) process.stdout.write('\n');
}

export interface Summary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Count, percentiles and maximum of a list of latencies, rounded to the millisecond. */
export function summary(ms: number[]): Summary {
  const round = (p: number) => Math.round(percentile(ms, p));
  return { count: ms.length, p50: round(50), p95: round(95), p99: round(99), max: round(100) };
}

/** Each call kind's latency from its send, and (calls sent on a schedule) from when it was due. */
export function latencyByKind(recorder: Recorder): Record<string, Summary & { sinceDue?: Summary }> {
  return Object.fromEntries(
    [...recorder.latencies].map(([kind, ms]) => {
      const due = recorder.sinceDue.get(kind);
      return [kind, { ...summary(ms), ...(due ? { sinceDue: summary(due) } : {}) }];
    }),
  );
}
