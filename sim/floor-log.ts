import type { Timed } from '../bench/http';
import { gateLocalTime } from '../domain/local-time';
import { problem, type Action, type Device, type GateEventAnswer, type PlateRead } from './devices';

/** API.md: reads of the same plate by the same device within 60 s are one arrival. */
const ARRIVAL_WINDOW_MS = 60_000;

/**
 * What a person watching the floor reads: one line per plate read (gate-local time, point, plate as read, confidence,
 * the barrier's answer and why) and one per thing a person did (an officer's decision, the guard linking a read),
 * and the tallies behind the summary. An answer other than what the simulator expected is marked `‼` on its line
 * and listed again at the end: the simulator reports what the gate did, it does not stop at the first difference.
 */
export class FloorLog {
  reads = 0;
  refused = 0;
  readonly answers: Record<Action, number> = { OPEN: 0, HOLD: 0, NONE: 0 };
  readonly surprises: string[] = [];
  /** Reads that should land on the guard's exception list, by eventId, with why. */
  readonly exceptions = new Map<string, string>();
  /** Of those, the ones the guard linked to their crossing by hand. */
  readonly linked = new Set<string>();
  /** Of those, the ones a later clean read of the same run matched, so that they left the list by themselves. */
  readonly resolved = new Set<string>();
  /** The first read of each arrival, by crossing and device: the arrivals the server should have recorded. */
  private readonly arrivals = new Map<string, Map<string, number[]>>();

  read(truck: string, device: Device, read: PlateRead, res: Timed<GateEventAnswer>, expect: readonly Action[], note = ''): void {
    this.reads++;
    const head = `${clock()}  ${truck.padEnd(3)} ${device.point.padEnd(13)}  ${plateColumn(read.plate)} ${read.confidence.toFixed(2)}`;
    if (res.status !== 200) {
      this.refused++;
      this.surprise(`${truck} ${device.point} ${read.plate}: ${res.status} ${problem(res)}`);
      return void console.log(`${head}  ${res.status}   ${problem(res)} ‼`);
    }
    const { action, reason } = res.body;
    this.answers[action] = (this.answers[action] ?? 0) + 1;
    const unexpected = !expect.includes(action);
    if (unexpected) this.surprise(`${truck} ${device.point} ${read.plate}: ${action} (${reason}), expected ${expect.join(' or ')}`);
    console.log(
      `${head}  ${action.padEnd(4)}  ${reason}${note ? `  ${note}` : ''}  (${Math.round(res.ms)} ms)${unexpected ? `  ‼ expected ${expect.join('/')}` : ''}`,
    );
  }

  /** Something a person did on the floor, or the simulator's own remark. */
  step(truck: string, plate: string, text: string): void {
    console.log(`${clock()}  ${truck.padEnd(3)} ${'·'.padEnd(13)}  ${plateColumn(plate)}       ${text}`);
  }

  surprise(text: string): void {
    this.surprises.push(text);
  }

  /** A read the gate should have counted for `crossingId` at `device` (matched at once, or linked by hand later). */
  arrival(device: Device, crossingId: string, at: string): void {
    const byDevice = this.arrivals.get(crossingId) ?? new Map<string, number[]>();
    const starts = byDevice.get(device.point) ?? [];
    const t = Date.parse(at);
    if (starts.length === 0 || t - starts[starts.length - 1] > ARRIVAL_WINDOW_MS) starts.push(t);
    byDevice.set(device.point, starts);
    this.arrivals.set(crossingId, byDevice);
  }

  /** The points of the arrivals a crossing should show, in the simulator's count (`BARRIER_ENTRY, YARD_ENTRY, …`). */
  expectedArrivals(crossingId: string): string[] {
    const byDevice = this.arrivals.get(crossingId) ?? new Map<string, number[]>();
    return [...byDevice].flatMap(([point, starts]) => starts.map(() => point)).sort();
  }
}

function clock(): string {
  return gateLocalTime(new Date()).slice(11, 19);
}

/** Han characters take two columns in a terminal: pad by width, not by length, so the columns stay straight. */
function plateColumn(plate: string): string {
  const width = [...plate].reduce((w, ch) => w + (/\p{Script=Han}/u.test(ch) ? 2 : 1), 0);
  return plate + ' '.repeat(Math.max(1, 12 - width));
}
