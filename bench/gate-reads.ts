import { randomInt, randomUUID } from 'node:crypto';
import { plateRead, registerDevice, sendRead, type Device, type PlateRead } from '../sim/devices';
import { vietnameseLorry } from '../sim/plates';
import { percentile, type client } from './http';

type Call = ReturnType<typeof client>;

/** The goal the team measures gate-event answers against (reported, never asserted). */
export const GATE_EVENT_P99_GOAL_MS = 50;

const ENDED = new Set(['CLEARED', 'DENIED', 'EXPIRED', 'CANCELLED']);

/** What one read is, and how often: most are trucks in flight; some are the same truck again; a few strangers. */
type Kind = 'in-flight' | 'repeat' | 'resend' | 'unknown';
const MIX: [Kind, number][] = [
  ['in-flight', 0.55],
  ['repeat', 0.25], // the same plate at the same device within seconds: one arrival
  ['resend', 0.05], // a controller resending an event whose answer it lost: the first answer again
  ['unknown', 0.15], // a plate no crossing carries: held, on the guard's list
];

export interface GateEventStats {
  readsPerSecond: number;
  count: number;
  achievedPerSecond: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  goalP99Ms: number;
  p99UnderGoal: boolean;
  answers: Record<string, number>;
  sent: Record<Kind, number>;
  /** Latency by kind of read: a first read of a plate matches and may record an arrival; a resend is a look-up. */
  byKindMs: Partial<Record<Kind, { count: number; p50: number; p99: number }>>;
  errors: Record<string, number>;
}

/**
 * The read generator of `npm run bench --reads-per-second R`: while the closed loop drives its crossings, a barrier
 * controller at the entry barrier and a plate camera at the yard entry of the bench's gate send R signed reads a
 * second to `POST /v1/gate-events`, on a fixed schedule that does not wait for answers (devices do not slow down
 * because the API does), and the latency of every call is kept.
 *
 * The plates are those of crossings in flight: the generator watches the driver's calls (`track`) and learns each
 * crossing's plate when it is declared and forgets it when an answer shows the crossing ended. The driver declares
 * every truck with the tests' one fixture plate, and a read of a plate that several open crossings carry is never a
 * match; so `track` gives each declared truck a plate of its own (and keeps it on a resubmitted form), which is
 * what a gate sees and what makes the reads reach the matching, arrival and barrier rules.
 */
export class GateReads {
  private readonly plates = new Map<string, string>();
  private readonly used = new Set<string>();
  private readonly recent: { device: Device; plate: string }[] = [];
  private readonly sentReads: { device: Device; read: PlateRead }[] = [];
  private readonly latencies: number[] = [];
  private readonly latenciesByKind = new Map<Kind, number[]>();
  private readonly answers = new Map<string, number>();
  private readonly errors = new Map<string, number>();
  private readonly sent: Record<Kind, number> = { 'in-flight': 0, repeat: 0, resend: 0, unknown: 0 };
  private readonly pending = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private stoppedAt = 0;

  private constructor(
    private readonly call: Call,
    private readonly devices: Device[],
    private readonly rate: number,
  ) {}

  /** Registers the two devices of this run (codes of their own, so runs against one system never share a secret). */
  static async setUp(call: Call, adminToken: string, gate: string, rate: number): Promise<GateReads> {
    const gates = (await call('GET', '/v1/gates', { token: adminToken })).body as { code: string; yards: { code: string }[] }[];
    const yard = gates.find((g) => g.code === gate)?.yards[0]?.code;
    const run = randomUUID().slice(0, 6).toUpperCase();
    const barrier = await registerDevice(call, adminToken, { code: `BENCH-${run}-BARRIER-ENTRY`, gate, point: 'BARRIER_ENTRY' });
    const camera = await registerDevice(call, adminToken, { code: `BENCH-${run}-YARD-ENTRY`, gate, point: 'YARD_ENTRY', yard });
    return new GateReads(call, [barrier, camera], rate);
  }

  /** The driver's client, seen through: declared crossings get a plate of their own and are known while in flight. */
  track(call: Call): Call {
    return (async (method: string, path: string, opts: Parameters<Call>[2] = {}) => {
      const resubmitted = method === 'PUT' ? /^\/v1\/crossings\/([^/]+)\/declaration$/.exec(path)?.[1] : undefined;
      let plate: string | undefined;
      if (method === 'POST' && path === '/v1/crossings') plate = this.freshPlate();
      else if (resubmitted) plate = this.plates.get(resubmitted);
      const body = plate && opts.body ? withPlate(opts.body as Record<string, any>, plate) : opts.body;
      const res = await call(method, path, { ...opts, body });
      if (plate && method === 'POST' && res.status === 201) this.plates.set(res.body.id, plate);
      if (res.body?.id && ENDED.has(res.body.status)) this.plates.delete(res.body.id);
      return res;
    }) as Call;
  }

