import { randomInt, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { client, percentile, pool, type Timed } from '../bench/http';
import type { DeclarationInput } from '../domain/declaration';
import { gateLocalTime } from '../domain/local-time';
import { loadConfig } from '../infra/config';
import { RUBBER } from '../test/system/crossing-flow';
import { declaration } from '../test/system/fixtures';
import { createAccount, type Post } from '../test/system/gate-staff';
import { problem } from './devices';
import { chineseLorry, vietnameseLorry, vietnameseTrailer } from './plates';
import { findTarget, type Target } from './system';
import { DEFAULT_MODEL, Road, Traffic, type CorridorSegment, type HoldingAreaShape, type RoadEvent, type SimTruck } from './traffic-road';

/**
 * `npm run simulate:traffic`: trucks driving a gate's approach corridor with their drivers' phones on, through the
 * public API only, so that a person can watch the flow keeper see a jam form at the gate, the advisory turn to
 * HOLD_UPSTREAM, and the traffic police hold the trucks further out (in this terminal, and in the console's traffic
 * and driver pages of the same system). Every call is one a declarant, a driver's phone or a police officer would make.
 * The road and the trucks on it are sim/traffic-road.ts.
 */
const HELP = `npm run simulate:traffic -- [options]

Declares trucks at a gate as a declarant, issues each its driver link (POST /v1/crossings/{id}/driver-link), and
drives them along the gate's approach corridor (GET /v1/gates: corridor, order 1 furthest from the gate), each phone
sending its fixes in batches (POST /v1/crossings/{id}/positions with the driver's token, an Idempotency-Key per batch).
Trucks cruise at 40–60 km/h, crawl on the last segment (10 km/h at its start, 5 km/h at the gate line) and
queue behind the gate, which lets one through every --gate-every: the last segment turns SLOW, then CONGESTED, and the
advisory HOLD_UPSTREAM. As the traffic police it prints GET /v1/gates/{code}/traffic every --report-every (each
segment's status, trucks and mean speed; the advisory when it changes), issues a HOLD order for the segments upstream
(POST /v1/gates/{code}/traffic-orders) when the jam is seen (or at --order-after), and says how many drivers it
reached, where their SMS are, and one truck's driver page. Each truck reads its driver page (GET /v1/driver/crossing)
as the phone would; one told to HOLD before it has passed the holding area's turn-off pulls in there and waits.

  --gate CODE            the gate (default HUU_NGHI)
  --trucks N             trucks to declare and drive (default 30)
  --speed X              simulation time factor: X simulated seconds per real second (default 10). Positions carry
                         the real clock's time (the API takes points of the last 24 h, at most 5 min ahead) and the
                         speed the simulated truck drives at
  --duration D           stop after this long, real time (default 8m; also stops once every truck is through)
  --order-after D|jam    when the police issue the HOLD: after D real time (60s, 2m), or 'jam' (default) as soon as
                         the advisory is HOLD_UPSTREAM or the last segment CONGESTED; 'never' for no order
  --release-after D      withdraw the order this long after issuing it (DELETE …/traffic-orders/{id}), the held
                         trucks then go on (default: keep it to the end)
  --gate-every S         simulated seconds between two trucks let through the gate (default ${DEFAULT_MODEL.gateEverySec})
  --headway S            simulated seconds between two trucks joining the road at its far end (default ${DEFAULT_MODEL.headwaySec})
  --fix-every S          real seconds between two fixes of a phone (default 2)
  --batch-every S        real seconds between two batches a phone sends (default 10)
  --report-every S       real seconds between two looks at the gate's traffic (default 15, the worker's round)
  --quiet                no line per truck entering a segment
  --keep                 leave the trucks' crossings open and the order standing at the end (by default the police
                         withdraw the run's order and the declarant cancels its crossings, also on Ctrl-C, so that the
                         next run starts on an empty road: the flow counts a truck for 10 minutes after its last fix)
  --base-url URL         the system (default: the npm start of this checkout, http://127.0.0.1:3000 unless PORT was
                         set: its address from DATA_DIR/launcher.json; without one it starts a system of its own in
                         .data/sim and stops it at the end)
  --admin-password P     the first admin's password (default ADMIN_PASSWORD, else DATA_DIR/admin-password)
  --help                 this text

The flow is computed by the worker every TRAFFIC_FLOW_EVERY_MS (15 s by default) over each truck's latest fix of the
last 10 minutes: SLOW below 20 km/h, CONGESTED below 8 km/h or above the gate's densityPerKm (40 trucks/km).`;

const PASSWORD = 'amber lantern crosses the quiet bridge';
const DRIVERS = ['Nguyễn Văn Hùng', 'Trần Minh Tuấn', 'Lê Quang Hải', 'Phạm Đức Long', 'Hoàng Văn Nam', 'Vũ Thị Lan', 'Đặng Văn Thắng'];

type Call = ReturnType<typeof client>;

interface GateInfo {
  code: string;
  name: string;
  corridor: CorridorSegment[];
  holdingAreas: HoldingAreaShape[];
}

interface SegmentTraffic {
  code: string;
  name: string;
  order: number;
  trucks: number;
  meanSpeedKmh: number | null;
  status: 'FREE' | 'SLOW' | 'CONGESTED';
}

interface GateTraffic {
  at: string | null;
  segments: SegmentTraffic[];
  advisory: { level: 'NONE' | 'HOLD_UPSTREAM'; message: string; holdingArea: string | null; segments?: string[] };
  orders: { id: string; action: string }[];
}

/** A declared truck: its crossing, its phone (the driver link), and the fixes it has not sent yet. */
interface Truck {
  sim: SimTruck;
  label: string;
  plate: string;
  phone: string;
  crossingId: string;
  token: string;
  url: string;
  pending: {
    at: string;
    lat: number;
    lon: number;
    speedKmh: number;
    headingDeg?: number;
    accuracyM: number;
    expect: string | null;
    m: number;
  }[];
  /** Sending stops once the last fix past the gate has gone, or the crossing ended. */
  done: boolean;
  /** The fix past the gate (off the corridor) is taken: the flow stops counting the truck once it is sent. */
  leftRoad: boolean;
  sawOrder: boolean;
}

interface Options {
  gate: string;
  trucks: number;
  speed: number;
  durationMs: number;
  orderAfterMs: number | 'jam' | 'never';
  releaseAfterMs: number | null;
  gateEverySec: number;
  headwaySec: number;
  fixEveryS: number;
  batchEveryS: number;
  reportEveryS: number;
  quiet: boolean;
  keep: boolean;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      gate: { type: 'string', default: 'HUU_NGHI' },
      trucks: { type: 'string', default: '30' },
      speed: { type: 'string', default: '10' },
      duration: { type: 'string', default: '8m' },
      'order-after': { type: 'string', default: 'jam' },
      'release-after': { type: 'string' },
      'gate-every': { type: 'string', default: String(DEFAULT_MODEL.gateEverySec) },
      headway: { type: 'string', default: String(DEFAULT_MODEL.headwaySec) },
      'fix-every': { type: 'string', default: '2' },
      'batch-every': { type: 'string', default: '10' },
      'report-every': { type: 'string', default: '15' },
      quiet: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      'base-url': { type: 'string' },
      'admin-password': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const orderAfter = values['order-after'];
  const opts: Options = {
    gate: values.gate,
    trucks: positive(values.trucks, '--trucks', true),
    speed: positive(values.speed, '--speed'),
    durationMs: duration(values.duration, '--duration'),
    orderAfterMs: orderAfter === 'jam' || orderAfter === 'never' ? orderAfter : duration(orderAfter, '--order-after'),
    releaseAfterMs: values['release-after'] === undefined ? null : duration(values['release-after'], '--release-after'),
    gateEverySec: positive(values['gate-every'], '--gate-every'),
    headwaySec: positive(values.headway, '--headway'),
    fixEveryS: positive(values['fix-every'], '--fix-every'),
    batchEveryS: positive(values['batch-every'], '--batch-every'),
    reportEveryS: positive(values['report-every'], '--report-every'),
    quiet: values.quiet,
    keep: values.keep,
  };
  if (opts.batchEveryS < opts.fixEveryS) throw new Error('--batch-every must be at least --fix-every');
  // A batch holds at most 100 points (API.md); a phone holding more sends them over several batches.
  const target = await resolveTarget(values['base-url'], values['admin-password']);
  try {
    console.log(`traffic simulator: ${opts.gate}, ${opts.trucks} truck(s), ×${opts.speed} time, against ${target.origin}`);
    console.log(`  API and console: ${target.apiUrl}/`);
    const run = new Run(answering(client(target.apiUrl)), target, opts);
    // Stopped early, the run still ends as at the end of --duration: its crossings cancelled and its order withdrawn.
    const stop = () => run.stop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return await run.play();
  } finally {
    await target.release();
  }
}

/** --base-url with the admin's password from the flag, ADMIN_PASSWORD or this checkout's data folder; else findTarget. */
async function resolveTarget(baseUrl: string | undefined, adminPassword: string | undefined): Promise<Target> {
  if (!baseUrl) return findTarget({ adminPassword });
  const config = loadConfig();
  const file = path.join(config.dataDir, 'admin-password');
  const password = adminPassword ?? config.adminPassword ?? (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : undefined);
  if (!password) throw new Error(`--base-url needs --admin-password (or ADMIN_PASSWORD; ${file} does not exist)`);
  return findTarget({ apiUrl: baseUrl, adminPassword: password });
}

class Run {
  private admin = '';
  private company = '';
  private police = '';
  private gate!: GateInfo;
  private road!: Road;
  private traffic!: Traffic;
  private trucks: Truck[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly batchMs: number[] = [];
  private readonly answers = new Map<string, number>();
  private readonly surprises: string[] = [];
  private readonly seen = new Map<string, Set<string>>();
  private accepted = 0;
  private misplaced = 0;
  private lastAdvisory = '';
  private firstCongestedAt: number | null = null;
  private firstHoldUpstreamAt: number | null = null;
  private order: { id: string; issuedAt: number; recipients: number } | null = null;
  private orderWithdrawn = false;
  private started = 0;
  private stopping = false;

  constructor(
    private readonly call: Call,
    private readonly target: Target,
    private readonly opts: Options,
  ) {}

  stop(): void {
    if (!this.stopping) line('stopping: the trucks leave the road, the order is withdrawn, the crossings cancelled');
    this.stopping = true;
  }

  async play(): Promise<number> {
    await this.setUp();
    await this.roadBefore();
    await this.declare();
    this.started = Date.now();
    const { opts } = this;
    console.log(
      `\n  the gate lets one truck through every ${opts.gateEverySec} s, a truck joins ${this.road.segments[0].code} every ` +
        `${opts.headwaySec} s (simulated; ×${opts.speed}: every ${fmtS(opts.gateEverySec / opts.speed)} and ${fmtS(opts.headwaySec / opts.speed)} real)`,
    );
    console.log(`  each phone takes a fix every ${opts.fixEveryS} s and sends a batch every ${opts.batchEveryS} s (real time)\n`);
    console.log(`UTC+7     what`);

    let tick = 0;
    let nextReport = 0;
    let simulated = 0; // simulated seconds owed to the road: a factor below 1 moves it every few real seconds
    for (;;) {
      const elapsed = Date.now() - this.started;
      if (elapsed >= opts.durationMs || this.stopping) break;
      if (this.trucks.every((t) => t.done)) break;
      // One real second: the road moves `speed` simulated seconds, phones take their fixes and send their batches.
      simulated += opts.speed;
      const steps = Math.floor(simulated);
      simulated -= steps;
      this.print(this.traffic.step(steps));
      for (const truck of this.trucks) this.phone(truck, tick);
      if (tick >= nextReport) {
        nextReport = tick + opts.reportEveryS;
        this.track(this.look());
      }
      if (this.order && !this.orderWithdrawn && opts.releaseAfterMs !== null && Date.now() - this.order.issuedAt >= opts.releaseAfterMs) {
        this.track(this.withdraw());
      }
      if (!this.order && typeof opts.orderAfterMs === 'number' && elapsed >= opts.orderAfterMs) this.track(this.hold('at --order-after'));
      tick++;
      await sleep(Math.max(0, this.started + tick * 1000 - Date.now()));
    }
    // Every phone sends what it still holds, and one last look at the road.
    for (const truck of this.trucks) if (truck.pending.length) this.track(this.send(truck));
    await Promise.all([...this.inFlight]);
    await this.look();
    const code = this.summary();
    if (!this.opts.keep) {
      if (this.order?.id && !this.orderWithdrawn) await this.withdraw().catch((err: Error) => line(`‼ ${err.message}`));
      await this.cancelAll();
    }
    return code;
  }

  /** Trucks an earlier run (or real drivers) left on the road count in the flow until 10 minutes after their last fix. */
  private async roadBefore(): Promise<void> {
    const res = await this.call('GET', `/v1/gates/${this.gate.code}/traffic`, { token: this.police });
    const trucks = res.status === 200 ? (res.body as GateTraffic).segments.reduce((n, s) => n + s.trucks, 0) : 0;
    const orders = res.status === 200 ? (res.body as GateTraffic).orders : [];
    for (const o of orders) {
      console.log(`  ‼ a ${o.action} order stands at the gate (${o.id}): trucks on its segments will obey it from the start`);
    }
    if (trucks) {
      console.log(
        `  ‼ the flow already counts ${trucks} truck(s) on the road (an earlier run's with --keep, or stopped early?); they count` +
          ' until 10 minutes after their last fix, and the jam below is partly theirs',
      );
    }
  }

  /** The run is over: the declarant cancels its trucks' crossings, so they leave the road's count and the queue. */
  private async cancelAll(): Promise<void> {
    let cancelled = 0;
    await pool(this.trucks.length, 4, async (i) => {
      const res = await this.call('POST', `/v1/crossings/${this.trucks[i].crossingId}/cancel`, {
        token: this.company,
        body: { reason: 'Traffic simulation over' },
        key: randomUUID(),
      });
      if (res.status === 200) cancelled++;
    });
    console.log(`  cancelled ${cancelled} of the run's ${this.trucks.length} crossings as the declarant (--keep leaves them open)`);
  }

  private track(p: Promise<void>): void {
    const tracked = p
      .catch((err: unknown) => {
        this.surprise(`${(err as Error).message}`);
      })
      .finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  // ---- set-up --------------------------------------------------------------------------------------------------------

  private async setUp(): Promise<void> {
    const login = await this.call('POST', '/v1/auth/login', {
      body: { username: this.target.adminUsername, password: this.target.adminPassword },
    });
    if (login.status !== 200) throw new Error(`admin login failed: ${login.status} (is the admin password right?)`);
    this.admin = login.body.token;
    const gates = (await this.must('GET', '/v1/gates', this.admin, undefined, 'GET /v1/gates')).body as GateInfo[];
    const gate = gates.find((g) => g.code === this.opts.gate);
    if (!gate) throw new Error(`no gate ${this.opts.gate}; the gates are ${gates.map((g) => g.code).join(', ')}`);
    this.gate = gate;
    this.road = new Road(gate.corridor, gate.holdingAreas);
    this.traffic = new Traffic(
      this.road,
      { ...DEFAULT_MODEL, gateEverySec: this.opts.gateEverySec, headwaySec: this.opts.headwaySec },
      this.opts.trucks,
    );
    const km = (m: number) => `${(m / 1000).toFixed(1)} km`;
    console.log(`  corridor (GET /v1/gates), far end first, ${km(this.road.lengthM)} to the gate:`);
    for (const s of this.road.segments)
      console.log(`    ${s.code.padEnd(8)} ${s.name} (${km(s.toM - s.fromM)}, km ${km(s.fromM)}–${km(s.toM)})`);
    const holding = this.road.holdingArea;
    console.log(
      holding ? `    holding area ${holding.code}: ${holding.name}, turn-off at km ${km(this.road.turnOffM ?? 0)}` : '    no holding area',
    );

    const post: Post = (p, body, token) => this.call('POST', p, { body, token });
    const suffix = randomUUID().slice(0, 6);
    const make = async (role: 'DECLARANT' | 'TRAFFIC_POLICE', extra: { companyTaxCode?: string } = {}) => {
      const username = `sim-${role.toLowerCase().replace(/_/g, '-')}-${suffix}`;
      return {
        username,
        token: (await createAccount(post, this.admin, { username, password: PASSWORD, role, gates: [gate.code], ...extra })).token,
      };
    };
    const company = await make('DECLARANT', { companyTaxCode: '0101234567' });
    const police = await make('TRAFFIC_POLICE');
    this.company = company.token;
    this.police = police.token;
    console.log(`  accounts: declarant ${company.username}, traffic police ${police.username} (password "${PASSWORD}")`);
  }

  private async declare(): Promise<void> {
    const started = performance.now();
    const made: (Truck | undefined)[] = [];
    await pool(this.opts.trucks, 4, async (i) => {
      const { body, plate, phone } = truckDeclaration(this.gate.code, i);
      const crossing = await this.must('POST', '/v1/crossings', this.company, body, `declaring #${i + 1}`);
      const link = await this.must(
        'POST',
        `/v1/crossings/${crossing.body.id}/driver-link`,
        this.company,
        undefined,
        `driver link of #${i + 1}`,
      );
      made[i] = {
        sim: this.traffic.trucks[i],
        label: `#${String(i + 1).padStart(2, '0')}`,
        plate,
        phone,
        crossingId: crossing.body.id,
        token: link.body.token,
        url: link.body.url,
        pending: [],
        done: false,
        leftRoad: false,
        sawOrder: false,
      };
    });
    this.trucks = made.filter((t): t is Truck => !!t);
    const first = this.trucks[0];
    console.log(`  declared ${this.trucks.length} trucks and issued their driver links in ${fmtS((performance.now() - started) / 1000)}`);
    console.log(`  driver page of ${first.label} ${first.plate}: ${first.url}`);
  }

  // ---- the phones ----------------------------------------------------------------------------------------------------

  /** One real second of a truck's phone: a fix every fix-every seconds, a batch every batch-every, its page read. */
  private phone(truck: Truck, tick: number): void {
    if (truck.done) return;
    const { sim } = truck;
    const phase = sim.index % this.opts.batchEveryS;
    const through = sim.state === 'through' && !truck.leftRoad;
    // Past the gate the phone sends at once where it is now, so that the flow stops counting it on the last segment.
    if (through || (sim.state !== 'not yet' && sim.state !== 'through' && (tick + phase) % this.opts.fixEveryS === 0)) {
      const fix = this.traffic.fix(sim);
      const expect = sim.state === 'driving' ? (this.road.segmentAt(sim.m)?.code ?? null) : null;
      if (fix) truck.pending.push({ at: new Date().toISOString(), ...fix, accuracyM: 5 + randomInt(10), expect, m: sim.m });
      if (through) truck.leftRoad = true;
    }
    if (truck.pending.length && ((tick + phase) % this.opts.batchEveryS === 0 || through)) this.track(this.send(truck));
    // The driver's page polls the crossing (orders, advisory) as the console's does; read at the batch's rhythm.
    if ((sim.state === 'driving' || sim.state === 'holding') && (tick + phase) % this.opts.batchEveryS === 1)
      this.track(this.readPage(truck));
  }

  private async send(truck: Truck): Promise<void> {
    const points = truck.pending.splice(0, 100);
    const last = points[points.length - 1];
    if (truck.leftRoad && !truck.pending.length) truck.done = true;
    const body = { positions: points.map(({ expect: _e, m: _m, ...p }) => p) };
    const key = randomUUID();
    const path = `/v1/crossings/${truck.crossingId}/positions`;
    let res: Timed;
    for (let attempt = 1; ; attempt++) {
      res = await this.call('POST', path, { token: truck.token, body, key });
      const again = res.status === 503 || (res.status === 409 && res.retryAfter !== undefined);
      if (!again || attempt >= 5) break;
      await sleep((res.retryAfter || 1) * 1000);
    }
    this.batchMs.push(res.ms);
    this.answers.set(String(res.status), (this.answers.get(String(res.status)) ?? 0) + 1);
    if (res.status !== 202) {
      if (res.status === 409) truck.done = true;
      this.surprise(`${truck.label} ${truck.plate}: positions answered ${res.status} ${problem(res)}`);
      return;
    }
    this.accepted += res.body.accepted;
    // The server places the batch's latest point; near a boundary either side is fair (the road is drawn, not surveyed).
    const nearBoundary = this.road.segments.some((s) => Math.abs(s.fromM - last.m) < 60 || Math.abs(s.toM - last.m) < 60);
    if (res.body.segment !== last.expect && !nearBoundary) {
      this.misplaced++;
      this.surprise(
        `${truck.label} ${truck.plate} at km ${(last.m / 1000).toFixed(2)}: placed on ${res.body.segment ?? 'no segment'}, drove on ${last.expect ?? 'none'}`,
      );
    }
  }

  private async readPage(truck: Truck): Promise<void> {
    const res = await this.call('GET', '/v1/driver/crossing', { token: truck.token });
    if (res.status !== 200) return this.surprise(`${truck.label}: GET /v1/driver/crossing answered ${res.status} ${problem(res)}`);
    const page = res.body as { orders: { action: string; holdingArea: string | null }[]; advisory: { level: string } };
    const held = page.orders.some((o) => o.action === 'HOLD');
    if (held && !truck.sawOrder) {
      const beforeTurnOff = this.road.turnOffM !== null && truck.sim.state === 'driving' && truck.sim.m < this.road.turnOffM;
      const where = this.road.segmentAt(truck.sim.m)?.code;
      line(
        `${truck.label} ${truck.plate} on ${where}: its driver page shows the HOLD${beforeTurnOff ? `; it will pull in at ${this.road.holdingArea!.name}` : '; already past the turn-off, it keeps going'}`,
      );
    }
    if (!held && truck.sawOrder && truck.sim.state === 'holding') {
      line(`${truck.label} ${truck.plate}: the HOLD is gone from its driver page; it leaves the holding area`);
      if (this.order?.id && !this.orderWithdrawn) {
        this.surprise(
          `${truck.label} ${truck.plate}: its driver page stopped showing the standing HOLD once it waited at the holding area the order names`,
        );
      }
    }
    truck.sawOrder = held;
    truck.sim.ordered = held;
  }

  // ---- the police ----------------------------------------------------------------------------------------------------

  private async look(): Promise<void> {
    const res = await this.call('GET', `/v1/gates/${this.gate.code}/traffic`, { token: this.police });
    if (res.status !== 200) return this.surprise(`GET /v1/gates/${this.gate.code}/traffic answered ${res.status} ${problem(res)}`);
    const t = res.body as GateTraffic;
    const cells = t.segments.map((s) => {
      this.seen.set(s.code, (this.seen.get(s.code) ?? new Set()).add(s.status));
      const speed = s.meanSpeedKmh === null ? '' : ` ${s.meanSpeedKmh.toFixed(0)} km/h`;
      return `${s.code} ${s.status} ${s.trucks}${speed}`.padEnd(26);
    });
    const flowAt = t.at ? gateLocalTime(t.at).slice(11, 19) : 'never';
    const ours = `road ${this.traffic.count('driving')}, held ${this.traffic.count('holding')}, through ${this.traffic.count('through')}`;
    line(`flow of ${flowAt}  ${cells.join(' ')} (sim: ${ours})`);
    const lastSegment = t.segments[t.segments.length - 1];
    if (lastSegment?.status === 'CONGESTED' && this.firstCongestedAt === null) this.firstCongestedAt = Date.now();
    const advisory = `${t.advisory.level}: ${t.advisory.message}`;
    if (advisory !== this.lastAdvisory) {
      line(`advisory ${advisory}`);
      this.lastAdvisory = advisory;
    }
    if (t.advisory.level === 'HOLD_UPSTREAM' && this.firstHoldUpstreamAt === null) this.firstHoldUpstreamAt = Date.now();
    const jam = t.advisory.level === 'HOLD_UPSTREAM' || lastSegment?.status === 'CONGESTED';
    if (jam && !this.order && this.opts.orderAfterMs === 'jam') await this.hold('the jam is seen', t.advisory.segments);
  }

  /** The police's HOLD for the segments upstream of the one at the gate, at the holding area. */
  private async hold(why: string, upstream?: string[]): Promise<void> {
    this.order = { id: '', issuedAt: Date.now(), recipients: 0 }; // taken at once: one order per run
    const segments = upstream?.length ? upstream : this.road.segments.slice(0, -1).map((s) => s.code);
    const holding = this.road.holdingArea;
    const validUntil = new Date(Date.now() + 3600_000).toISOString();
    const body = {
      action: 'HOLD',
      message: `Ùn tắc tại ${this.road.last.name}: xe chưa vào đoạn này dừng chờ${holding ? ` tại ${holding.name}` : ''}`,
      segments,
      ...(holding ? { holdingArea: holding.code } : {}),
      validUntil,
    };
    const res = await this.must('POST', `/v1/gates/${this.gate.code}/traffic-orders`, this.police, body, 'the HOLD order');
    this.order = { id: res.body.id, issuedAt: Date.now(), recipients: res.body.recipients };
    line(
      `HOLD issued by the traffic police (${why}), POST /v1/gates/${this.gate.code}/traffic-orders: ${res.body.recipients} driver(s) reached ` +
        `on ${segments.join(', ')}${holding ? `, to wait at ${holding.name}` : ''}, until ${gateLocalTime(validUntil).slice(11, 16)} (${Math.round(res.ms)} ms)`,
    );
    // Each of the order's SMS carries the message id `order:<id>:<crossing>` (api/routes/traffic.ts).
    const outbox = await this.call('GET', '/dev/notifications?limit=200', { token: this.admin });
    const ids = new Set(this.trucks.map((t) => t.crossingId));
    if (outbox.status === 200) {
      const sent = (
        outbox.body.messages as { messageId: string; event: string; crossingId: string | null; phone: string; body: string }[]
      ).filter((m) => m.event === 'TRAFFIC_ORDER' && m.messageId.startsWith(`order:${res.body.id}:`));
      const ours = sent.filter((m) => m.crossingId && ids.has(m.crossingId)).length;
      if (sent.length !== res.body.recipients)
        this.surprise(`the order reached ${res.body.recipients} drivers; the outbox holds ${sent.length} of its SMS`);
      line(
        `          their SMS: GET ${this.target.apiUrl}/dev/notifications?limit=50 as the admin (${sent.length} TRAFFIC_ORDER messages, ` +
          `${ours} to this run's drivers${sent.length > ours ? ', the others to trucks an earlier run left on the road' : ''})`,
      );
      if (sent[0]) line(`          e.g. to ${sent[0].phone}: "${sent[0].body}"`);
    } else {
      line(`          their SMS: GET /dev/notifications answered ${outbox.status} (development routes are off on this system)`);
    }
    const reached = this.trucks.find((t) => t.sim.state === 'driving' && segments.includes(this.road.segmentAt(t.sim.m)?.code ?? ''));
    if (reached)
      line(`          driver page of ${reached.label} ${reached.plate} (on ${this.road.segmentAt(reached.sim.m)?.code}): ${reached.url}`);
  }

  private async withdraw(): Promise<void> {
    this.orderWithdrawn = true;
    const res = await this.must(
      'DELETE',
      `/v1/gates/${this.gate.code}/traffic-orders/${this.order!.id}`,
      this.police,
      undefined,
      'withdrawing the HOLD',
    );
    line(`HOLD withdrawn by the traffic police (DELETE …/traffic-orders/${res.body.id}): the drivers it reached are told by SMS`);
  }

  // ---- output ----------------------------------------------------------------------------------------------------------

  private print(events: RoadEvent[]): void {
    for (const e of events) {
      const truck = this.trucks[e.truck.index];
      if (!truck) continue;
      const who = `${truck.label} ${truck.plate}`;
      if (e.kind === 'entered' && !this.opts.quiet) line(`${who} enters ${e.segment.code}`);
      if (e.kind === 'through') line(`${who} is let through the gate`);
      if (e.kind === 'pulled in') line(`${who} pulls in at ${this.road.holdingArea?.name} and waits`);
      if (e.kind === 'back on the road') line(`${who} back on the road from ${this.road.holdingArea?.name}`);
    }
  }

  private surprise(text: string): void {
    this.surprises.push(text);
    line(`‼ ${text}`);
  }

  private summary(): number {
    const seconds = Math.round((Date.now() - this.started) / 1000);
    const since = (t: number | null) => (t === null ? 'never' : `after ${fmtS((t - this.started) / 1000)}`);
    const ms = this.batchMs;
    console.log(
      `\nSummary: ${this.gate.code}, ${this.trucks.length} trucks, ${Math.floor(seconds / 60)} min ${seconds % 60} s at ×${this.opts.speed}`,
    );
    console.log(
      `  positions   ${ms.length} batches, ${this.accepted} points accepted; answers ${[...this.answers].map(([s, n]) => `${s} × ${n}`).join(', ')}; ` +
        `p50 / p99 ${Math.round(percentile(ms, 50))} / ${Math.round(percentile(ms, 99))} ms`,
    );
    console.log(`  placement   ${this.misplaced} batch(es) placed on another segment than the truck drove (away from segment ends)`);
    console.log(`  statuses    ${[...this.seen].map(([code, s]) => `${code} ${[...s].join('/')}`).join('; ')}`);
    console.log(
      `  jam         last segment CONGESTED ${since(this.firstCongestedAt)}; advisory HOLD_UPSTREAM ${since(this.firstHoldUpstreamAt)}`,
    );
    console.log(
      `  order       ${this.order?.id ? `HOLD ${since(this.order.issuedAt)}, ${this.order.recipients} driver(s) reached${this.orderWithdrawn ? ', withdrawn' : ''}` : 'none issued'}`,
    );
    console.log(
      `  trucks      on the road ${this.traffic.count('driving')}, held ${this.traffic.count('holding')}, through the gate ${this.traffic.count('through')}, not started ${this.traffic.count('not yet')}`,
    );
    if (this.firstCongestedAt === null)
      this.surprise('the last segment never showed CONGESTED (is the worker computing the flow? see its log)');
    if (this.surprises.length) {
      console.log(`  surprises   ${this.surprises.length}:`);
      for (const s of this.surprises.slice(0, 20)) console.log(`    ‼ ${s}`);
    } else console.log('  surprises   none');
    return this.surprises.length ? 1 : 0;
  }

  /** A change or a read that must succeed, sent again with its key while the answer says to come again (API.md). */
  private async must(method: string, p: string, token: string, body: unknown, what: string): Promise<Timed> {
    const key = randomUUID();
    for (let attempt = 1; ; attempt++) {
      const res = await this.call(method, p, { token, body, key: method === 'GET' ? undefined : key });
      const again = res.status === 503 || (res.status === 409 && res.retryAfter !== undefined);
      if (again && attempt < 10) {
        await sleep((res.retryAfter || 1) * 1000);
        continue;
      }
      if (res.status >= 400) throw new Error(`${what}: ${res.status} ${problem(res) || JSON.stringify(res.body)}`);
      return res;
    }
  }
}

/** The client, with a call that got no answer (the system stopped, a connection refused) as status 0 and its reason. */
function answering(call: Call): Call {
  return (async (method: string, p: string, opts?: Parameters<Call>[2]) => {
    const started = performance.now();
    try {
      return await call(method, p, opts);
    } catch (err) {
      const reason = (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message;
      return { status: 0, body: { detail: `no answer from ${method} ${p}: ${reason}` }, ms: performance.now() - started };
    }
  }) as Call;
}

/** One truck's declaration: a plate and a phone of its own, every seventh a Chinese truck with a Chinese driver. */
function truckDeclaration(gate: string, i: number): { body: DeclarationInput; plate: string; phone: string } {
  const chinese = i % 7 === 6;
  const plate = chinese ? chineseLorry() : vietnameseLorry();
  const phone = chinese ? `+86138${digits(8)}` : `+8491${digits(7)}`;
  const body = declaration({
    gate,
    direction: chinese ? 'IMPORT' : 'EXPORT',
    customsDeclarationNo: `${chinese ? '10' : '30'}${digits(10)}`,
    vehicle: {
      plate,
      trailerPlate: chinese ? null : vietnameseTrailer(),
      country: chinese ? 'CN' : 'VN',
      grossWeightKg: 30000 + randomInt(8000),
    },
    driver: chinese
      ? { fullName: 'Li Wei', idNumber: `E${digits(8)}`, nationality: 'CN', phone }
      : { fullName: DRIVERS[i % DRIVERS.length], idNumber: `020${digits(9)}`, nationality: 'VN', phone },
    health: { temperatureC: 36.6, symptoms: [], declaredAt: new Date().toISOString() },
    goods: i % 2 ? [RUBBER] : declaration().goods,
  });
  return { body, plate, phone };
}

function digits(n: number): string {
  return Array.from({ length: n }, () => String(randomInt(10))).join('');
}

function line(text: string): void {
  console.log(`${gateLocalTime(new Date()).slice(11, 19)}  ${text}`);
}

function fmtS(s: number): string {
  return s >= 90 ? `${Math.floor(s / 60)} min ${Math.round(s % 60)} s` : `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
}

function positive(text: string, flag: string, whole = false): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || (whole && !Number.isInteger(n)))
    throw new Error(`${flag} must be a ${whole ? 'whole ' : ''}number above 0`);
  return n;
}

/** `90s`, `2m`, `1h`, `500ms`, or plain seconds. */
function duration(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new Error(`${flag} must be a duration such as 90s, 2m or 1h`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
