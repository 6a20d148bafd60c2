import { randomUUID } from 'node:crypto';
import { DEVICE_CREDENTIALS_MS } from '../api/device-credentials';
import { signDeviceRequest } from '../api/device-signature';
import { Client, Connection } from '@temporalio/client';
import { account, asAdmin, db, declaration, http, system, type TestAccount } from './system/client';
import { approve, declare, RUBBER, staffOf, waitFor, type GateStaff } from './system/crossing-flow';
import { gateWithDeadlines } from './system/test-gate';

/**
 * The gate floor against the real system (API.md "Devices and plate reads", "Yards, customs channel"): devices sign
 * their reads, reads are matched to crossings by plate, barriers open only for the step they guard, yards count
 * trucks in and out, and a green channel passes customs inspection.
 */

interface Device {
  code: string;
  secret: string;
}

let admin: string;
beforeAll(async () => {
  admin = await asAdmin();
});

async function device(gate: string, point: string, kind: string, extra: Record<string, unknown> = {}): Promise<Device> {
  const code = `D-${randomUUID().slice(0, 8).toUpperCase()}`;
  const res = await http('POST', '/v1/admin/devices', { token: admin, body: { code, gate, point, kind, ...extra } });
  if (res.status !== 201) throw new Error(`registering a device failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { code, secret: res.body.secret };
}

/** A signed read, as a device sends it. */
function read(dev: Device, plate: string, opts: { at?: Date; confidence?: number; eventId?: string; secret?: string; raw?: string } = {}) {
  const body =
    opts.raw ??
    JSON.stringify({
      eventId: opts.eventId ?? randomUUID(),
      plate,
      at: (opts.at ?? new Date()).toISOString(),
      confidence: opts.confidence ?? 0.97,
    });
  return http('POST', '/v1/gate-events', {
    body,
    headers: {
      'content-type': 'application/json',
      'X-Device': dev.code,
      'X-Signature': signDeviceRequest(opts.secret ?? dev.secret, body),
    },
  });
}

/** A Vietnamese plate no other test uses: `29C-4xx.yy`. */
function plate(letter = 'C'): string {
  const n = String(Math.floor(Math.random() * 100_000)).padStart(5, '0');
  return `29${letter}-${n.slice(0, 3)}.${n.slice(3)}`;
}

async function floor() {
  const gate = await gateWithDeadlines([]);
  const staff = await staffOf(gate);
  const company = await account('DECLARANT', [gate]);
  return { gate, staff, company };
}

async function truck(company: TestAccount, gate: string, vehiclePlate = plate()) {
  const vehicle = { plate: vehiclePlate, trailerPlate: '12R-012.34', country: 'VN', grossWeightKg: 32000 };
  return { plate: vehiclePlate, crossing: await declare(company, { gate, vehicle }) };
}

async function eventRows(eventId: string) {
  return (await db().query('select * from gate_event where event_id = $1', [eventId])).rows;
}

async function historyOf(manager: TestAccount, crossingId: string) {
  return (await http('GET', `/v1/crossings/${crossingId}/history`, { token: manager.token })).body.items as any[];
}

async function yard(gate: string) {
  const gates = (await http('GET', '/v1/gates', { token: admin })).body as any[];
  return gates.find((g) => g.code === gate).yards[0];
}

describe('devices', () => {
  it('are registered by an admin with a secret shown once, listed without it, and audited', async () => {
    const { gate } = await floor();
    const camera = await device(gate, 'YARD_ENTRY', 'CAMERA');
    expect(camera.secret.length).toBeGreaterThanOrEqual(32);
    const list = await http('GET', '/v1/admin/devices', { token: admin });
    const listed = list.body.find((d: any) => d.code === camera.code);
    expect(listed).toMatchObject({ gate, point: 'YARD_ENTRY', kind: 'CAMERA', yard: 'Y1', disabled: false });
    expect(JSON.stringify(list.body)).not.toContain(camera.secret);
    // The secret is stored sealed, never as it was shown.
    const { rows } = await db().query('select secret_sealed from device where code = $1', [camera.code]);
    expect(rows[0].secret_sealed).not.toContain(camera.secret);
    const taken = await http('POST', '/v1/admin/devices', {
      token: admin,
      body: { code: camera.code, gate, point: 'YARD_EXIT', kind: 'CAMERA' },
    });
    expect(taken.status).toBe(409);
  });

  it('never keep a secret under an Idempotency-Key: a repeat answers the device without it', async () => {
    const { gate } = await floor();
    const code = `D-${randomUUID().slice(0, 8).toUpperCase()}`;
    const key = randomUUID();
    const send = () =>
      http('POST', '/v1/admin/devices', {
        token: admin,
        body: { code, gate, point: 'BARRIER_ENTRY', kind: 'BARRIER' },
        headers: { 'Idempotency-Key': key },
      });
    const first = await send();
    expect(first.status).toBe(201);
    const again = await send();
    expect([again.status, again.headers.get('idempotent-replayed')]).toEqual([201, 'true']);
    expect(again.body).toEqual({ device: first.body.device });
    const stored = await db().query('select body::text as body from idempotency_record where key = $1', [key]);
    expect(stored.rows[0].body).not.toContain(first.body.secret);
    const rotateKey = randomUUID();
    const rotated = await http('PATCH', `/v1/admin/devices/${code}`, {
      token: admin,
      body: { rotateSecret: true },
      headers: { 'Idempotency-Key': rotateKey },
    });
    const kept = await db().query('select body::text as body from idempotency_record where key = $1', [rotateKey]);
    expect(kept.rows[0].body).not.toContain(rotated.body.secret);
  });

  it('refuse what is not theirs to say: every field at fault, a yard only for a yard point, admins only', async () => {
    const { gate, staff } = await floor();
    const bad = await http('POST', '/v1/admin/devices', { token: admin, body: { code: 'x', gate: 'nope', point: 'GATE', kind: 'LASER' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => e.path).sort()).toEqual(['code', 'gate', 'kind', 'point']);
    const yardless = await http('POST', '/v1/admin/devices', {
      token: admin,
      body: { code: `D-${randomUUID().slice(0, 6).toUpperCase()}`, gate, point: 'BARRIER_ENTRY', kind: 'BARRIER', yard: 'Y1' },
    });
    expect(yardless.status).toBe(400);
    expect(yardless.body.errors[0].path).toBe('yard');
    const twoYards = await http('POST', '/v1/admin/devices', {
      token: admin,
      body: { code: `D-${randomUUID().slice(0, 6).toUpperCase()}`, gate: 'HUU_NGHI', point: 'YARD_ENTRY', kind: 'CAMERA' },
    });
    expect(twoYards.status).toBe(400);
    expect(twoYards.body.errors[0].message).toContain('HN-Y1');
    const guard = await http('POST', '/v1/admin/devices', {
      token: staff.guard.token,
      body: { code: 'D-GUARD', gate, point: 'BARRIER_ENTRY', kind: 'BARRIER' },
    });
    expect(guard.status).toBe(403);
  });
});

describe('a plate read', () => {
  let gate: string;
  let staff: GateStaff;
  let company: TestAccount;
  let camera: Device;
  beforeAll(async () => {
    ({ gate, staff, company } = await floor());
    camera = await device(gate, 'YARD_ENTRY', 'CAMERA');
  });

  it('unsigned, mis-signed, from an unknown or a disabled device, is refused and changes nothing', async () => {
    const { plate: p } = await truck(company, gate);
    const eventId = randomUUID();
    const body = JSON.stringify({ eventId, plate: p, at: new Date().toISOString(), confidence: 0.99 });
    const unsigned = await http('POST', '/v1/gate-events', {
      body,
      headers: { 'content-type': 'application/json', 'X-Device': camera.code },
    });
    expect(unsigned.status).toBe(401);
    expect((await read(camera, p, { eventId, secret: 'not-the-secret' })).status).toBe(401);
    // Signed over other bytes than those sent.
    const tampered = await http('POST', '/v1/gate-events', {
      body: body.replace('0.99', '0.98'),
      headers: { 'content-type': 'application/json', 'X-Device': camera.code, 'X-Signature': signDeviceRequest(camera.secret, body) },
    });
    expect(tampered.status).toBe(401);
    expect((await read({ code: 'D-NOBODY', secret: camera.secret }, p, { eventId })).status).toBe(401);

    const disabled = await device(gate, 'YARD_EXIT', 'CAMERA');
    expect((await http('PATCH', `/v1/admin/devices/${disabled.code}`, { token: admin, body: { disabled: true } })).status).toBe(200);
    const refused = await read(disabled, p, { eventId });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(await eventRows(eventId)).toHaveLength(0);
  });

  it('a rotated secret replaces the old one at once', async () => {
    const { plate: p } = await truck(company, gate);
    const dev = await device(gate, 'YARD_EXIT', 'CAMERA');
    const rotated = await http('PATCH', `/v1/admin/devices/${dev.code}`, { token: admin, body: { rotateSecret: true } });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toBeDefined();
    expect((await read(dev, p)).status).toBe(401);
    expect((await read({ code: dev.code, secret: rotated.body.secret }, p)).status).toBe(200);
  });

  it('from a device disabled through another API process is refused once this one’s credentials of it are 2 s old', async () => {
    const { plate: p } = await truck(company, gate);
    const dev = await device(gate, 'YARD_EXIT', 'CAMERA');
    expect((await read(dev, p)).status).toBe(200);
    // What another process's PATCH leaves behind: the row changed, and nothing said to this process.
    await db().query('update device set disabled_at = now() where code = $1', [dev.code]);
    await new Promise((r) => setTimeout(r, DEVICE_CREDENTIALS_MS + 200));
    const eventId = randomUUID();
    expect((await read(dev, p, { eventId })).status).toBe(401);
    expect(await eventRows(eventId)).toHaveLength(0);
  });

  it('more than 5 minutes from the server clock is a 400 naming `at`, and is not recorded', async () => {
    const { plate: p } = await truck(company, gate);
    const eventId = randomUUID();
    const stale = await read(camera, p, { eventId, at: new Date(Date.now() - 6 * 60_000) });
    expect(stale.status).toBe(400);
    expect(stale.body.errors).toEqual([{ path: 'at', message: expect.stringContaining('5 minutes') }]);
    expect((await read(camera, p, { eventId: randomUUID(), at: new Date(Date.now() + 6 * 60_000) })).status).toBe(400);
    expect(await eventRows(eventId)).toHaveLength(0);
  });

  it('repeated with the same eventId gets the first answer and has no second effect', async () => {
    const { plate: p, crossing } = await truck(company, gate);
    const eventId = randomUUID();
    const at = new Date();
    const first = await read(camera, p, { eventId, at });
    const again = await read(camera, p, { eventId, at });
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(first.body).toMatchObject({ eventId, crossingId: crossing.id, action: 'NONE' });
    expect(await eventRows(eventId)).toHaveLength(1);
    const view = await waitFor(company.token, crossing.id, (v) => v.arrivals.length > 0);
    expect(view.arrivals).toEqual([{ eventId, point: 'YARD_ENTRY', at: at.toISOString(), device: camera.code }]);
    // Another device using that eventId is refused.
    const other = await device(gate, 'YARD_EXIT', 'CAMERA');
    expect((await read(other, p, { eventId })).status).toBe(409);
  });

  it('matches its plate however it is written: case, spaces, dots, dashes, full-width digits; Chinese plates too', async () => {
    const { plate: p, crossing } = await truck(company, gate);
    const scrawled = p.toLowerCase().replace('-', ' ').replace('.', '').replace('2', '２');
    expect((await read(camera, scrawled)).body).toMatchObject({ crossingId: crossing.id, action: 'NONE' });

    const chinese = `桂A${String(Math.floor(Math.random() * 100_000)).padStart(5, '0')}`;
    const vehicle = { plate: chinese, trailerPlate: '12R-012.34', country: 'CN', grossWeightKg: 30000 };
    const fromChina = await declare(company, { gate, vehicle, direction: 'IMPORT' });
    const answer = await read(camera, `${chinese.slice(0, 2)}·${chinese.slice(2)}`);
    expect(answer.body).toMatchObject({ crossingId: fromChina.id, action: 'NONE' });
  });

  it('found only through an O/0, I/1 or B/8 confusion is doubtful: HOLD, on the exception list, until a guard confirms it', async () => {
    const barrier = await device(gate, 'BARRIER_ENTRY', 'BARRIER');
    const { crossing, plate: p } = await truck(company, gate, plate('B'));
    await approve(staff, crossing.id, ['health-check', 'border-entry']);
    const misread = p.replace('B', '8');
    const eventId = randomUUID();
    const doubtful = await read(barrier, misread, { eventId });
    expect(doubtful.body).toMatchObject({ crossingId: null, action: 'HOLD' });
    expect(doubtful.body.reason).toContain('O as 0, I as 1 or B as 8');

    const list = await http('GET', `/v1/gate-events?gate=${gate}&unmatched=true`, { token: staff.guard.token });
    expect(list.status).toBe(200);
    expect(list.body.items.find((e: any) => e.eventId === eventId)).toMatchObject({
      match: 'DOUBTFUL',
      crossingId: crossing.id,
      onExceptionList: true,
    });
    // A repeat of the same read while the truck stands is not a second entry on the list.
    await read(barrier, misread);
    const again = await http('GET', `/v1/gate-events?gate=${gate}&unmatched=true`, { token: staff.guard.token });
    expect(again.body.items.filter((e: any) => e.plate === misread)).toHaveLength(1);
    expect(again.body.items.find((e: any) => e.eventId === eventId).repeats).toBe(1);

    // The guard confirms: the run is matched, the entry leaves the list, the next read opens the barrier.
    const matched = await http('POST', `/v1/gate-events/${eventId}/match`, { token: staff.guard.token, body: { crossingId: crossing.id } });
    expect(matched.status).toBe(200);
    expect(matched.body).toMatchObject({
      match: 'MATCHED',
      crossingId: crossing.id,
      matchedBy: { accountId: staff.guard.id },
      arrival: true,
    });
    const after = await http('GET', `/v1/gate-events?gate=${gate}&unmatched=true`, { token: staff.guard.token });
    expect(after.body.items.find((e: any) => e.eventId === eventId)).toBeUndefined();
    expect((await read(barrier, misread)).body).toMatchObject({ action: 'OPEN', crossingId: crossing.id });
    const view = await waitFor(company.token, crossing.id, (v) => v.arrivals.length === 1);
    expect(view.arrivals[0]).toMatchObject({ eventId, point: 'BARRIER_ENTRY', confirmedBy: staff.guard.id });
  });

  it('below the gate threshold matches nothing, even with the exact plate; the threshold is the admin’s to set', async () => {
    const barrier = await device(gate, 'BARRIER_ENTRY', 'BARRIER');
    const { crossing, plate: p } = await truck(company, gate);
    await approve(staff, crossing.id, ['health-check', 'border-entry']);
    const faint = await read(barrier, p, { confidence: 0.6 });
    expect(faint.body).toMatchObject({ crossingId: null, action: 'HOLD' });
    expect(faint.body.reason).toContain('below the gate');
    const changed = await http('PUT', `/v1/admin/gates/${gate}`, { token: admin, body: { plateConfidence: 0.5 } });
    expect(changed.status).toBe(200);
    expect(changed.body.plateConfidence).toBe(0.5);
    // A read of another moment (past the 60 s run) at the same confidence now matches.
    expect((await read(barrier, p, { confidence: 0.6, at: new Date(Date.now() + 61_000) })).body).toMatchObject({ action: 'OPEN' });
    await http('PUT', `/v1/admin/gates/${gate}`, { token: admin, body: { plateConfidence: 0.8 } });
  });

  it('matching no crossing, or several, is held for the guard, who links it by hand', async () => {
    const barrier = await device(gate, 'BARRIER_ENTRY', 'BARRIER');
    const nobody = await read(barrier, plate('D'));
    expect(nobody.body).toMatchObject({ crossingId: null, action: 'HOLD' });
    expect(nobody.body.reason).toContain('No open crossing');
    // A truck at any step is found by a plate that reads like its own, O/0, I/1, B/8 alike.
    const { crossing: atCustoms, plate: customsPlate } = await truck(company, gate, plate('B'));
    await approve(staff, atCustoms.id, ['health-check', 'border-entry']);
    const misread = encodeURIComponent(customsPlate.replace('B', '8'));
    const lookup = await http('GET', `/v1/gate-events/${nobody.body.eventId}/candidates?plate=${misread}`, { token: staff.guard.token });
    expect(lookup.body).toEqual([
      { crossingId: atCustoms.id, plate: customsPlate, status: 'IN_PROGRESS', currentStep: 'customs-inspection', category: 'EXPORT' },
    ]);

    const shared = plate('E');
    const first = await truck(company, gate, shared);
    await truck(company, gate, shared);
    const eventId = randomUUID();
    const several = await read(barrier, shared, { eventId });
    expect(several.body).toMatchObject({ crossingId: null, action: 'HOLD' });
    expect(several.body.reason).toContain('2 open crossings');

    // Only a guard links, only to a crossing of that gate, and only once.
    const byManager = await http('POST', `/v1/gate-events/${eventId}/match`, {
      token: staff.manager.token,
      body: { crossingId: first.crossing.id },
    });
    expect(byManager.status).toBe(403);
    const elsewhere = await staffOf('TAN_THANH');
    const outsider = await http('POST', `/v1/gate-events/${eventId}/match`, {
      token: elsewhere.guard.token,
      body: { crossingId: first.crossing.id },
    });
    expect(outsider.status).toBe(404);
    // The guard looks the plate up: both trucks that carry it, in their declared form.
    const candidates = await http('GET', `/v1/gate-events/${eventId}/candidates`, { token: staff.guard.token });
    expect(candidates.status).toBe(200);
    expect(candidates.body.map((c: any) => c.plate)).toEqual([shared, shared]);
    expect(candidates.body.map((c: any) => c.crossingId)).toContain(first.crossing.id);
    const linked = await http('POST', `/v1/gate-events/${eventId}/match`, {
      token: staff.guard.token,
      body: { crossingId: first.crossing.id },
    });
    expect(linked.status).toBe(200);
    const other = await http('POST', `/v1/gate-events/${eventId}/match`, { token: staff.guard.token, body: { crossingId: randomUUID() } });
    expect(other.status).toBe(400);
    const history = await historyOf(staff.manager, first.crossing.id);
    await waitFor(company.token, first.crossing.id, (v) => v.arrivals.length === 1);
    expect(history.length).toBeGreaterThan(0);
    const audit = await db().query(`select actor from audit_entry where action = 'GATE_READ_MATCHED' and crossing_id = $1`, [
      first.crossing.id,
    ]);
    expect(audit.rows).toEqual([{ actor: staff.guard.id }]);
  });

  it('sent twice at once, by one device or two, is recorded once; the other copy is its replay or a 409, never a 500', async () => {
    const { plate: p } = await truck(company, gate);
    const other = await device(gate, 'YARD_EXIT', 'CAMERA');
    for (let i = 0; i < 5; i++) {
      const eventId = randomUUID();
      const answers = await Promise.all([read(camera, p, { eventId }), read(other, p, { eventId }), read(camera, plate('K'), { eventId })]);
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses.filter((s) => s !== 200 && s !== 409)).toEqual([]);
      expect(await eventRows(eventId)).toHaveLength(1);
    }
  });

  it('resent after the 5-minute window still gets its first answer, and adds nothing', async () => {
    const { plate: p, crossing } = await truck(company, gate);
    const eventId = randomUUID();
    const at = new Date(Date.now() - 4 * 60_000);
    const first = await read(camera, p, { eventId, at });
    expect(first.body).toMatchObject({ crossingId: crossing.id });
    // The device's retry, its copy of the read now 6 minutes old (its clock, or the same read resent much later).
    const late = await read(camera, p, { eventId, at: new Date(at.getTime() - 2 * 60_000) });
    expect([late.status, late.body]).toEqual([200, first.body]);
    expect(await eventRows(eventId)).toHaveLength(1);
  });

  it('misread, then linked by a guard, after the same device matched the truck by its real plate, is still one arrival', async () => {
    const barrier = await device(gate, 'BARRIER_ENTRY', 'BARRIER');
    const { crossing, plate: p } = await truck(company, gate, plate('B'));
    expect((await read(barrier, p)).body.crossingId).toBe(crossing.id);
    const misread = await read(barrier, p.replace('B', '8'));
    const linked = await http('POST', `/v1/gate-events/${misread.body.eventId}/match`, {
      token: staff.guard.token,
      body: { crossingId: crossing.id },
    });
    expect(linked.body).toMatchObject({ match: 'MATCHED', arrival: false });
    await waitFor(company.token, crossing.id, (v) => v.arrivals.length === 1);
    await new Promise((r) => setTimeout(r, 6000));
    expect((await historyOf(staff.manager, crossing.id)).filter((e) => e.type === 'ARRIVED')).toHaveLength(1);
  });

  it('faint, right after a clean read of the same truck, does not open the barrier', async () => {
    const barrier = await device(gate, 'BARRIER_ENTRY', 'BARRIER');
    const { crossing, plate: p } = await truck(company, gate);
    await approve(staff, crossing.id, ['health-check', 'border-entry']);
    expect((await read(barrier, p)).body).toMatchObject({ action: 'OPEN' });
    expect((await read(barrier, p, { confidence: 0.3 })).body).toMatchObject({ action: 'HOLD', crossingId: null });
    expect((await read(barrier, p)).body).toMatchObject({ action: 'OPEN' });
  });

  it('already matched by a later clean read is not linked to another crossing by a guard', async () => {
    const camera2 = await device(gate, 'YARD_ENTRY', 'CAMERA');
    const { crossing, plate: p } = await truck(company, gate);
    const { crossing: other } = await truck(company, gate);
    const faint = await read(camera2, p, { confidence: 0.4 });
    await read(camera2, p);
    const stale = await http('POST', `/v1/gate-events/${faint.body.eventId}/match`, {
      token: staff.guard.token,
      body: { crossingId: other.id },
    });
    expect(stale.status).toBe(409);
    expect(stale.body.detail).toContain(crossing.id);
    const same = await http('POST', `/v1/gate-events/${faint.body.eventId}/match`, {
      token: staff.guard.token,
      body: { crossingId: crossing.id },
    });
    expect(same.status).toBe(200);
    const onList = await http('GET', `/v1/gate-events?gate=${gate}&unmatched=false`, { token: staff.guard.token });
    expect(onList.body.items.every((e: any) => !e.onExceptionList)).toBe(true);
  });

  it('linked by a guard while the same device reads the truck cleanly is still one arrival, however the two race', async () => {
    const barrier = await device(gate, 'BARRIER_ENTRY', 'BARRIER');
    for (let i = 0; i < 5; i++) {
      const { crossing, plate: p } = await truck(company, gate, plate('B'));
      const misread = await read(barrier, p.replace('B', '8'));
      const [linked, clean] = await Promise.all([
        http('POST', `/v1/gate-events/${misread.body.eventId}/match`, { token: staff.guard.token, body: { crossingId: crossing.id } }),
        read(barrier, p),
      ]);
      expect([linked.status, clean.status]).toEqual([200, 200]);
      const { rows } = await db().query('select count(*)::int as n from gate_event where crossing_id = $1 and arrival', [crossing.id]);
      expect(rows[0].n).toBe(1);
    }
  });

  it('at the entry barrier holds, saying what the crossing waits for, then opens once border entry is approved', async () => {
    const barrier = await device(gate, 'BARRIER_ENTRY', 'BARRIER');
    const { crossing, plate: p } = await truck(company, gate);
    const held = await read(barrier, p);
    expect(held.body).toMatchObject({ crossingId: crossing.id, action: 'HOLD' });
    expect(held.body.reason).toContain('waiting at health-check for HEALTH_OFFICER');
    await approve(staff, crossing.id, ['health-check']);
    expect((await read(barrier, p)).body.reason).toContain('waiting at border-entry for BORDER_GUARD');
    await approve(staff, crossing.id, ['border-entry']);
    expect((await read(barrier, p)).body).toMatchObject({ action: 'OPEN', reason: 'Border entry is approved.' });
    // The exit barrier holds the same truck until it is cleared.
    const exit = await device(gate, 'BARRIER_EXIT', 'BARRIER');
    expect((await read(exit, p)).body).toMatchObject({ action: 'HOLD' });
    // Three reads within 60 s of each other are one arrival.
    const view = await waitFor(company.token, crossing.id, (v) => v.arrivals.length === 2);
    expect(view.arrivals.map((a: any) => a.point)).toEqual(['BARRIER_ENTRY', 'BARRIER_EXIT']);
  });

  it('read ten times while the truck stands is one arrival in the workflow history', async () => {
    const { crossing, plate: p } = await truck(company, gate);
    const start = Date.now();
    for (let i = 0; i < 10; i++) expect((await read(camera, p, { at: new Date(start + i * 5000) })).status).toBe(200);
    await waitFor(company.token, crossing.id, (v) => v.arrivals.length === 1);
    // The sweep would deliver anything left over within 5 s; give it the chance to prove there is nothing.
    await new Promise((r) => setTimeout(r, 6000));
    const history = await historyOf(staff.manager, crossing.id);
    expect(history.filter((e) => e.type === 'ARRIVED')).toHaveLength(1);
    const rows = await db().query(
      'select count(*)::int as n, count(*) filter (where arrival)::int as arrivals from gate_event where plate = $1',
      [p.replace(/[-.]/g, '')],
    );
    expect(rows.rows[0]).toEqual({ n: 10, arrivals: 1 });
  });

  it('read several times at once while the truck stands is one run with one arrival, whichever copy commits first', async () => {
    const { crossing, plate: p } = await truck(company, gate);
    const start = Date.now();
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => read(camera, p, { at: new Date(start + i * 100) })));
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(200));
    expect(answers.every((a) => a.body.crossingId === crossing.id)).toBe(true);
    const rows = await db().query(
      `select count(*)::int as n, count(*) filter (where arrival)::int as arrivals, count(*) filter (where repeat_of is null)::int as runs
         from gate_event where crossing_id = $1`,
      [crossing.id],
    );
    expect(rows.rows[0]).toEqual({ n: 6, arrivals: 1, runs: 1 });
    await waitFor(company.token, crossing.id, (v) => v.arrivals.length === 1);
  });
});

describe('a yard', () => {
  it('counts trucks in from its entry camera and out from its exit camera; a reservation until the truck is in', async () => {
    const { gate, staff, company } = await floor();
    const entry = await device(gate, 'YARD_ENTRY', 'CAMERA');
    const exit = await device(gate, 'YARD_EXIT', 'CAMERA');
    const { crossing, plate: p } = await truck(company, gate);
    await approve(staff, crossing.id, ['health-check', 'border-entry']);
    expect(await yard(gate)).toEqual({ code: 'Y1', capacity: 10, occupied: 0, reserved: 1 });
    await read(entry, p);
    expect(await yard(gate)).toEqual({ code: 'Y1', capacity: 10, occupied: 1, reserved: 0 });
    await read(exit, p);
    expect(await yard(gate)).toEqual({ code: 'Y1', capacity: 10, occupied: 0, reserved: 0 });
  });

  it('counts a truck out whose exit read arrived before its entry read (a camera resending after an outage)', async () => {
    const { gate, staff, company } = await floor();
    const entry = await device(gate, 'YARD_ENTRY', 'CAMERA');
    const exit = await device(gate, 'YARD_EXIT', 'CAMERA');
    const { crossing, plate: p } = await truck(company, gate);
    await approve(staff, crossing.id, ['health-check', 'border-entry']);
    const now = Date.now();
    await read(exit, p, { at: new Date(now) });
    await read(entry, p, { at: new Date(now - 120_000) });
    expect(await yard(gate)).toEqual({ code: 'Y1', capacity: 10, occupied: 0, reserved: 0 });
  });

  it('does not stay full when an exit read is missed: an ended crossing no longer holds its place', async () => {
    const { gate, staff, company } = await floor();
    const entry = await device(gate, 'YARD_ENTRY', 'CAMERA');
    const { crossing, plate: p } = await truck(company, gate);
    await approve(staff, crossing.id, ['health-check', 'border-entry']);
    await read(entry, p);
    expect((await yard(gate)).occupied).toBe(1);
    const cancelled = await http('POST', `/v1/crossings/${crossing.id}/cancel`, {
      token: company.token,
      body: { reason: 'Buyer withdrew' },
      headers: { 'Idempotency-Key': randomUUID() },
    });
    expect(cancelled.status).toBe(200);
    expect(await yard(gate)).toEqual({ code: 'Y1', capacity: 10, occupied: 0, reserved: 0 });
  });

  it('has a capacity an admin edits; a new yard code adds a yard', async () => {
    const { gate } = await floor();
    const changed = await http('PUT', `/v1/admin/gates/${gate}`, {
      token: admin,
      body: {
        yards: [
          { code: 'Y1', capacity: 25 },
          { code: 'Y2', capacity: 5 },
        ],
      },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.yards).toEqual([
      { code: 'Y1', capacity: 25, occupied: 0, reserved: 0 },
      { code: 'Y2', capacity: 5, occupied: 0, reserved: 0 },
    ]);
    const bad = await http('PUT', `/v1/admin/gates/${gate}`, {
      token: admin,
      body: { yards: [{ code: 'Y1', capacity: -1 }], plateConfidence: 2 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => e.path).sort()).toEqual(['plateConfidence', 'yards.0.capacity']);
    expect((await http('PUT', '/v1/admin/gates/NO_SUCH_GATE', { token: admin, body: {} })).status).toBe(404);
  });
});

describe('the customs channel', () => {
  it('GREEN passes customs-inspection as a system decision, naming who set the channel', async () => {
    const { gate, staff, company } = await floor();
    const { crossing } = await truck(company, gate);
    const set = await http('POST', `/v1/crossings/${crossing.id}/customs-channel`, {
      token: staff.customs.token,
      body: { channel: 'GREEN', source: 'VNACCS 305123456789' },
      headers: { 'Idempotency-Key': randomUUID() },
    });
    expect(set.status).toBe(200);
    expect(set.body.customsChannel).toBe('GREEN');
    const after = await approve(staff, crossing.id, ['health-check', 'border-entry']);
    const inspection = after.body.steps.find((s: any) => s.step === 'customs-inspection');
    expect(inspection).toMatchObject({ status: 'APPROVED', decidedBy: 'system' });
    expect(after.body.currentStep).toBe('fee-payment');
    const history = await historyOf(staff.manager, crossing.id);
    expect(history.find((e) => e.type === 'CUSTOMS_CHANNEL_SET')).toMatchObject({
      actor: { accountId: staff.customs.id },
      data: { channel: 'GREEN', source: 'VNACCS 305123456789' },
    });
    const decision = history.find((e) => e.type === 'DECISION' && e.step === 'customs-inspection');
    expect(decision).toMatchObject({ actor: null, data: { channel: 'GREEN', channelSetBy: staff.customs.id } });
  });

  it('YELLOW and RED wait for an officer; RED until set; shown in the work queue; only customs sets it, before the decision', async () => {
    const { gate, staff, company } = await floor();
    const { crossing } = await truck(company, gate);
    expect(crossing.customsChannel).toBe('RED');
    const byGuard = await http('POST', `/v1/crossings/${crossing.id}/customs-channel`, {
      token: staff.guard.token,
      body: { channel: 'GREEN' },
    });
    expect(byGuard.status).toBe(403);
    const invalid = await http('POST', `/v1/crossings/${crossing.id}/customs-channel`, {
      token: staff.customs.token,
      body: { channel: 'BLUE' },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors[0].path).toBe('channel');
    await http('POST', `/v1/crossings/${crossing.id}/customs-channel`, { token: staff.customs.token, body: { channel: 'YELLOW' } });
    const waiting = await approve(staff, crossing.id, ['health-check', 'border-entry']);
    expect(waiting.body.currentStep).toBe('customs-inspection');
    const queue = await http('GET', '/v1/crossings', { token: staff.customs.token });
    expect(queue.body.items.find((i: any) => i.id === crossing.id)).toMatchObject({ customsChannel: 'YELLOW' });
    await approve(staff, crossing.id, ['customs-inspection']);
    const late = await http('POST', `/v1/crossings/${crossing.id}/customs-channel`, {
      token: staff.customs.token,
      body: { channel: 'GREEN' },
    });
    expect(late.status).toBe(409);
  });

  it('GREEN set while the inspection has returned the form passes it once the form is resubmitted, in that order', async () => {
    const { gate, staff, company } = await floor();
    const { crossing, plate: p } = await truck(company, gate);
    await approve(staff, crossing.id, ['health-check', 'border-entry']);
    const returned = await http('POST', `/v1/crossings/${crossing.id}/steps/customs-inspection/decision`, {
      token: staff.customs.token,
      body: {
        outcome: 'RETURN',
        reason: 'Seal number does not match',
        fields: [{ path: 'containers.0.sealNo', message: 'check the seal' }],
      },
    });
    expect(returned.status).toBe(200);
    await http('POST', `/v1/crossings/${crossing.id}/customs-channel`, { token: staff.customs.token, body: { channel: 'GREEN' } });
    const vehicle = { plate: p, trailerPlate: '12R-012.34', country: 'VN', grossWeightKg: 32000 };
    const resubmitted = await http('PUT', `/v1/crossings/${crossing.id}/declaration`, {
      token: company.token,
      body: declaration({ gate, vehicle, goods: [RUBBER] }),
    });
    expect(resubmitted.body.currentStep).toBe('fee-payment');
    const types = (await historyOf(staff.manager, crossing.id)).map((e) => `${e.type}${e.step ? ` ${e.step}` : ''}`);
    const resubmittedAt = types.indexOf('DECLARATION_RESUBMITTED customs-inspection');
    expect(resubmittedAt).toBeGreaterThan(0);
    expect(types.lastIndexOf('DECISION customs-inspection')).toBeGreaterThan(resubmittedAt);
  });

  it('set to GREEN while the inspection waits passes it at once', async () => {
    const { gate, staff, company } = await floor();
    const { crossing } = await truck(company, gate);
    await approve(staff, crossing.id, ['health-check', 'border-entry']);
    const set = await http('POST', `/v1/crossings/${crossing.id}/customs-channel`, {
      token: staff.customs.token,
      body: { channel: 'GREEN' },
    });
    expect(set.body.currentStep).toBe('fee-payment');
  });
});

describe('the exit barrier', () => {
  it('opens for a cleared truck, whose arrival is kept even after its workflow has closed', async () => {
    const { gate, staff, company } = await floor();
    const exit = await device(gate, 'BARRIER_EXIT', 'BARRIER');
    const { crossing, plate: p } = await truck(company, gate);
    await approve(staff, crossing.id, ['health-check', 'border-entry', 'customs-inspection', 'fee-payment', 'border-exit']);
    // The workflow closes once its last work is done: the read comes after, so only the read model can take it.
    const connection = await Connection.connect({ address: system().temporalAddress });
    try {
      const handle = new Client({ connection }).workflow.getHandle(`crossing-${crossing.id}`);
      for (let tries = 0; (await handle.describe()).status.name === 'RUNNING'; tries++) {
        if (tries > 100) throw new Error('the cleared crossing’s workflow did not close');
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await connection.close();
    }
    const opened = await read(exit, p);
    expect(opened.body).toMatchObject({ crossingId: crossing.id, action: 'OPEN', reason: 'The crossing is cleared.' });
    const view = await waitFor(company.token, crossing.id, (v) => v.arrivals.length === 1, 20_000);
    expect(view.arrivals[0]).toMatchObject({ point: 'BARRIER_EXIT', device: exit.code });
    // Past the exit barrier the plate no longer answers to this crossing.
    expect((await read(exit, p, { at: new Date(Date.now() + 61_000) })).body).toMatchObject({ crossingId: null, action: 'HOLD' });
  });
});
