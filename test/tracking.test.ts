import { randomUUID } from 'node:crypto';
import { initORM } from '../infra/db/orm';
import { account, asAdmin, db, http, system, type TestAccount } from './system/client';
import { declare, staffOf, type GateStaff } from './system/crossing-flow';
import { gateWithDeadlines } from './system/test-gate';

/**
 * Drivers and the road against the real system (API.md "Driver tracking and traffic flow"): the driver's link reaches
 * its one crossing and nothing else, positions are checked point by point and stored once per Idempotency-Key, the
 * workflow hears only of the first entry into the corridor, the worker computes the flow per segment (every second
 * in tests) and the advisory, police orders reach exactly the drivers en route in their language, and the public
 * page names no truck.
 */

let admin: string;
beforeAll(async () => {
  admin = await asAdmin();
});

/**
 * A straight test corridor running north to the gate: three segments of about 1.1 km (S1 furthest out), 100 m wide,
 * and a holding area beside the first one.
 */
const LON = 106.0;
const CORRIDOR = [
  {
    code: 'S1',
    name: 'Đoạn 1',
    order: 1,
    widthM: 100,
    path: [
      [21.0, LON],
      [21.01, LON],
    ],
  },
  {
    code: 'S2',
    name: 'Đoạn 2',
    order: 2,
    widthM: 100,
    path: [
      [21.01, LON],
      [21.02, LON],
    ],
  },
  {
    code: 'S3',
    name: 'Đoạn 3 (cổng)',
    order: 3,
    widthM: 100,
    path: [
      [21.02, LON],
      [21.03, LON],
    ],
  },
];
const HOLDING = [
  {
    code: 'H1',
    name: 'Bãi chờ 1',
    polygon: [
      [21.004, 106.004],
      [21.006, 106.004],
      [21.006, 106.006],
      [21.004, 106.006],
    ],
  },
];
const ON = { S1: 21.005, S2: 21.015, S3: 21.025 } as const;
const OFF_ROAD = { lat: 21.015, lon: 106.02 };

interface RoadGate {
  gate: string;
  staff: GateStaff;
  company: TestAccount;
  police: TestAccount;
}