  start(): void {
    if (this.rate <= 0) return;
    this.startedAt = performance.now();
    let n = 0;
    const tick = () => {
      const p = this.fire().finally(() => this.pending.delete(p));
      this.pending.add(p);
      // A fixed schedule: the n-th read is due at n/R seconds, however long the earlier ones took.
      const due = this.startedAt + (++n * 1000) / this.rate;
      this.timer = setTimeout(tick, Math.max(0, due - performance.now()));
    };
    tick();
  }

  async stop(): Promise<GateEventStats> {
    clearTimeout(this.timer);
    this.stoppedAt = performance.now();
    await Promise.all([...this.pending]);
    const seconds = (this.stoppedAt - this.startedAt) / 1000;
    const ms = this.latencies;
    const p99 = Math.round(percentile(ms, 99));
    const byKind = MIX.map(([kind]) => [kind, this.latenciesByKind.get(kind) ?? []] as const).filter(([, v]) => v.length > 0);
    return {
      readsPerSecond: this.rate,
      count: ms.length,
      achievedPerSecond: seconds > 0 ? Math.round((ms.length / seconds) * 10) / 10 : 0,
      latencyMs: {
        p50: Math.round(percentile(ms, 50)),
        p95: Math.round(percentile(ms, 95)),
        p99,
        max: Math.round(ms.reduce((a, b) => Math.max(a, b), 0)),
      },
      goalP99Ms: GATE_EVENT_P99_GOAL_MS,
      p99UnderGoal: p99 < GATE_EVENT_P99_GOAL_MS,
      answers: Object.fromEntries(this.answers),
      sent: this.sent,
      byKindMs: Object.fromEntries(
        byKind.map(([kind, v]) => [kind, { count: v.length, p50: Math.round(percentile(v, 50)), p99: Math.round(percentile(v, 99)) }]),
      ),
      errors: Object.fromEntries(this.errors),
    };
  }

  private async fire(): Promise<void> {
    const { device, read, kind } = this.next();
    this.sent[kind]++;
    try {
      const res = await sendRead(this.call, device, read);
      this.latencies.push(res.ms);
      if (!this.latenciesByKind.has(kind)) this.latenciesByKind.set(kind, []);
      this.latenciesByKind.get(kind)!.push(res.ms);
      if (res.status === 200) this.answers.set(res.body.action, (this.answers.get(res.body.action) ?? 0) + 1);
      else this.count(`${res.status}`);
    } catch (err) {
      this.count(`failed: ${(err as Error).message.slice(0, 60)}`);
    }
  }

  private next(): { device: Device; read: PlateRead; kind: Kind } {
    let kind = pickKind();
    const inFlight = [...this.plates.values()];
    if ((kind === 'repeat' && this.recent.length === 0) || (kind === 'resend' && this.sentReads.length === 0)) kind = 'in-flight';
    if (kind === 'in-flight' && inFlight.length === 0) kind = 'unknown';

    if (kind === 'resend') {
      // The same event, byte for byte (a fresh `at` would be another body under the same eventId).
      const again = this.sentReads[randomInt(this.sentReads.length)];
      return { ...again, kind };
    }
    let device: Device;
    let plate: string;
    if (kind === 'repeat') ({ device, plate } = this.recent[randomInt(this.recent.length)]);
    else {
      device = this.devices[randomInt(this.devices.length)];
      plate = kind === 'unknown' ? this.freshPlate() : inFlight[randomInt(inFlight.length)];
    }
    const read = plateRead(plate, 0.9 + randomInt(10) / 100);
    if (kind !== 'unknown') this.remember(this.recent, { device, plate }, 10);
    this.remember(this.sentReads, { device, read }, 50);
    return { device, read, kind };
  }

  private remember<T>(list: T[], item: T, keep: number): void {
    list.push(item);
    if (list.length > keep) list.shift();
  }

  private freshPlate(): string {
    for (;;) {
      const plate = vietnameseLorry();
      if (!this.used.has(plate)) {
        this.used.add(plate);
        return plate;
      }
    }
  }

  private count(error: string): void {
    this.errors.set(error, (this.errors.get(error) ?? 0) + 1);
  }
}

function pickKind(): Kind {
  let r = Math.random();
  for (const [kind, share] of MIX) {
    if ((r -= share) < 0) return kind;
  }
  return 'in-flight';
}

function withPlate(declaration: Record<string, any>, plate: string): Record<string, any> {
  return { ...declaration, vehicle: { ...declaration.vehicle, plate } };
}
