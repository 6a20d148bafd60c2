import type { Timed } from './http';

export type Kind = 'declare' | 'decide' | 'resubmit' | 'transshipment' | 'pay-online' | 'list' | 'view';

/** What one benchmark run measured: the latency of each call by kind, errors by kind and status, list visibility. */
export class Recorder {
  readonly latencies = new Map<Kind, number[]>();
  readonly errors = new Map<string, number>();
  /** From a decision's answer to the first list that shows the crossing at its next step, ms. */
  readonly visibility: number[] = [];

  record(kind: Kind, res: Timed): Timed {
    this.latencies.set(kind, [...(this.latencies.get(kind) ?? []), res.ms]);
    if (res.status >= 400) this.count(`${kind} ${res.status}`);
    return res;
  }

  count(error: string): void {
    this.errors.set(error, (this.errors.get(error) ?? 0) + 1);
  }
}

export function progress(label: string, done: number, total: number): void {
  const width = 30;
  const filled = Math.round((done / total) * width);
  process.stdout.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
  if (done === total) process.stdout.write('\n');
}