async function roadGate(change: Record<string, unknown> = {}): Promise<RoadGate> {
  const gate = await gateWithDeadlines([]);
  const res = await http('PUT', `/v1/admin/gates/${gate}`, {
    token: admin,
    body: { corridor: CORRIDOR, holdingAreas: HOLDING, ...change },
  });
  if (res.status !== 200) throw new Error(`setting the corridor failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { gate, staff: await staffOf(gate), company: await account('DECLARANT', [gate]), police: await account('TRAFFIC_POLICE', [gate]) };
}

function plate(): string {
  const n = String(Math.floor(Math.random() * 100_000)).padStart(5, '0');
  return `12C-${n.slice(0, 3)}.${n.slice(3)}`;
}

function phone(): string {
  return `+8491${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
}

async function truck(g: RoadGate, nationality = 'VN') {
  const driverPhone = phone();
  const driver =
    nationality === 'CN'
      ? { fullName: 'Li Wei', idNumber: 'E12345678', nationality: 'CN', phone: driverPhone }
      : { fullName: 'Tran Van B', idNumber: '001090012345', nationality: 'VN', phone: driverPhone };
  const crossing = await declare(g.company, {
    gate: g.gate,
    vehicle: { plate: plate(), trailerPlate: null, country: 'VN', grossWeightKg: 30000 },
    driver,
  });
  const link = await http('POST', `/v1/crossings/${crossing.id}/driver-link`, { token: g.company.token });
  if (link.status !== 201) throw new Error(`issuing the link failed: ${link.status} ${JSON.stringify(link.body)}`);
  return {
    id: crossing.id as string,
    plate: crossing.declaration.vehicle.plate as string,
    phone: driverPhone,
    token: link.body.token as string,
  };
}

const point = (lat: number, lon = LON, extra: Record<string, unknown> = {}, agoMs = 0) => ({
  at: new Date(Date.now() - agoMs).toISOString(),
  lat,
  lon,
  ...extra,
});

function post(crossingId: string, token: string, positions: unknown[], key: string = randomUUID()) {
  return http('POST', `/v1/crossings/${crossingId}/positions`, { token, body: { positions }, headers: { 'Idempotency-Key': key } });
}

async function outbox(phoneNumber: string, until: (messages: any[]) => boolean, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await http('GET', `/dev/notifications?phone=${encodeURIComponent(phoneNumber)}`, { token: admin });
    const messages = res.body.messages as any[];
    if (until(messages)) return messages;
    if (Date.now() > deadline) throw new Error(`the outbox did not reach the expected state: ${JSON.stringify(messages)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function trafficUntil(g: RoadGate, until: (traffic: any) => boolean, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await http('GET', `/v1/gates/${g.gate}/traffic`, { token: g.police.token });
    if (res.status !== 200) throw new Error(`reading the traffic failed: ${res.status} ${JSON.stringify(res.body)}`);
    if (until(res.body)) return res.body;
    if (Date.now() > deadline) throw new Error(`the traffic did not reach the expected state: ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const statusOf = (traffic: any, code: string) => traffic.segments.find((s: any) => s.code === code)?.status;

describe("the driver's link", () => {
  it('is sent by SMS at declaration, reaches its own crossing only, and dies when a new one is issued', async () => {
    const g = await roadGate();
    const driverPhone = phone();
    const crossing = await declare(g.company, {
      gate: g.gate,
      vehicle: { plate: plate(), trailerPlate: null, country: 'VN', grossWeightKg: 30000 },
      driver: { fullName: 'Tran Van B', idNumber: '001090012345', nationality: 'VN', phone: driverPhone },
    });
    const [sms] = await outbox(driverPhone, (m) => m.some((x) => x.event === 'DRIVER_LINK'));
    expect(sms.language).toBe('vi');
    const fromSms = /#\/driver\?t=(drv_[A-Za-z0-9_-]+)/.exec(sms.body)![1];

    const own = await http('GET', '/v1/driver/crossing', { token: fromSms });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({
      gate: g.gate,
      plate: crossing.declaration.vehicle.plate,
      status: 'IN_PROGRESS',
      language: 'vi',
      sending: true,
    });
    expect(JSON.stringify(own.body)).not.toContain('001090012345');

    // Nothing else: no account route takes the token, and its positions go to its own crossing only.
    const other = await truck(g);
    for (const [method, path] of [
      ['GET', '/v1/me'],
      ['GET', '/v1/crossings'],
      ['GET', `/v1/crossings/${crossing.id}`],
      ['GET', `/v1/crossings/${crossing.id}/history`],
      ['GET', `/v1/crossings/${crossing.id}/track`],
      ['GET', `/v1/gates/${g.gate}/traffic`],
      ['GET', `/v1/gates/${g.gate}/queue`],
      ['POST', `/v1/crossings/${crossing.id}/cancel`],
      ['POST', `/v1/crossings/${crossing.id}/driver-link`],
    ]) {
      expect([
        method,
        path,
        (await http(method, path, { token: fromSms, body: method === 'POST' ? { reason: 'x' } : undefined })).status,
      ]).toEqual([method, path, 401]);
    }
    expect((await post(other.id, fromSms, [point(ON.S1)])).status).toBe(404);
    expect((await http('GET', '/v1/driver/crossing', { token: other.token })).body.plate).toBe(other.plate);

    // A new link: the earlier token stops at once, and the new one is texted too.
    const renewed = await http('POST', `/v1/crossings/${crossing.id}/driver-link`, { token: g.company.token });
    expect(renewed.status).toBe(201);
    expect(renewed.body.url).toContain(renewed.body.token);
    expect((await http('GET', '/v1/driver/crossing', { token: fromSms })).status).toBe(401);
    expect((await post(crossing.id, fromSms, [point(ON.S1)])).status).toBe(401);
    expect((await http('GET', '/v1/driver/crossing', { token: renewed.body.token })).status).toBe(200);
    await outbox(driverPhone, (m) => m.filter((x) => x.event === 'DRIVER_LINK').length === 2);
    // Garbage and an account's token are no driver's.
    expect((await http('GET', '/v1/driver/crossing', { token: 'drv_nonsense' })).status).toBe(401);
    expect((await http('GET', '/v1/driver/crossing', { token: g.company.token })).status).toBe(401);
    expect((await http('GET', '/v1/driver/crossing')).status).toBe(401);
  });

  it('stops sending when the crossing ends, still reads the outcome, and stops reading 24 h later', async () => {
    const g = await roadGate();
    const t = await truck(g);
    expect((await post(t.id, t.token, [point(ON.S1)])).status).toBe(202);
    await http('POST', `/v1/crossings/${t.id}/cancel`, { token: g.company.token, body: { reason: 'trip called off' } });

    const refused = await post(t.id, t.token, [point(ON.S2)]);
    expect(refused.status).toBe(409);
    const ended = await http('GET', '/v1/driver/crossing', { token: t.token });
    expect(ended.body).toMatchObject({ status: 'CANCELLED', sending: false, orders: [] });
    // No new link for an ended crossing.
    expect((await http('POST', `/v1/crossings/${t.id}/driver-link`, { token: g.company.token })).status).toBe(409);

    // A day later (the crossing's last change moved back 25 hours), the link reads nothing.
    await db().query(`update crossing set updated_at = now() - interval '25 hours' where id = $1`, [t.id]);
    expect((await http('GET', '/v1/driver/crossing', { token: t.token })).status).toBe(401);
  });
});

describe('positions', () => {
  it('refuses bad points, each by its index, and stores nothing from a refused batch', async () => {
    const g = await roadGate();
    const t = await truck(g);
    const bad = await post(t.id, t.token, [
      point(ON.S1),
      { at: new Date().toISOString(), lat: 91, lon: 200 },
      point(ON.S1, LON, {}, -10 * 60_000),
      point(ON.S1, LON, {}, 25 * 3600_000),
      { at: 'yesterday', lat: 21, lon: 106, speedKmh: -3, extra: 1 },
    ]);
    expect(bad.status).toBe(400);
    const paths = (bad.body.errors as any[]).map((e) => e.path).sort();
    expect(paths).toEqual(
      expect.arrayContaining([
        'positions.1.lat',
        'positions.1.lon',
        'positions.2.at',
        'positions.3.at',
        'positions.4.at',
        'positions.4.speedKmh',
      ]),
    );
    expect(paths.some((p) => p.startsWith('positions.0'))).toBe(false);
    expect((await post(t.id, t.token, [])).status).toBe(400);
    expect(
      (
        await post(
          t.id,
          t.token,
          Array.from({ length: 101 }, () => point(ON.S1)),
        )
      ).status,
    ).toBe(400);
    const stored = await db().query('select count(*)::int as n from track_point where crossing_id = $1', [t.id]);
    expect(stored.rows[0].n).toBe(0);
  });

  it('keeps a repeated batch once, and refuses another batch under a used key', async () => {
    const g = await roadGate();
    const t = await truck(g);
    const batch = [point(ON.S1, LON, { speedKmh: 40 }, 20_000), point(ON.S2, LON, { speedKmh: 42 })];
    const first = await post(t.id, t.token, batch, 'batch-1');
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ accepted: 2, segment: 'S2' });
    const again = await post(t.id, t.token, batch, 'batch-1');
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await post(t.id, t.token, [point(ON.S3)], 'batch-1')).status).toBe(422);
    const stored = await db().query('select count(*)::int as n from track_point where crossing_id = $1', [t.id]);
    expect(stored.rows[0].n).toBe(2);
  });

  it('places points on the segment they lie on, in a holding area, or nowhere; the track is read oldest first', async () => {
    const g = await roadGate();
    const t = await truck(g);
    const places: [number, number, string | null][] = [
      [ON.S1, LON, 'S1'],
      [ON.S2, LON + 0.0003, 'S2'], // ~30 m off the centre line: within the road's 50 m
      [ON.S2, LON + 0.001, null], // ~100 m off: beside the road
      [ON.S3, LON, 'S3'],
      [OFF_ROAD.lat, OFF_ROAD.lon, null],
    ];
    let ago = places.length * 1000;
    for (const [lat, lon, segment] of places) {
      const res = await post(t.id, t.token, [point(lat, lon, {}, (ago -= 1000))]);
      expect([lat, lon, res.body.segment]).toEqual([lat, lon, segment]);
    }
    await post(t.id, t.token, [point(21.005, 106.005)]);
    const view = await http('GET', `/v1/crossings/${t.id}`, { token: g.staff.manager.token });
    expect(view.body.tracking).toMatchObject({ segment: null, holdingArea: 'H1' });

    const track = await http('GET', `/v1/crossings/${t.id}/track`, { token: g.police.token });
    expect(track.status).toBe(200);
    expect(track.body.points.map((p: any) => p.lat)).toEqual([...places.map((p) => p[0]), 21.005]);
    // Location is personal data: the health officer reads no track, and sees no tracking in the view.
    expect((await http('GET', `/v1/crossings/${t.id}/track`, { token: g.staff.health.token })).status).toBe(403);
    expect((await http('GET', `/v1/crossings/${t.id}`, { token: g.staff.health.token })).body.tracking).toBeNull();
  });

  it('records APPROACHING once in the history, however many points follow in the corridor', async () => {
    const g = await roadGate();
    const t = await truck(g);
    await post(t.id, t.token, [point(OFF_ROAD.lat, OFF_ROAD.lon)]);
    for (const lat of [ON.S1, ON.S1 + 0.002, ON.S2, ON.S3]) await post(t.id, t.token, [point(lat, LON, { speedKmh: 30 })]);
    // Two batches at once, both in the corridor: still one.
    await Promise.all([post(t.id, t.token, [point(ON.S3)]), post(t.id, t.token, [point(ON.S3)])]);
    const deadline = Date.now() + 15_000;
    let approaching: any[] = [];
    while (Date.now() < deadline) {
      const history = (await http('GET', `/v1/crossings/${t.id}/history`, { token: g.staff.manager.token })).body.items as any[];
      approaching = history.filter((e) => e.type === 'APPROACHING');
      if (approaching.length) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    await new Promise((r) => setTimeout(r, 1000));
    const history = (await http('GET', `/v1/crossings/${t.id}/history`, { token: g.staff.manager.token })).body.items as any[];
    approaching = history.filter((e) => e.type === 'APPROACHING');
    expect(approaching).toHaveLength(1);
    expect(approaching[0].data).toMatchObject({ segment: 'S1' });
  });
});

describe('the flow on the approach', () => {
  it('goes FREE, SLOW, CONGESTED with the trucks on a segment, and asks trucks further out to hold upstream', async () => {
    const g = await roadGate();
    const trucks = await Promise.all([truck(g), truck(g), truck(g)]);
    expect(statusOf(await trafficUntil(g, (t) => t.at !== null), 'S3')).toBe('FREE');

    // Moving at 45 km/h on S3: free.
    for (const t of trucks) await post(t.id, t.token, [point(ON.S3, LON, { speedKmh: 45 })]);
    let traffic = await trafficUntil(g, (tr) => tr.segments.find((s: any) => s.code === 'S3').trucks === 3);
    expect(traffic.segments.find((s: any) => s.code === 'S3')).toMatchObject({ trucks: 3, meanSpeedKmh: 45, status: 'FREE' });
    expect(traffic.advisory.level).toBe('NONE');

    // Slowing to 12 km/h: slow.
    for (const t of trucks) await post(t.id, t.token, [point(ON.S3, LON, { speedKmh: 12 })]);
    traffic = await trafficUntil(g, (tr) => statusOf(tr, 'S3') === 'SLOW');
    expect(traffic.advisory.level).toBe('NONE');

    // Crawling at 3 km/h: congested, and trucks not yet on S3 are asked to wait at the holding area.
    for (const t of trucks) await post(t.id, t.token, [point(ON.S3, LON, { speedKmh: 3 })]);
    traffic = await trafficUntil(g, (tr) => statusOf(tr, 'S3') === 'CONGESTED');
    expect(traffic.advisory).toMatchObject({
      level: 'HOLD_UPSTREAM',
      holdingArea: 'H1',
      cause: 'CONGESTED_AT_GATE',
      segments: ['S1', 'S2'],
    });
    expect(traffic.trucks.map((t: any) => t.plate).sort()).toEqual(trucks.map((t) => t.plate).sort());

    // A truck further out sees the advisory on its page; one on S3 does not.
    const upstream = await truck(g);
    await post(upstream.id, upstream.token, [point(ON.S1, LON, { speedKmh: 50 })]);
    expect((await http('GET', '/v1/driver/crossing', { token: upstream.token })).body.advisory).toMatchObject({
      level: 'HOLD_UPSTREAM',
      holdingArea: 'H1',
    });
    expect((await http('GET', '/v1/driver/crossing', { token: trucks[0].token })).body.advisory.level).toBe('NONE');

    // Above the density limit a segment is congested however fast its trucks go.
    await http('PUT', `/v1/admin/gates/${g.gate}`, {
      token: admin,
      body: { traffic: { slowBelowKmh: 20, congestedBelowKmh: 8, densityPerKm: 1 } },
    });
    for (const t of trucks) await post(t.id, t.token, [point(ON.S2, LON, { speedKmh: 60 })]);
    traffic = await trafficUntil(g, (tr) => statusOf(tr, 'S2') === 'CONGESTED' && statusOf(tr, 'S3') === 'FREE');
    expect(traffic.segments.find((s: any) => s.code === 'S2')).toMatchObject({ trucks: 3, meanSpeedKmh: 60 });
  });

  it('asks trucks to hold upstream when every yard is full, with the queue telling how long', async () => {
    const g = await roadGate({ yards: [{ code: 'Y1', capacity: 1 }], queue: { arriveWithin: 'PT10M' } });
    const first = await truck(g);
    await truck(g);
    // The first is called (its place reserved): the yard is full; the second waits.
    const traffic = await trafficUntil(g, (tr) => tr.advisory.level === 'HOLD_UPSTREAM');
    expect(traffic.advisory).toMatchObject({ cause: 'YARDS_FULL', holdingArea: 'H1' });
    expect(Date.parse(traffic.advisory.waitUntil)).toBeGreaterThan(Date.now() - 60_000);
    expect((await http('GET', '/v1/driver/crossing', { token: first.token })).body.queue).toMatchObject({ status: 'CALLED' });
  });
});

describe("the traffic police's orders", () => {
  it('reach exactly the drivers en route on the ordered segments, in their language, and are withdrawn the same way', async () => {
    const g = await roadGate();
    const vietnamese = await truck(g, 'VN');
    const chinese = await truck(g, 'CN');
    const elsewhere = await truck(g, 'VN');
    const offRoad = await truck(g, 'VN');
    await post(vietnamese.id, vietnamese.token, [point(ON.S2, LON, { speedKmh: 30 })]);
    await post(chinese.id, chinese.token, [point(ON.S2 + 0.001, LON, { speedKmh: 25 })]);
    await post(elsewhere.id, elsewhere.token, [point(ON.S1, LON, { speedKmh: 50 })]);
    await post(offRoad.id, offRoad.token, [point(OFF_ROAD.lat, OFF_ROAD.lon)]);

    const validUntil = new Date(Date.now() + 3600_000).toISOString();
    const refused = await http('POST', `/v1/gates/${g.gate}/traffic-orders`, {
      token: g.police.token,
      body: {
        action: 'HOLD',
        message: 'x',
        segments: ['S2', 'NOPE'],
        holdingArea: 'NOWHERE',
        validUntil: new Date(Date.now() - 1000).toISOString(),
      },
    });
    expect(refused.status).toBe(400);
    expect((refused.body.errors as any[]).map((e) => e.path).sort()).toEqual(['validUntil']);
    const unknown = await http('POST', `/v1/gates/${g.gate}/traffic-orders`, {
      token: g.police.token,
      body: { action: 'HOLD', message: 'x', segments: ['S2', 'NOPE'], holdingArea: 'NOWHERE', validUntil },
    });
    expect((unknown.body.errors as any[]).map((e) => e.path).sort()).toEqual(['holdingArea', 'segments.1']);
    // Only the police order traffic.
    expect((await http('POST', `/v1/gates/${g.gate}/traffic-orders`, { token: g.staff.manager.token, body: {} })).status).toBe(403);

    const issued = await http('POST', `/v1/gates/${g.gate}/traffic-orders`, {
      token: g.police.token,
      body: { action: 'HOLD', message: 'Ùn tắc tại cổng, dừng chờ tại bãi', segments: ['S2'], holdingArea: 'H1', validUntil },
    });
    expect(issued.status).toBe(201);
    expect(issued.body).toMatchObject({ action: 'HOLD', segments: ['S2'], holdingArea: 'H1', recipients: 2, withdrawnAt: null });

    const [vi] = await outbox(vietnamese.phone, (m) => m.some((x) => x.event === 'TRAFFIC_ORDER'));
    const zh = (await outbox(chinese.phone, (m) => m.some((x) => x.event === 'TRAFFIC_ORDER'))).find((x) => x.event === 'TRAFFIC_ORDER');
    expect(vi.language).toBe('vi');
    expect(vi.body).toContain('Dừng chờ');
    expect(vi.body).toContain('Bãi chờ 1');
    expect(zh.language).toBe('zh');
    expect(zh.body).toContain('原地等候');
    for (const t of [elsewhere, offRoad]) {
      expect((await outbox(t.phone, () => true)).filter((x) => x.event === 'TRAFFIC_ORDER')).toEqual([]);
    }

    // On the driver pages of those it reached, and of a truck that drives into S2 afterwards; not of the others.
    const orderIds = async (token: string) => ((await http('GET', '/v1/driver/crossing', { token })).body.orders as any[]).map((o) => o.id);
    expect(await orderIds(vietnamese.token)).toEqual([issued.body.id]);
    expect(await orderIds(chinese.token)).toEqual([issued.body.id]);
    expect(await orderIds(elsewhere.token)).toEqual([]);
    await post(elsewhere.id, elsewhere.token, [point(ON.S2, LON, { speedKmh: 40 })]);
    expect(await orderIds(elsewhere.token)).toEqual([issued.body.id]);
    // Doing as told, waiting in the holding area the order names, it is still held by it.
    await post(elsewhere.id, elsewhere.token, [point(21.005, 106.005, { speedKmh: 0 })]);
    expect(await orderIds(elsewhere.token)).toEqual([issued.body.id]);
    expect((await trafficUntil(g, () => true)).orders.map((o: any) => o.id)).toEqual([issued.body.id]);

    const withdrawn = await http('DELETE', `/v1/gates/${g.gate}/traffic-orders/${issued.body.id}`, { token: g.police.token });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.withdrawnAt).not.toBeNull();
    await outbox(vietnamese.phone, (m) => m.some((x) => x.event === 'ORDER_WITHDRAWN'));
    await outbox(chinese.phone, (m) => m.some((x) => x.event === 'ORDER_WITHDRAWN' && x.language === 'zh'));
    expect(await orderIds(vietnamese.token)).toEqual([]);
    // Withdrawing again changes nothing and says what stands.
    const again = await http('DELETE', `/v1/gates/${g.gate}/traffic-orders/${issued.body.id}`, { token: g.police.token });
    expect(again.body.withdrawnAt).toBe(withdrawn.body.withdrawnAt);
    // Both in the audit trail, attributed to the officer; the repeated withdrawal added nothing.
    const audit = await db().query(`select action from audit_entry where actor = $1 and action like 'TRAFFIC_%' order by seq`, [
      g.police.id,
    ]);
    expect(audit.rows.map((r) => r.action)).toEqual(['TRAFFIC_ORDER_ISSUED', 'TRAFFIC_ORDER_WITHDRAWN']);
    const sent = await db().query(`select count(*)::int as n from notification where event = 'ORDER_WITHDRAWN' and crossing_id = any($1)`, [
      [vietnamese.id, chinese.id],
    ]);
    expect(sent.rows[0].n).toBe(2);
  });
});

