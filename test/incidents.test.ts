import { randomUUID } from 'node:crypto';
import { asAdmin, account, db, http } from './system/client';
import { approve, declare, decide, staffOf } from './system/crossing-flow';

/**
 * A side effect that keeps failing for a reason retrying cannot cure does not jam a crossing: the crossing keeps its
 * state and says what failed (its `incident`), managers list it, an admin retries it once the cause is fixed, and
 * cancellation still works meanwhile. Told with a gate whose yard was never set up: the border guard's approval then
 * has nowhere to reserve a place.
 */
async function gateWithoutYard(): Promise<string> {
  const code = `T_${randomUUID().replace(/-/g, '').slice(0, 12).toUpperCase()}`;
  await db().query(
    `insert into gate (code, name, province, fee_collector) values ($1, 'No yard yet', 'Lạng Sơn', 'GATE_MANAGEMENT_CENTRE')`,
    [code],
  );
  return code;
}

describe('incidents', () => {
  it('records an incident, lists it for managers, refuses new decisions until an admin retries, then goes on', async () => {
    const gate = await gateWithoutYard();
    const staff = await staffOf(gate);
    const company = await account('DECLARANT', [gate]);
    const crossing = await declare(company, { gate });
    await approve(staff, crossing.id, ['health-check']);

    const started = Date.now();
    const entry = await decide(staff.guard, crossing.id, 'border-entry');
    expect(Date.now() - started).toBeLessThan(15_000); // answered, not jammed
    expect(entry.status).toBe(200);
    expect(entry.body.incident).toMatchObject({ step: 'customs-inspection', retries: 0, message: expect.stringMatching(/has no yard/) });

    const listed = await http('GET', `/v1/crossings?incident=true&gate=${gate}`, { token: staff.manager.token });
    expect(listed.body.items.map((i: { id: string }) => i.id)).toEqual([crossing.id]);
    expect((await http('GET', `/v1/crossings?incident=true`, { token: staff.guard.token })).status).toBe(403);
    // The read model shows what the Update answered: the decision made, the crossing held at its next step.
    const shown = await http('GET', `/v1/crossings/${crossing.id}`, { token: staff.manager.token });
    expect(shown.body).toMatchObject({ currentStep: 'customs-inspection', incident: entry.body.incident, updatedAt: entry.body.updatedAt });
    expect(listed.body.items[0]).toMatchObject({ currentStep: 'customs-inspection' });

    const blocked = await decide(staff.customs, crossing.id, 'customs-inspection');
    expect(blocked.status).toBe(409);
    expect(blocked.body.detail).toMatch(/incident/);

    // Retrying before the cause is fixed fails again, counted.
    const admin = await asAdmin();
    const again = await http('POST', `/v1/crossings/${crossing.id}/incident/retry`, {
      token: admin,
      headers: { 'Idempotency-Key': randomUUID() },
    });
    expect(again.status).toBe(200);
    expect(again.body.incident).toMatchObject({ retries: 1 });

    await db().query(`insert into yard (gate_code, code, capacity) values ($1, 'Y1', 10)`, [gate]);
    const fixed = await http('POST', `/v1/crossings/${crossing.id}/incident/retry`, {
      token: admin,
      headers: { 'Idempotency-Key': randomUUID() },
    });
    expect(fixed.status).toBe(200);
    expect(fixed.body.incident).toBeNull();
    expect(fixed.body.yardCode).toBe('Y1');
    expect((await http('GET', `/v1/crossings?incident=true&gate=${gate}`, { token: staff.manager.token })).body.items).toEqual([]);

    const cleared = await approve(staff, crossing.id, ['customs-inspection', 'fee-payment', 'border-exit']);
    expect(cleared.body.status).toBe('CLEARED');
    const history = await http('GET', `/v1/crossings/${crossing.id}/history`, { token: company.token });
    expect(history.body.items.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['INCIDENT', 'INCIDENT_RETRIED']));
  });

  it('keeps a crossing whose very row PostgreSQL refuses in the lists, with its incident, until an admin retries it', async () => {
    // A rule the database holds and the API cannot know of (here a trigger standing in for a constraint an operator
    // added) refuses the crossing's row for a value in its declaration. Every write of the row fails, the incident's
    // own write included; the crossing must still be found, listed as an incident and retried.
    const marker = `Refused Name ${randomUUID().slice(0, 8)}`;
    await db().query(`
      create or replace function refuse_marked_crossing() returns trigger language plpgsql as $$
      begin
        if new.view->'declaration'->'driver'->>'fullName' like 'Refused Name %' then
          raise exception 'crossing row refused' using errcode = '23514';
        end if;
        return new;
      end $$`);
    await db().query(
      `create or replace trigger refuse_marked_crossing before insert or update on crossing for each row execute function refuse_marked_crossing()`,
    );
    const dropTrigger = () => db().query(`drop trigger if exists refuse_marked_crossing on crossing`);
    try {
      const staff = await staffOf();
      const company = await account('DECLARANT');
      const created = await declare(company, { driver: { fullName: marker, idNumber: '001090099999', nationality: 'VN', phone: null } });
      expect(created.incident).toMatchObject({ step: 'health-check', message: expect.stringMatching(/^PostgreSQL error 23514/) });

      const listed = await http('GET', `/v1/crossings?incident=true&gate=HUU_NGHI&limit=100`, { token: staff.manager.token });
      expect(listed.body.items.map((i: { id: string }) => i.id)).toContain(created.id);
      const shown = await http('GET', `/v1/crossings/${created.id}`, { token: company.token });
      expect(shown.status).toBe(200);
      expect(shown.body).toMatchObject({
        status: 'IN_PROGRESS',
        currentStep: 'health-check',
        declaration: { gate: 'HUU_NGHI', vehicle: { plate: created.declaration.vehicle.plate } },
        incident: { message: expect.stringMatching(/^PostgreSQL error 23514 .*only part of this crossing's view.*\?consistent=true/) },
      });
      expect(shown.body.declaration.driver).toBeUndefined(); // what was refused is not what was kept
      const whole = await http('GET', `/v1/crossings/${created.id}?consistent=true`, { token: company.token });
      expect(whole.body.declaration.driver.fullName).toBe(marker);

      await dropTrigger();
      const admin = await asAdmin();
      const fixed = await http('POST', `/v1/crossings/${created.id}/incident/retry`, {
        token: admin,
        headers: { 'Idempotency-Key': randomUUID() },
      });
      expect([fixed.status, fixed.body.incident]).toEqual([200, null]);
      const after = await http('GET', `/v1/crossings/${created.id}`, { token: company.token });
      expect([after.body.incident, after.body.declaration.driver?.fullName]).toEqual([null, marker]);
      const history = await http('GET', `/v1/crossings/${created.id}/history`, { token: company.token });
      expect(history.body.items.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['INCIDENT', 'INCIDENT_RETRIED']));
      expect(history.body.declarationVersions).toHaveLength(1);
    } finally {
      await dropTrigger();
    }
  });

  it('lets a crossing with an incident be cancelled, its compensation run, and its workflow end', async () => {
    const gate = await gateWithoutYard();
    const staff = await staffOf(gate);
    const company = await account('DECLARANT', [gate]);
    const crossing = await declare(company, { gate });
    await approve(staff, crossing.id, ['health-check']);
    const entry = await decide(staff.guard, crossing.id, 'border-entry');
    expect([entry.status, entry.body.incident?.message]).toEqual([200, expect.stringMatching(/has no yard/)]);

    const cancelled = await http('POST', `/v1/crossings/${crossing.id}/cancel`, {
      token: company.token,
      body: { reason: 'waited too long' },
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'CANCELLED', incident: null });
    expect(cancelled.body.compensations.every((c: { status: string }) => c.status === 'DONE')).toBe(true);
    const live = await http('GET', `/v1/crossings/${crossing.id}?consistent=true`, { token: company.token });
    expect(live.body.status).toBe('CANCELLED');
  });
});
