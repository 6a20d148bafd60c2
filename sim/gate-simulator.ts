import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { client } from '../bench/http';
import type { Role } from '../domain/roles';
import { createAccount, gateStaff, type Post } from '../test/system/gate-staff';
import { POINTS, registerDevice, type Device, type Point } from './devices';
import { read, yardsNow, type Floor } from './floor';
import { FloorLog } from './floor-log';
import { findTarget } from './system';
import { truckPlan, type TruckPlan } from './truck-plans';
import { strangerStory, truckStory } from './truck-story';

/**
 * `npm run simulate:gate`: one gate's cameras and barrier controllers played through the public API for a stream of
 * trucks, so that a person can watch the gate floor work (in this terminal, and in the console of the same system).
 * Every call is one a real device, officer or declarant would make; nothing reaches around the API.
 */
const HELP = `npm run simulate:gate -- [options]

Plays one gate's plate cameras (yard entry, yard exit) and barrier controllers (entry, exit) for a stream of trucks,
through the public API, printing one line per read: time (gate-local), point, plate as read, confidence, the answer
(OPEN, HOLD, NONE) and its reason. It registers the four devices (or takes over those of an earlier run by rotating
their secrets), creates the officers and the declarant it needs, declares each truck and walks it through: held at
the entry barrier before the border guard admits it, open after; into the yard; a customs channel (green ones pass
inspection without an officer); the other decisions; out of the yard; held at the exit barrier until cleared, open
after. On the way: a plate read three times in two seconds (one arrival) and an event resent (the first answer), a 0
read as O at the entry barrier and an 8 read as B by the yard-exit camera (doubtful: on the guard's list, and the
barrier held; the simulator, acting as the border guard, links each by hand), a low-confidence read (on the list until
a clean read of the same plate matches it), and a truck no one declared (left on the list). It ends with a summary:
reads, arrivals (as the crossings show them, against its own count), holds, opens, exceptions, yard occupancy from
GET /v1/gates, and every answer that differed from what it expected (marked ‼ on its line too).

  --gate CODE           the gate (default HUU_NGHI)
  --trucks N            trucks to send (default 5: one of each kind); they overlap on the floor
  --interval-ms M       pause between two things happening to one truck (default 800)
  --api-url URL         a running system to use (with --admin-password, else ADMIN_PASSWORD)
  --admin-password P    the first admin's password of that system
  --help                this text

Which system: --api-url when given; else the npm start of this checkout when it runs (the API address from
DATA_DIR/launcher.json, default .data/, and the password from DATA_DIR/admin-password); else it starts a system
of its own in .data/sim as npm run bench does (free ports), prints where, and stops it at the end.
Secrets of the devices stay in memory; none is printed.`;

const PASSWORD = 'amber lantern crosses the quiet bridge';
const OPEN_STATUSES = new Set(['IN_PROGRESS', 'AWAITING_CORRECTION']);

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      gate: { type: 'string', default: 'HUU_NGHI' },
      trucks: { type: 'string', default: '5' },
      'interval-ms': { type: 'string', default: '800' },
      'api-url': { type: 'string' },
      'admin-password': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const gate = values.gate;
  const trucks = Number(values.trucks);
  const intervalMs = Number(values['interval-ms']);
  if (!Number.isInteger(trucks) || trucks < 1) throw new Error('--trucks must be a whole number, 1 or more');
  if (!Number.isFinite(intervalMs) || intervalMs < 0) throw new Error('--interval-ms must be a number of milliseconds');

  const target = await findTarget({ apiUrl: values['api-url'], adminPassword: values['admin-password'] });
  try {
    console.log(`gate simulator: ${gate}, ${trucks} truck(s), against ${target.origin}`);
    console.log(`  API and console: ${target.apiUrl}/`);
    const floor = await setUp(target, gate, intervalMs);
    return await run(floor, trucks);
  } finally {
    await target.release();
  }
}