describe('the public gate page', () => {
  it('shows every gate, its yards, queue, traffic and orders, and no plate, company, driver or crossing id', async () => {
    const g = await roadGate();
    const t = await truck(g, 'CN');
    await post(t.id, t.token, [point(ON.S3, LON, { speedKmh: 2 })]);
    await trafficUntil(g, (tr) => statusOf(tr, 'S3') === 'CONGESTED');
    await http('POST', `/v1/gates/${g.gate}/traffic-orders`, {
      token: g.police.token,
      body: { action: 'DIVERT', message: 'Đi đường tránh QL4A', validUntil: new Date(Date.now() + 3600_000).toISOString() },
    });

    const res = await fetch(`${system().apiUrl}/v1/public/gates`);
    expect(res.status).toBe(200);
    const gates = (await res.json()) as any[];
    const mine = gates.find((x) => x.code === g.gate);
    expect(mine).toMatchObject({
      open: true,
      traffic: expect.arrayContaining([{ segment: 'S3', name: 'Đoạn 3 (cổng)', status: 'CONGESTED' }]),
    });
    expect(mine.orders).toEqual([expect.objectContaining({ action: 'DIVERT', message: 'Đi đường tránh QL4A' })]);
    expect(gates.map((x) => x.code)).toEqual(expect.arrayContaining(['HUU_NGHI', 'TAN_THANH', 'BAC_LUAN_II', 'KIM_THANH']));
    const text = JSON.stringify(gates);
    for (const secret of [t.plate, t.plate.replace(/[-.]/g, ''), t.id, g.company.companyTaxCode, 'Li Wei', 'E12345678', t.phone]) {
      expect([secret, text.includes(secret!)]).toEqual([secret, false]);
    }
  });
});

describe('retention', () => {
  it('deletes points older than TRACK_RETENTION and keeps the rest', async () => {
    const g = await roadGate();
    const t = await truck(g);
    await post(t.id, t.token, [point(ON.S1, LON, {}, 3 * 3600_000), point(ON.S2, LON, {}, 2 * 3600_000), point(ON.S3)]);
    // The worker's retention round, with a retention of one hour, run here against the same database.
    const services = await initORM(system().databaseUrl, { poolMax: 1 });
    try {
      const deleted = await services.stores().tracking.deleteOlderThan(3600_000);
      expect(deleted).toBeGreaterThanOrEqual(2);
    } finally {
      await services.orm.close();
    }
    const left = await http('GET', `/v1/crossings/${t.id}/track`, { token: g.staff.manager.token });
    expect(left.body.points.map((p: any) => p.lat)).toEqual([ON.S3]);
  });
});
