import { account, http } from './system/client';
import { approve, decide, declare, staffOf } from './system/crossing-flow';
import { gateWithDeadlines } from './system/test-gate';

const PLAIN = ['health-check', 'border-entry', 'customs-inspection', 'fee-payment', 'border-exit'];

describe("a gate's measures", () => {
  it('count what happened at the gate today: declared, cleared, denied, open per step, dwell per step, end to end', async () => {
    const gate = await gateWithDeadlines([]);
    const staff = await staffOf(gate);
    const company = await account('DECLARANT', [gate]);
    const cleared = await declare(company, { gate });
    const denied = await declare(company, { gate });
    const waiting = await declare(company, { gate });
    await approve(staff, cleared.id, PLAIN);
    expect((await decide(staff.health, denied.id, 'health-check', { outcome: 'DENY', reason: 'Fever and cough' })).status).toBe(200);
    await approve(staff, waiting.id, ['health-check', 'border-entry']);

    const stats = await http('GET', `/v1/stats/gates/${gate}`, { token: staff.manager.token });
    expect(stats.status).toBe(200);
    expect(stats.body).toMatchObject({ gate, declared: 3, cleared: 1, denied: 1, expired: 0, cancelled: 0, queue: null, queueWait: null });
    expect(stats.body.open.byStep).toEqual({ 'customs-inspection': 1 });
    expect(stats.body.overdue.byStep).toEqual({});
    // Three health checks (two approvals, one denial), two border entries; the later steps decided once.
    expect(stats.body.dwell.byStep['health-check'].count).toBe(3);
    expect(stats.body.dwell.byStep['border-entry'].count).toBe(2);
    expect(stats.body.dwell.byStep['border-exit'].count).toBe(1);
    expect(stats.body.dwell.byStep.quarantine).toBeUndefined();
    for (const spread of Object.values<any>(stats.body.dwell.byStep)) expect(spread.p50).toBeGreaterThanOrEqual(0);
    expect(stats.body.endToEnd.count).toBe(1);
    expect(stats.body.endToEnd.p90).toBeGreaterThanOrEqual(stats.body.endToEnd.p50);
    // Every hour the last 24 touch (25 unless now is on the hour), each labelled in the gate's local time; the one
    // cleared crossing in one of them.
    expect(stats.body.clearedPerHour.length).toBeGreaterThanOrEqual(24);
    expect(stats.body.clearedPerHour.every((h: any) => h.hour.endsWith(':00:00+07:00'))).toBe(true);
    expect(stats.body.clearedPerHour.reduce((sum: number, h: any) => sum + h.n, 0)).toBe(1);
    // The admitted truck holds a reservation (no yard camera saw it enter); the cleared one released its place.
    expect(stats.body.yards).toEqual([{ code: 'Y1', capacity: 10, occupied: 0, reserved: 1 }]);
  });

  it('cover a period that is asked for, and nothing outside it', async () => {
    const gate = await gateWithDeadlines([]);
    const staff = await staffOf(gate);
    const company = await account('DECLARANT', [gate]);
    await declare(company, { gate });
    const tomorrow = new Date(Date.now() + 86_400_000);
    const later = await http(
      'GET',
      `/v1/stats/gates/${gate}?from=${encodeURIComponent(tomorrow.toISOString())}&to=${encodeURIComponent(new Date(tomorrow.getTime() + 3600_000).toISOString())}`,
      {
        token: staff.manager.token,
      },
    );
    expect(later.status).toBe(200);
    expect(later.body).toMatchObject({ declared: 0, cleared: 0 });
    expect(later.body.clearedPerHour.map((h: any) => h.n)).toEqual([0, 0]);
    // Open now, whatever the period.
    expect(later.body.open.byStep).toEqual({ 'health-check': 1 });
  });

  it('refuse a period that is backwards or too long, naming the field', async () => {
    const staff = await staffOf('HUU_NGHI');
    const backwards = await http('GET', '/v1/stats/gates/HUU_NGHI?from=2026-12-02T00:00:00%2B07:00&to=2026-12-01T00:00:00%2B07:00', {
      token: staff.manager.token,
    });
    expect(backwards.status).toBe(400);
    expect(backwards.body.errors).toEqual([{ path: 'query.from', message: 'must be before to' }]);
    const long = await http('GET', '/v1/stats/gates/HUU_NGHI?from=2026-01-01T00:00:00%2B07:00&to=2026-12-01T00:00:00%2B07:00', {
      token: staff.manager.token,
    });
    expect(long.status).toBe(400);
  });

  it('are not shown to a manager of another gate, nor for a gate that does not exist', async () => {
    const staff = await staffOf('KIM_THANH');
    expect((await http('GET', '/v1/stats/gates/HUU_NGHI', { token: staff.manager.token })).status).toBe(404);
    expect((await http('GET', '/v1/stats/gates/NO_SUCH_GATE', { token: staff.manager.token })).status).toBe(404);
  });
});
