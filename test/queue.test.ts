import { randomUUID } from 'node:crypto';
import { signDeviceRequest } from '../api/device-signature';
import { account, asAdmin, db, http, type TestAccount } from './system/client';
import { approve, declare, staffOf, waitFor, type GateStaff } from './system/crossing-flow';
import { gateWithDeadlines } from './system/test-gate';

/**
 * The virtual queue against the real system (API.md, "The virtual queue"): trucks are called forward as the yards
 * have room, priority first within the fairness limit; a called truck that does not come is sent to the back, then
 * its crossing expires; a closure stops calls and tells everyone; step deadlines start at the call.
 */

let admin: string;
beforeAll(async () => {
  admin = await asAdmin();
});

interface QueueGate {
  gate: string;
  staff: GateStaff;
  company: TestAccount;
}

/** A gate of its own keeping a queue, its one yard with `capacity` places. */
async function queueGate(capacity: number, queue: Record<string, unknown> = {}): Promise<QueueGate> {
  const gate = await gateWithDeadlines([]);
  await setGate(gate, { yards: [{ code: 'Y1', capacity }], queue: { arriveWithin: 'PT10M', ...queue } });
  return { gate, staff: await staffOf(gate), company: await account('DECLARANT', [gate]) };
}

async function setGate(gate: string, body: Record<string, unknown>) {
  const res = await http('PUT', `/v1/admin/gates/${gate}`, { token: admin, body });
  if (res.status !== 200) throw new Error(`changing gate ${gate} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A Vietnamese plate no other test uses. */
function plate(): string {
  const n = String(Math.floor(Math.random() * 100_000)).padStart(5, '0');
  return `51C-${n.slice(0, 3)}.${n.slice(3)}`;
}

/** A phone number no other test uses, so the outbox shows this test's messages only. */
function phone(): string {
  return `+8490${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
}

async function truck(q: QueueGate, opts: { priority?: boolean; driver?: Record<string, unknown> } = {}) {
  const driverPhone = phone();
  const crossing = await declare(q.company, {
    gate: q.gate,
    vehicle: { plate: plate(), trailerPlate: null, country: 'VN', grossWeightKg: 30000 },
    priority: opts.priority ? { reason: 'PERISHABLE' } : null,
    driver: { fullName: 'Tran Van B', idNumber: '001090012345', nationality: 'VN', phone: driverPhone, ...opts.driver },
  });
  return { id: crossing.id as string, phone: (opts.driver?.phone as string) ?? driverPhone, declared: crossing };
}

async function queueOf(q: QueueGate, token = q.staff.manager.token) {
  const res = await http('GET', `/v1/gates/${q.gate}/queue`, { token });
  if (res.status !== 200) throw new Error(`reading the queue failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Polls the gate's queue until `until` holds. */
async function queueUntil(q: QueueGate, until: (queue: any) => boolean, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const queue = await queueOf(q);
    if (until(queue)) return queue;
    if (Date.now() > deadline) throw new Error(`the queue did not reach the expected state: ${JSON.stringify(queue)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const statusIn = (queue: any, id: string) => queue.entries.find((e: any) => e.crossingId === id)?.status;
const called = (queue: any) => queue.entries.filter((e: any) => e.status === 'CALLED').map((e: any) => e.crossingId);

/** The queue's messages to a driver, newest first (the driver's link, sent at declaration, is not the queue's). */
async function outbox(phoneNumber: string, untilCount = 1, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await http('GET', `/dev/notifications?phone=${encodeURIComponent(phoneNumber)}`, { token: admin });
    if (res.status !== 200) throw new Error(`reading the outbox failed: ${res.status} ${JSON.stringify(res.body)}`);
    const messages = (res.body.messages as any[]).filter((m) => m.event !== 'DRIVER_LINK');
    if (messages.length >= untilCount) return messages;
    if (Date.now() > deadline) throw new Error(`the outbox holds ${messages.length} messages for the driver, not ${untilCount}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function historyTypes(token: string, crossingId: string): Promise<string[]> {
  const res = await http('GET', `/v1/crossings/${crossingId}/history`, { token });
  return (res.body.items as any[]).map((e) => e.type);
}

describe('the virtual queue', () => {
  it('calls priority trucks first, at most priorityPerRegular before a waiting regular one, one per free place', async () => {
    const q = await queueGate(0, { priorityPerRegular: 2 });
    const r1 = await truck(q);
    const p1 = await truck(q, { priority: true });
    const p2 = await truck(q, { priority: true });
    const p3 = await truck(q, { priority: true });
    const r2 = await truck(q);
    const expected = [p1.id, p2.id, r1.id, p3.id, r2.id];

    // No place: no one is called, and the queue shows the order it will call in, with positions from 1.
    const waiting = await queueOf(q);
    expect(waiting.entries.map((e: any) => [e.crossingId, e.status, e.position])).toEqual(expected.map((id, i) => [id, 'WAITING', i + 1]));
    // A truck waiting for its call is never overdue: its step has no deadline yet.
    const view = (await http('GET', `/v1/crossings/${r1.id}`, { token: q.company.token })).body;
    expect(view.queue).toMatchObject({ status: 'WAITING', position: 3, arriveBy: null });
    expect(view.steps.find((s: any) => s.step === 'health-check')).not.toHaveProperty('slaAt');

    // One place at a time: each calls exactly the next truck in that order.
    for (let places = 1; places <= expected.length; places++) {
      await setGate(q.gate, { yards: [{ code: 'Y1', capacity: places }] });
      const queue = await queueUntil(q, (s) => called(s).length === places);
      expect(called(queue).sort()).toEqual(expected.slice(0, places).sort());
    }
  });

  it('holds calls while the yard is full, and a freed place calls the next truck', async () => {
    const q = await queueGate(1);
    const first = await truck(q);
    const second = await truck(q);
    await queueUntil(q, (s) => statusIn(s, first.id) === 'CALLED');
    // Still full a little later: the second truck waits, first in line.
    await new Promise((r) => setTimeout(r, 1000));
    const full = await queueOf(q);
    expect(statusIn(full, second.id)).toBe('WAITING');
    expect(full.entries.find((e: any) => e.crossingId === second.id).position).toBe(1);

    // The first truck's crossing ends: its place is free, and the second truck is called.
    const cancel = await http('POST', `/v1/crossings/${first.id}/cancel`, { token: q.company.token, body: { reason: 'Load not ready' } });
    expect(cancel.status).toBe(200);
    await queueUntil(q, (s) => statusIn(s, second.id) === 'CALLED');

    // Its deadlines run from the call: the waiting step started when it was called.
    const view = await waitFor(q.company.token, second.id, (v) => v.queue?.status === 'CALLED' && v.steps[1].slaAt);
    const entry = (await queueOf(q)).entries.find((e: any) => e.crossingId === second.id);
    expect(view.steps.find((s: any) => s.step === 'health-check').startedAt).toBe(entry.calledAt);
    expect(view.queue.arriveBy).toBe(entry.arriveBy);
    expect(await historyTypes(q.company.token, second.id)).toEqual(expect.arrayContaining(['QUEUE_JOINED', 'QUEUE_CALLED']));

    // The measures: the queue now, and the wait from joining to the first call of the two called.
    const stats = (await http('GET', `/v1/stats/gates/${q.gate}`, { token: q.staff.manager.token })).body;
    expect(stats.queue).toEqual({ waiting: 0, called: 1 });
    expect(stats.queueWait).toMatchObject({ count: 2 });
    expect(stats.queueWait.p90).toBeGreaterThan(0.5);
  });

  it('sends a called truck that does not come to the back, then ends its crossing EXPIRED with its place released', async () => {
    const q = await queueGate(1, { arriveWithin: 'PT2S', noShowRequeues: 1 });
    const late = await truck(q);
    // Called, missed; requeued at the back and, the place free again, called again; missed again: expired.
    const ended = await waitFor(q.company.token, late.id, (v) => v.status === 'EXPIRED', 30_000);
    expect(ended.steps.find((s: any) => s.step === 'health-check')).toMatchObject({ status: 'SKIPPED' });
    const types = await historyTypes(q.company.token, late.id);
    expect(types.filter((t) => t === 'QUEUE_CALLED')).toHaveLength(2);
    expect(types.filter((t) => t === 'QUEUE_NO_SHOW')).toHaveLength(1);
    expect(types).toEqual(expect.arrayContaining(['QUEUE_EXPIRED', 'ENDED']));
    // Compensation: the place its call reserved is released, and the queue no longer lists it.
    const { rows } = await db().query('select released_at from yard_reservation where crossing_id = $1', [late.id]);
    expect(rows[0].released_at).not.toBeNull();
    await queueUntil(q, (s) => statusIn(s, late.id) === undefined);
    // The driver was told each time, in Vietnamese.
    const messages = await outbox(late.phone, 4);
    expect(messages.map((m) => m.event)).toEqual(['EXPIRED', 'CALLED', 'NO_SHOW', 'CALLED']);
    expect(messages.every((m) => m.language === 'vi')).toBe(true);
  });

  it('ends a crossing never called once it has waited the longest wait', async () => {
    const q = await queueGate(0, { maxWait: 'PT2S' });
    const forgotten = await truck(q);
    const ended = await waitFor(q.company.token, forgotten.id, (v) => v.status === 'EXPIRED', 30_000);
    expect(ended.steps.find((s: any) => s.step === 'health-check').reason).toMatch(/expired/);
    expect(await historyTypes(q.company.token, forgotten.id)).toContain('QUEUE_EXPIRED');
  });

  it('stops calls while the gate is closed, tells everyone, and resumes in order when it reopens', async () => {
    const q = await queueGate(1);
    const a = await truck(q);
    const b = await truck(q);
    const c = await truck(q);
    await queueUntil(q, (s) => statusIn(s, a.id) === 'CALLED');

    const reopenAt = new Date(Date.now() + 3 * 3600_000).toISOString();
    const closing = await http('POST', `/v1/gates/${q.gate}/closure`, {
      token: q.staff.manager.token,
      body: { reason: 'Typhoon warning', expectedReopenAt: reopenAt },
    });
    expect(closing.status).toBe(200);
    expect(closing.body).toMatchObject({ open: false, closure: { reason: 'Typhoon warning', expectedReopenAt: reopenAt } });
    // A second closure is a conflict; only a manager closes.
    expect((await http('POST', `/v1/gates/${q.gate}/closure`, { token: q.staff.manager.token, body: { reason: 'again' } })).status).toBe(
      409,
    );
    expect((await http('POST', `/v1/gates/${q.gate}/closure`, { token: q.staff.guard.token, body: { reason: 'x' } })).status).toBe(403);

    // Everyone queued or called is told at once.
    for (const t of [a, b, c]) expect((await outbox(t.phone, 1)).map((m) => m.event)).toContain('CLOSED');

    // The called truck has not come: its call is withdrawn (a closure is no truck's fault), and it keeps its place,
    // first here (no priority truck waits), its step clock stopped. No one is called while the gate is closed.
    const closed = await queueUntil(q, (s) => statusIn(s, a.id) === 'WAITING');
    expect(closed.open).toBe(false);
    expect(closed.entries.find((e: any) => e.crossingId === a.id).position).toBe(1);
    const paused = await waitFor(q.company.token, a.id, (v) => v.queue?.status === 'WAITING');
    expect(paused.steps.find((s: any) => s.step === 'health-check')).not.toHaveProperty('slaAt');
    await new Promise((r) => setTimeout(r, 1500));
    expect(called(await queueOf(q))).toEqual([]);

    const reopening = await http('DELETE', `/v1/gates/${q.gate}/closure`, { token: q.staff.manager.token });
    expect(reopening.status).toBe(200);
    expect(reopening.body).toMatchObject({ open: true, closure: null });
    expect((await http('DELETE', `/v1/gates/${q.gate}/closure`, { token: q.staff.manager.token })).status).toBe(409);
    // In order: a again, then (its place freed) b.
    const resumed = await queueUntil(q, (s) => called(s).length === 1);
    expect(called(resumed)).toEqual([a.id]);
    expect(await historyTypes(q.company.token, a.id)).toEqual(expect.arrayContaining(['QUEUE_CALL_WITHDRAWN']));
    await http('POST', `/v1/crossings/${a.id}/cancel`, { token: q.company.token, body: { reason: 'Turned back' } });
    const next = await queueUntil(q, (s) => called(s).length === 1 && called(s)[0] === b.id);
    expect(statusIn(next, c.id)).toBe('WAITING');
    expect((await outbox(c.phone, 2)).map((m) => m.event)).toEqual(['REOPENED', 'CLOSED']);

    // Both are in the audit trail, with the manager's account.
    const { rows } = await db().query(
      `select action from audit_entry where action in ('GATE_CLOSED', 'GATE_REOPENED') and actor = $1 order by seq`,
      [q.staff.manager.id],
    );
    expect(rows.map((r) => r.action)).toEqual(['GATE_CLOSED', 'GATE_REOPENED']);
  });

  it("writes a Chinese driver's messages in Chinese, a Vietnamese driver's in Vietnamese", async () => {
    const q = await queueGate(2);
    const chinese = await truck(q, { driver: { fullName: 'Li Wei', idNumber: 'E12345678', nationality: 'CN', phone: phone() } });
    const vietnamese = await truck(q);
    const [zh] = await outbox(chinese.phone);
    const [vi] = await outbox(vietnamese.phone);
    expect(zh).toMatchObject({ event: 'CALLED', language: 'zh', crossingId: chinese.id });
    expect(zh.body).toMatch(/[\u4e00-\u9fff]/);
    expect(vi).toMatchObject({ event: 'CALLED', language: 'vi', crossingId: vietnamese.id });
    expect(vi.body).toMatch(/[ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđ]/i);
  });

  it('holds an uncalled truck at the entry barrier, "not called yet", until the guard admits it', async () => {
    const q = await queueGate(1);
    await truck(q); // takes the one place
    const uncalled = await truck(q);
    const code = `D-${randomUUID().slice(0, 8).toUpperCase()}`;
    const reg = await http('POST', '/v1/admin/devices', {
      token: admin,
      body: { code, gate: q.gate, point: 'BARRIER_ENTRY', kind: 'BARRIER' },
    });
    expect(reg.status).toBe(201);
    const body = JSON.stringify({
      eventId: randomUUID(),
      plate: uncalled.declared.declaration.vehicle.plate,
      at: new Date().toISOString(),
      confidence: 0.97,
    });
    const answer = await http('POST', '/v1/gate-events', {
      body,
      headers: { 'content-type': 'application/json', 'X-Device': code, 'X-Signature': signDeviceRequest(reg.body.secret, body) },
    });
    expect(answer.body).toMatchObject({ crossingId: uncalled.id, action: 'HOLD' });
    expect(answer.body.reason).toMatch(/^Not called yet/);

    // An officer may decide a truck that was not called: the guard's admission is its arrival.
    await approve(q.staff, uncalled.id, ['health-check', 'border-entry']);
    const admitted = await waitFor(q.company.token, uncalled.id, (v) => v.queue?.status === 'ARRIVED');
    expect(admitted.steps.find((s: any) => s.step === 'customs-inspection').slaAt).toBeDefined();
    await queueUntil(q, (s) => statusIn(s, uncalled.id) === 'ARRIVED');
  });

  it("counts the guard's border-entry decision as the arrival, even a return: no no-show follows", async () => {
    const q = await queueGate(1, { arriveWithin: 'PT2S' });
    const t = await truck(q);
    await queueUntil(q, (s) => statusIn(s, t.id) === 'CALLED');
    await approve(q.staff, t.id, ['health-check']);
    const returned = await http('POST', `/v1/crossings/${t.id}/steps/border-entry/decision`, {
      token: q.staff.guard.token,
      body: { outcome: 'RETURN', reason: 'Trailer plate differs', fields: [{ path: 'vehicle.trailerPlate', message: 'check it' }] },
    });
    expect(returned.status).toBe(200);
    expect(returned.body.queue.status).toBe('ARRIVED');
    // Past its arrival deadline it is still there, waiting for the corrected form, not sent to the back.
    await new Promise((r) => setTimeout(r, 3000));
    expect(statusIn(await queueOf(q), t.id)).toBe('ARRIVED');
    expect(await historyTypes(q.company.token, t.id)).not.toContain('QUEUE_NO_SHOW');
  });

  it('passes over a truck whose form was returned while it waited, keeping its place until the form stands', async () => {
    const q = await queueGate(0);
    const first = await truck(q);
    const second = await truck(q);
    const returned = await http('POST', `/v1/crossings/${first.id}/steps/health-check/decision`, {
      token: q.staff.health.token,
      body: { outcome: 'RETURN', reason: 'Temperature missing', fields: [{ path: 'health.temperatureC', message: 'measure again' }] },
    });
    expect(returned.status).toBe(200);
    const held = await queueUntil(q, (s) => s.entries.find((e: any) => e.crossingId === first.id)?.position === null);
    expect(held.entries.find((e: any) => e.crossingId === second.id).position).toBe(1);
    await setGate(q.gate, { yards: [{ code: 'Y1', capacity: 1 }] });
    await queueUntil(q, (s) => statusIn(s, second.id) === 'CALLED');
    expect(statusIn(await queueOf(q), first.id)).toBe('WAITING');
    // Corrected: it stands again, first in line, and is called with the next place.
    const { declared } = first;
    const resubmitted = await http('PUT', `/v1/crossings/${first.id}/declaration`, {
      token: q.company.token,
      body: { ...declared.declaration, health: { ...declared.declaration.health, temperatureC: 36.6 } },
    });
    expect(resubmitted.status).toBe(200);
    await queueUntil(q, (s) => s.entries.find((e: any) => e.crossingId === first.id)?.position === 1);
    await setGate(q.gate, { yards: [{ code: 'Y1', capacity: 2 }] });
    await queueUntil(q, (s) => statusIn(s, first.id) === 'CALLED');
  });

  it('answers clearly for bad queue requests and leaves nothing changed', async () => {
    const q = await queueGate(1);
    const bad = await http('PUT', `/v1/admin/gates/${q.gate}`, {
      token: admin,
      body: { queue: { arriveWithin: 'soon', priorityPerRegular: -1, noShowRequeues: 1.5, maxWait: 'P1Y' } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => e.path).sort()).toEqual(
      ['queue.arriveWithin', 'queue.maxWait', 'queue.noShowRequeues', 'queue.priorityPerRegular'].sort(),
    );
    const past = await http('POST', `/v1/gates/${q.gate}/closure`, {
      token: q.staff.manager.token,
      body: { reason: '', expectedReopenAt: '2020-01-01T00:00:00Z' },
    });
    expect(past.status).toBe(400);
    expect(past.body.errors.map((e: any) => e.path).sort()).toEqual(['expectedReopenAt', 'reason']);
    expect((await queueOf(q)).open).toBe(true);
    expect((await http('GET', '/v1/gates/NO_SUCH_GATE/queue', { token: admin })).status).toBe(404);
    // A truck in the queue keeps the queue on.
    await truck(q);
    await truck(q);
    expect((await http('PUT', `/v1/admin/gates/${q.gate}`, { token: admin, body: { queue: null } })).status).toBe(409);
  });

  it('shows a declarant its own trucks only', async () => {
    const q = await queueGate(0);
    const mine = await truck(q);
    const other = await account('DECLARANT', [q.gate]);
    await declare(other, {
      gate: q.gate,
      vehicle: { plate: plate(), trailerPlate: null, country: 'VN', grossWeightKg: 30000 },
    });
    const seen = await queueOf(q, q.company.token);
    expect(seen.entries.map((e: any) => e.crossingId)).toEqual([mine.id]);
    expect(seen.entries[0].position).toBe(1);
    const all = await queueOf(q);
    expect(all.entries).toHaveLength(2);
  });
});
