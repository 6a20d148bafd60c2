import { account, db, declaration, http } from './system/client';
import { approve, decide, declare, RUBBER, staffOf, statusOf } from './system/crossing-flow';

describe('the crossing lifecycle', () => {
  it('clears a plain export through every step, with each decision attributed', async () => {
    const staff = await staffOf();
    const company = await account('DECLARANT');
    const created = await declare(company);
    expect(statusOf(created)).toMatchObject({ quarantine: 'SKIPPED', transshipment: 'SKIPPED', 'health-check': 'WAITING' });

    const afterEntry = await approve(staff, created.id, ['health-check', 'border-entry']);
    expect(afterEntry.body.yardCode).toMatch(/^HN-Y/);
    const reserved = await db().query('select yard_code, released_at from yard_reservation where crossing_id = $1', [created.id]);
    expect(reserved.rows).toEqual([{ yard_code: afterEntry.body.yardCode, released_at: null }]);

    const cleared = await approve(staff, created.id, ['customs-inspection', 'fee-payment', 'border-exit']);
    expect(cleared.body.status).toBe('CLEARED');
    expect(cleared.body.currentStep).toBeNull();
    expect(statusOf(cleared.body)).toEqual({
      declaration: 'APPROVED',
      'health-check': 'APPROVED',
      'border-entry': 'APPROVED',
      quarantine: 'SKIPPED',
      transshipment: 'SKIPPED',
      'customs-inspection': 'APPROVED',
      'fee-payment': 'APPROVED',
      'border-exit': 'APPROVED',
    });
    const byStep = Object.fromEntries(cleared.body.steps.map((s: any) => [s.step, s]));
    expect(byStep['health-check'].decidedBy).toBe(staff.health.id);
    expect(byStep['border-exit'].decidedBy).toBe(staff.guard.id);
    expect(byStep['fee-payment'].receiptNo).toMatch(/^BL-/);
    expect(cleared.body.compensations).toEqual([]);

    // The truck left: its yard place is free again.
    const released = await db().query('select released_at from yard_reservation where crossing_id = $1', [created.id]);
    expect(released.rows[0].released_at).not.toBeNull();

    const history = await http('GET', `/v1/crossings/${created.id}/history`, { token: company.token });
    expect(history.status).toBe(200);
    const decisions = history.body.items.filter((e: any) => e.type === 'DECISION');
    expect(decisions.map((e: any) => [e.step, e.actor.username])).toEqual([
      ['health-check', staff.health.username],
      ['border-entry', staff.guard.username],
      ['customs-inspection', staff.customs.username],
      ['fee-payment', staff.fees.username],
      ['border-exit', staff.guard.username],
    ]);
    expect(history.body.items.at(-1)).toMatchObject({ type: 'ENDED', data: { status: 'CLEARED' } });

    const listed = await http('GET', `/v1/crossings?status=CLEARED&plate=12C-123.45`, { token: staff.manager.token });
    expect(listed.body.items.map((i: any) => i.id)).toContain(created.id);
  });

  it('sends a priority import with a plant-quarantine line through quarantine, on the shorter priority deadlines', async () => {
    const staff = await staffOf();
    const company = await account('DECLARANT');
    const apples = {
      hsCode: '08081000',
      description: 'Fresh apples',
      quantity: 1500,
      unit: 'CARTON',
      netWeightKg: 15000,
      valueUsd: 18000,
      origin: 'CN',
    };
    const created = await declare(company, {
      direction: 'IMPORT',
      priority: { reason: 'PERISHABLE' },
      vehicle: { plate: '桂A12345', country: 'CN', grossWeightKg: 25000 },
      goods: [apples],
    });
    expect(created.category).toBe('PRIORITY');
    const health = created.steps.find((s: any) => s.step === 'health-check');
    expect(Date.parse(health.slaAt) - Date.parse(health.startedAt)).toBe(15 * 60_000);
    expect(Date.parse(health.expiresAt) - Date.parse(health.startedAt)).toBe(12 * 3600_000);

    const atQuarantine = await approve(staff, created.id, ['health-check', 'border-entry']);
    expect(atQuarantine.body.currentStep).toBe('quarantine');
    const queue = await http('GET', '/v1/crossings', { token: staff.quarantine.token });
    expect(queue.status).toBe(200);
    expect(queue.body.items.map((i: any) => i.id)).toContain(created.id);
    expect(queue.body.items.every((i: any) => i.currentStep === 'quarantine')).toBe(true);

    const cleared = await approve(staff, created.id, ['quarantine', 'customs-inspection', 'fee-payment', 'border-exit']);
    expect(cleared.body.status).toBe('CLEARED');
    expect(statusOf(cleared.body).quarantine).toBe('APPROVED');
  });

  it('moves a transshipment crossing through registration, customs approval and the yard’s confirmation', async () => {
    const staff = await staffOf();
    const company = await account('DECLARANT');
    const created = await declare(company, { transshipment: true });
    expect(created.category).toBe('TRANSSHIPMENT');
    await approve(staff, created.id, ['health-check', 'border-entry']);

    // Customs cannot approve before the declarant registered the transfer.
    const early = await decide(staff.customs, created.id, 'transshipment');
    expect(early.status).toBe(409);
    expect(early.body.detail).toMatch(/waiting at transshipment for the declarant to register the transfer/);

    const badYard = await http('POST', `/v1/crossings/${created.id}/transshipment`, {
      token: company.token,
      body: { yardCode: 'NOWHERE', toVehicle: { plate: '桂A54321', country: 'CN' } },
    });
    expect(badYard.status).toBe(400);
    // The receiving truck crosses the same barriers: its plate is held to the same rule as the declared one.
    const badPlate = await http('POST', `/v1/crossings/${created.id}/transshipment`, {
      token: company.token,
      body: { yardCode: 'HN-Y2', toVehicle: { plate: 'NOT-A-PLATE', country: 'CN' } },
    });
    expect(badPlate.status).toBe(400);
    expect(badPlate.body.errors).toEqual([
      { path: 'toVehicle.plate', message: expect.stringMatching(/not a Vietnamese .* or Chinese .* plate/) },
    ]);
    const registered = await http('POST', `/v1/crossings/${created.id}/transshipment`, {
      token: company.token,
      body: { yardCode: 'HN-Y2', toVehicle: { plate: '桂A54321', country: 'CN' } },
    });
    expect(registered.status).toBe(200);
    expect(registered.body.transshipment).toMatchObject({ stage: 'APPROVAL', yardCode: 'HN-Y2' });

    const tooEarly = await http('POST', `/v1/crossings/${created.id}/transshipment/complete`, { token: staff.yard.token, body: {} });
    expect(tooEarly.status).toBe(409);
    const approved = await decide(staff.customs, created.id, 'transshipment');
    expect(approved.status).toBe(200);
    expect(approved.body.transshipment.stage).toBe('COMPLETION');
    expect(approved.body.currentStep).toBe('transshipment');

    const done = await http('POST', `/v1/crossings/${created.id}/transshipment/complete`, {
      token: staff.yard.token,
      body: { note: 'moved to 桂A54321' },
    });
    expect(done.status).toBe(200);
    expect(done.body.currentStep).toBe('customs-inspection');
    expect(statusOf(done.body).transshipment).toBe('APPROVED');
    const booking = await db().query('select yard_code, to_plate, cancelled_at from transshipment_booking where crossing_id = $1', [
      created.id,
    ]);
    expect(booking.rows).toEqual([{ yard_code: 'HN-Y2', to_plate: '桂A54321', cancelled_at: null }]);

    const cleared = await approve(staff, created.id, ['customs-inspection', 'fee-payment', 'border-exit']);
    expect(cleared.body.status).toBe('CLEARED');
  });

  it('clears with version 3 after a form is returned twice at customs-inspection and resubmitted twice', async () => {
    const staff = await staffOf();
    const company = await account('DECLARANT');
    const created = await declare(company);
    await approve(staff, created.id, ['health-check', 'border-entry']);

    const firstReturn = await decide(staff.customs, created.id, 'customs-inspection', {
      outcome: 'RETURN',
      reason: 'Net weight does not match the scan',
      fields: [{ path: 'goods.0.netWeightKg', message: 'scan shows about 19,500 kg' }],
    });
    expect(firstReturn.status).toBe(200);
    expect(firstReturn.body.status).toBe('AWAITING_CORRECTION');
    expect(statusOf(firstReturn.body)['customs-inspection']).toBe('RETURNED');
    expect(firstReturn.body.currentStep).toBe('customs-inspection');

    // Customs cannot decide again while the form is with the declarant.
    expect((await decide(staff.customs, created.id, 'customs-inspection')).status).toBe(409);
    // A resubmission must be valid like a declaration.
    const invalid = await http('PUT', `/v1/crossings/${created.id}/declaration`, {
      token: company.token,
      body: { ...declaration(), goods: [] },
    });
    expect(invalid.status).toBe(400);

    const v2 = await http('PUT', `/v1/crossings/${created.id}/declaration`, {
      token: company.token,
      body: declaration({ goods: [{ ...RUBBER, netWeightKg: 19500 }] }),
    });
    expect(v2.status).toBe(200);
    expect(v2.body).toMatchObject({ status: 'IN_PROGRESS', declarationVersion: 2, currentStep: 'customs-inspection' });
    expect(v2.body.returns[0]).toMatchObject({ step: 'customs-inspection', resolvedByVersion: 2, changed: ['goods.0.netWeightKg'] });
    // Earlier approvals stand.
    expect(statusOf(v2.body)).toMatchObject({ 'health-check': 'APPROVED', 'border-entry': 'APPROVED', 'customs-inspection': 'WAITING' });

    // Resubmitting when nothing was returned is refused.
    const notReturned = await http('PUT', `/v1/crossings/${created.id}/declaration`, {
      token: company.token,
      body: declaration({ goods: [RUBBER] }),
    });
    expect(notReturned.status).toBe(409);

    await decide(staff.customs, created.id, 'customs-inspection', {
      outcome: 'RETURN',
      reason: 'Seal number unreadable',
      fields: [{ path: 'containers.0.sealNo', message: 'check it' }],
    });
    const v3 = await http('PUT', `/v1/crossings/${created.id}/declaration`, {
      token: company.token,
      body: declaration({ goods: [{ ...RUBBER, netWeightKg: 19500 }], containers: [{ number: 'MSCU1234566', sealNo: 'SL999999' }] }),
    });
    expect(v3.body.declarationVersion).toBe(3);
    expect(v3.body.returns).toHaveLength(2);

    const cleared = await approve(staff, created.id, ['customs-inspection', 'fee-payment', 'border-exit']);
    expect(cleared.body).toMatchObject({ status: 'CLEARED', declarationVersion: 3 });

    const history = await http('GET', `/v1/crossings/${created.id}/history`, { token: staff.manager.token });
    expect(history.body.declarationVersions.map((v: any) => v.version)).toEqual([1, 2, 3]);
    expect(history.body.declarationVersions[1].declaration.goods[0].netWeightKg).toBe(19500);
    expect(history.body.items.filter((e: any) => e.type === 'DECLARATION_RESUBMITTED')).toHaveLength(2);
  });

  it('refuses a decision out of order with 409 saying what the crossing waits for, and changes nothing', async () => {
    const staff = await staffOf();
    const company = await account('DECLARANT');
    const created = await declare(company);
    const eventsBefore = (await http('GET', `/v1/crossings/${created.id}/history`, { token: company.token })).body.items.length;

    const outOfOrder = await decide(staff.customs, created.id, 'customs-inspection');
    expect(outOfOrder.status).toBe(409);
    expect(outOfOrder.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(outOfOrder.body.detail).toMatch(/waiting at health-check for HEALTH_OFFICER/);

    const exitFirst = await decide(staff.guard, created.id, 'border-exit');
    expect(exitFirst.status).toBe(409);

    // A role that does not own the step: 403 before the crossing is even asked.
    const wrongRole = await decide(staff.guard, created.id, 'health-check');
    expect(wrongRole.status).toBe(403);
    // An officer of another gate: 404, as if there were no such crossing.
    const elsewhere = await staffOf('KIM_THANH');
    expect((await decide(elsewhere.health, created.id, 'health-check')).status).toBe(404);
    // RETURN without fields and DENY without a reason: 400 listing them.
    const incomplete = await decide(staff.health, created.id, 'health-check', { outcome: 'RETURN' });
    expect(incomplete.status).toBe(400);
    expect(incomplete.body.errors.map((e: any) => e.path).sort()).toEqual(['fields', 'reason']);

    const after = await http('GET', `/v1/crossings/${created.id}`, { token: company.token });
    expect(after.body).toEqual(created);
    const eventsAfter = (await http('GET', `/v1/crossings/${created.id}/history`, { token: company.token })).body.items.length;
    expect(eventsAfter).toBe(eventsBefore);

    // And a decision on a step already approved is refused as such.
    await approve(staff, created.id, ['health-check']);
    const again = await decide(staff.health, created.id, 'health-check');
    expect(again.status).toBe(409);
    expect(again.body.detail).toMatch(/already APPROVED/);
  });

  it('gives one effect for the same decision sent twice with one Idempotency-Key', async () => {
    const staff = await staffOf();
    const company = await account('DECLARANT');
    const created = await declare(company);
    const first = await decide(staff.health, created.id, 'health-check', { outcome: 'APPROVE' }, 'health-decision-1');
    const second = await decide(staff.health, created.id, 'health-check', { outcome: 'APPROVE' }, 'health-decision-1');
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    const history = await http('GET', `/v1/crossings/${created.id}/history`, { token: company.token });
    expect(history.body.items.filter((e: any) => e.type === 'DECISION')).toHaveLength(1);
    // Without the key, a repeat is a second decision on a step no longer waiting.
    expect((await decide(staff.health, created.id, 'health-check')).status).toBe(409);
  });

  it('runs the compensations newest first on a DENY at customs-inspection and issues a turn-back order', async () => {
    const staff = await staffOf();
    const company = await account('DECLARANT');
    const created = await declare(company);
    await approve(staff, created.id, ['health-check', 'border-entry']);
    const denied = await decide(staff.customs, created.id, 'customs-inspection', {
      outcome: 'DENY',
      reason: 'Undeclared goods found in the container',
    });
    expect(denied.status).toBe(200);
    expect(denied.body.status).toBe('DENIED');
    expect(denied.body.currentStep).toBeNull();
    expect(denied.body.compensations.map((c: any) => c.action)).toEqual(['ISSUE_TURN_BACK_ORDER', 'RELEASE_YARD_PLACE']);
    expect(denied.body.compensations.every((c: any) => c.status === 'DONE')).toBe(true);
    expect(statusOf(denied.body)).toMatchObject({ 'border-entry': 'COMPENSATED', 'customs-inspection': 'DENIED' });
    // The turn-back order is for those who see the vehicle (the guard at the barrier, the company), not customs.
    expect(denied.body.documents).toEqual([]);
    const forCompany = await http('GET', `/v1/crossings/${created.id}`, { token: company.token });
    expect(forCompany.body.documents).toEqual([{ kind: 'turn-back-order', url: `/v1/crossings/${created.id}/documents/turn-back-order` }]);

    const yard = await db().query('select released_at from yard_reservation where crossing_id = $1', [created.id]);
    expect(yard.rows[0].released_at).not.toBeNull();
    const order = await db().query(`select data from crossing_document where crossing_id = $1 and kind = 'turn-back-order'`, [created.id]);
    expect(order.rows[0].data).toMatchObject({ gate: 'HUU_NGHI', status: 'DENIED' });

    // An ended crossing takes no more decisions or cancellations.
    expect((await decide(staff.customs, created.id, 'customs-inspection')).status).toBe(409);
    expect((await http('POST', `/v1/crossings/${created.id}/cancel`, { token: company.token, body: { reason: 'too late' } })).status).toBe(
      409,
    );
  });

  it('lets the declarant cancel, answering once compensation ran, and a manager cancel at its gate', async () => {
    const staff = await staffOf();
    const company = await account('DECLARANT');
    const early = await declare(company);
    const cancelled = await http('POST', `/v1/crossings/${early.id}/cancel`, {
      token: company.token,
      body: { reason: 'buyer cancelled the order' },
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'CANCELLED', compensations: [] });

    const inside = await declare(company);
    await approve(staff, inside.id, ['health-check', 'border-entry']);
    const byManager = await http('POST', `/v1/crossings/${inside.id}/cancel`, {
      token: staff.manager.token,
      body: { reason: 'gate closed for flooding' },
    });
    expect(byManager.status).toBe(200);
    expect(byManager.body.status).toBe('CANCELLED');
    expect(byManager.body.compensations.map((c: any) => c.action)).toEqual(['ISSUE_TURN_BACK_ORDER', 'RELEASE_YARD_PLACE']);

    expect((await http('POST', `/v1/crossings/${inside.id}/cancel`, { token: staff.guard.token, body: { reason: 'x' } })).status).toBe(403);
    expect((await http('POST', `/v1/crossings/${inside.id}/cancel`, { token: company.token, body: {} })).status).toBe(400);
  });
});
