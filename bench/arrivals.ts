import type { client, Timed } from './http';

type Call = ReturnType<typeof client>;

/**
 * Arrivals on a fixed schedule (an open loop): the i-th is due at the start plus i / rate seconds, and is sent then
 * whatever is still in flight, as trucks reach a gate whether or not the officers have finished the ones before. A
 * closed loop (a fixed number in flight, the next sent when one ends) slows down with the system and so hides the
 * queueing a slow answer causes (coordinated omission); here a slow system shows as a growing number in flight and as
 * latency counted from when each call was due.
 *
 * `fire` is called for each arrival once it is due and must not reject (it records its own failures); `run` resolves
 * when the last one fired has finished.
 */
export class OpenLoop {
  private readonly running = new Set<Promise<void>>();
  /** How many arrivals were in flight at each whole second since the start. */
  readonly inFlightEachSecond: number[] = [];

  get inFlight(): number {
    return this.running.size;
  }

  async run(
    rate: number,
    seconds: number,
    fire: (i: number, dueAt: number) => Promise<void>,
  ): Promise<{ sent: number; sendSeconds: number; seconds: number }> {
    const total = Math.max(1, Math.round(rate * seconds));
    const start = performance.now();
    const dueAt = (i: number) => start + (i / rate) * 1000;
    const sampler = setInterval(() => this.inFlightEachSecond.push(this.running.size), 1000);
    let next = 0;
    await new Promise<void>((allSent) => {
      // Every arrival already due is sent at each tick, so a timer that fires late sends the ones it owes at once
      // (each then counts from when it was due, not from when it went).
      const tick = () => {
        while (next < total && dueAt(next) <= performance.now()) {
          const i = next++;
          const task: Promise<void> = fire(i, dueAt(i)).finally(() => this.running.delete(task));
          this.running.add(task);
        }
        if (next >= total) return allSent();
        setTimeout(tick, Math.max(0, dueAt(next) - performance.now()));
      };
      tick();
    });
    const sendSeconds = (performance.now() - start) / 1000;
    while (this.running.size) await Promise.all(this.running);
    clearInterval(sampler);
    return { sent: total, sendSeconds, seconds: (performance.now() - start) / 1000 };
  }
}

/**
 * A client whose answers carry `sinceDueMs`: the first call was due at `dueAt` (its arrival's place in the schedule),
 * each later one as soon as the call before it answered (a crossing's next step follows its previous one at once).
 */
export function dueFrom(call: Call, dueAt: number): Call {
  let due = dueAt;
  return async function dueCall<T = any>(...args: Parameters<Call>): Promise<Timed<T>> {
    const res = await call<T>(...args);
    const now = performance.now();
    res.sinceDueMs = now - due;
    due = now;
    return res;
  };
}