/** The people and devices of one run. Accounts are new each run (a suffix); devices are the gate's own, reused. */
async function setUp(
  target: { apiUrl: string; adminUsername: string; adminPassword: string },
  gate: string,
  intervalMs: number,
): Promise<Floor> {
  const call = client(target.apiUrl);
  const login = await call('POST', '/v1/auth/login', { body: { username: target.adminUsername, password: target.adminPassword } });
  if (login.status !== 200) throw new Error(`admin login failed: ${login.status} (is the admin password right?)`);
  const admin = login.body.token as string;

  const gates = (await call('GET', '/v1/gates', { token: admin })).body as { code: string; yards: { code: string }[] }[];
  const here = gates.find((g) => g.code === gate);
  if (!here) throw new Error(`no gate ${gate}; the gates are ${gates.map((g) => g.code).join(', ')}`);
  const yard = here.yards[0]?.code;
  if (!yard) throw new Error(`gate ${gate} has no yard`);

  const post: Post = (path, body, token) => call('POST', path, { body, token });
  const suffix = randomUUID().slice(0, 6);
  const make = async (role: Role, extra: { companyTaxCode?: string } = {}) => {
    const username = `sim-${role.toLowerCase().replace(/_/g, '-')}-${suffix}`;
    return (await createAccount(post, admin, { username, password: PASSWORD, role, gates: [gate], ...extra })).token;
  };
  const company = await make('DECLARANT', { companyTaxCode: '0101234567' });
  const staff = await gateStaff((role) => make(role));
  console.log(`  accounts: a declarant, ${Object.keys(staff).join(', ')} (sim-…-${suffix})`);

  // One device per point, named for the gate and the point, so that every run plays the same four devices.
  const devices = {} as Record<Point, Device>;
  for (const point of POINTS) {
    const code = `SIM-${gate}-${point}`.replace(/_/g, '-');
    const device = await registerDevice(call, admin, { code, gate, point, ...(point.startsWith('YARD') ? { yard } : {}) });
    devices[point] = device;
    console.log(
      `  device ${code} (${point.startsWith('YARD') ? `camera, yard ${yard}` : 'barrier'}): ${device.reused ? 'secret rotated' : 'registered'}`,
    );
  }
  return { call, gate, yard, devices, people: { admin, company, ...staff }, log: new FloorLog(), intervalMs };
}

/** A plate no open crossing at this gate carries, so that a truck's reads can only be its own. */
async function freshPlan(floor: Floor, i: number): Promise<TruckPlan> {
  for (;;) {
    const plan = truckPlan(i, floor.gate);
    const found = await read(
      floor,
      `/v1/crossings?gate=${floor.gate}&plate=${encodeURIComponent(plan.plate)}&limit=50`,
      floor.people.manager,
      'plate look-up',
    );
    if (!(found.body.items as { status: string }[]).some((c) => OPEN_STATUSES.has(c.status))) return plan;
  }
}

/** The eventIds on the guard's exception list now (a few pages, newest first: this run's reads are the newest). */
async function exceptionList(floor: Floor): Promise<Set<string>> {
  const ids = new Set<string>();
  let cursor: string | undefined;
  for (let page = 0; page < 10; page++) {
    const path = `/v1/gate-events?gate=${floor.gate}&unmatched=true${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const body = (await read(floor, path, floor.people.guard, 'the exception list')).body as {
      items: { eventId: string }[];
      nextCursor?: string | null;
    };
    for (const e of body.items ?? []) ids.add(e.eventId);
    if (!body.nextCursor) break;
    cursor = body.nextCursor;
  }
  return ids;
}

async function run(floor: Floor, trucks: number): Promise<number> {
  const { log } = floor;
  const started = Date.now();
  const yardsBefore = await yardsNow(floor);
  console.log(`\n  yards now: ${yardsBefore}\n`);
  console.log(`UTC+7     #   point          plate         conf  answer`);

  const crossings: (string | undefined)[] = [];
  let failed = 0;
  // Trucks overlap as on a real floor: the next one arrives while the one before is in the yard.
  const stories = Array.from({ length: trucks }, async (_, i) => {
    await sleep(i * 4 * floor.intervalMs);
    const plan = await freshPlan(floor, i);
    try {
      crossings[i] = await truckStory(floor, plan);
    } catch (err) {
      failed++;
      log.step(plan.label, plan.plate, `‼ stopped: ${(err as Error).message}`);
    }
  });
  const stranger = (async () => {
    await sleep(2 * floor.intervalMs);
    await strangerStory(floor);
  })();
  await Promise.all([...stories, stranger]);

  // What the server recorded, against what the simulator did.
  // An arrival reaches the crossing's workflow a moment after its read was answered (api/arrival-delivery.ts).
  await sleep(1000);
  let arrivals = 0;
  let expected = 0;
  const statuses = new Map<string, number>();
  for (const [i, id] of crossings.entries()) {
    if (!id) continue;
    const view = (await read(floor, `/v1/crossings/${id}`, floor.people.manager, 'the crossing')).body;
    const points = ((view.arrivals ?? []) as { point: string }[]).map((a) => a.point).sort();
    const want = log.expectedArrivals(id);
    arrivals += points.length;
    expected += want.length;
    if (points.join() !== want.join()) {
      log.surprise(`#${i + 1} shows ${points.length} arrivals (${points.join(', ')}), expected ${want.length} (${want.join(', ')})`);
    }
    statuses.set(view.status, (statuses.get(view.status) ?? 0) + 1);
  }
  const listed = await exceptionList(floor);
  const ours = [...log.exceptions.keys()];
  const stillOpen = ours.filter((id) => !log.linked.has(id) && !log.resolved.has(id));
  const listedOpen = stillOpen.filter((id) => listed.has(id)).length;
  const listedLinked = [...log.linked, ...log.resolved].filter((id) => listed.has(id)).length;
  const why = [...new Set(stillOpen.map((id) => log.exceptions.get(id)))].join(', ');

  const seconds = Math.round((Date.now() - started) / 1000);
  const a = log.answers;
  console.log(`\nSummary: ${floor.gate}, ${trucks} truck(s) in ${Math.floor(seconds / 60)} min ${seconds % 60} s`);
  console.log(
    `  reads       ${log.reads} (OPEN ${a.OPEN}, HOLD ${a.HOLD}, NONE ${a.NONE}${log.refused ? `, refused ${log.refused}` : ''})`,
  );
  console.log(`  arrivals    ${arrivals} recorded on the crossings; ${expected} expected (one per device and truck within 60 s)`);
  console.log(`  holds       ${a.HOLD}`);
  console.log(`  opens       ${a.OPEN}`);
  console.log(
    `  exceptions  ${ours.length} for the guard's list: ${log.linked.size} linked by hand, ${log.resolved.size} matched by a later read, ` +
      `${stillOpen.length} left (${why || 'none'}); the list shows ${listedOpen} of those${listedLinked ? ` ‼ and ${listedLinked} resolved ones` : ''}`,
  );
  console.log(`  trucks      ${[...statuses].map(([s, n]) => `${n} ${s}`).join(', ') || 'none'}${failed ? `, ${failed} stopped` : ''}`);
  console.log(`  yards       ${await yardsNow(floor)} (before: ${yardsBefore})`);
  if (listedOpen !== stillOpen.length)
    log.surprise(`the exception list shows ${listedOpen} of the ${stillOpen.length} reads left for the guard`);
  if (listedLinked) log.surprise(`${listedLinked} read(s) linked or matched later are still on the exception list`);
  if (log.surprises.length) {
    console.log(`  surprises   ${log.surprises.length}:`);
    for (const s of log.surprises) console.log(`    ‼ ${s}`);
  } else {
    console.log('  surprises   none: every answer was the one expected');
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
