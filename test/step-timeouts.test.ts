import { Client, Connection } from '@temporalio/client';
import { account, asAdmin, db, http, system } from './system/client';
import { approve, declare, staffOf, statusOf, waitFor } from './system/crossing-flow';
import { gateWithDeadlines } from './system/test-gate';

const put = async (body: object, token?: string) => http('PUT', '/v1/admin/step-timeouts', { token: token ?? (await asAdmin()), body });

describe('admins edit step deadlines while crossings run', () => {
  it('makes a crossing waiting at customs-inspection OVERDUE within seconds of the SLA being shortened', async () => {
    const gate = await gateWithDeadlines([]);
    const staff = await staffOf(gate);
    const company = await account('DECLARANT', [gate]);
    const crossing = await declare(company, { gate });
    await approve(staff, crossing.id, ['health-check', 'border-entry']);
    const before = await http('GET', `/v1/crossings/${crossing.id}`, { token: company.token });
    const waiting = before.body.steps.find((s: any) => s.step === 'customs-inspection');
    expect(Date.parse(waiting.slaAt) - Date.parse(waiting.startedAt)).toBe(2 * 3600_000); // the PT2H default

    const changed = await put({ gate, category: '*', step: 'customs-inspection', sla: 'PT2S', expireAfter: 'PT1H' });
    expect(changed.status).toBe(200);
    expect(changed.body.affectedRunning).toBe(1);
    expect(changed.body.policy).toMatchObject({
      gate,
      category: '*',
      step: 'customs-inspection',
      sla: 'PT2S',
      expireAfter: 'PT1H',
      version: 1,
    });

    const overdue = await waitFor(company.token, crossing.id, (v) => statusOf(v)['customs-inspection'] === 'OVERDUE', 20_000);
    const step = overdue.steps.find((s: any) => s.step === 'customs-inspection');
    expect(Date.parse(step.slaAt) - Date.parse(step.startedAt)).toBe(2000);
    const history = await http('GET', `/v1/crossings/${crossing.id}/history`, { token: company.token });
    expect(history.body.items.find((e: any) => e.type === 'DEADLINES_REARMED')).toMatchObject({ data: { policyVersion: 1 } });

    // New crossings take the new row too.
    const next = await declare(company, { gate });
    await approve(staff, next.id, ['health-check', 'border-entry']);
    const fresh = (await http('GET', `/v1/crossings/${next.id}`, { token: company.token })).body.steps.find(
      (s: any) => s.step === 'customs-inspection',
    );
    expect(Date.parse(fresh.slaAt) - Date.parse(fresh.startedAt)).toBe(2000);
  });

  it('reaches a crossing whose more specific stored row cannot govern it, as that crossing reads its own deadlines', async () => {
    const gate = await gateWithDeadlines([]);
    // A row written around the API (an old bug, a hand edit): the crossing passes it over, so the gate's row governs it.
    await db().query(
      `insert into deadline_policy (gate, category, step, sla, expire_after, version) values ($1, 'EXPORT', 'health-check', 'PT1H', 'P99999999999999W', 1)`,
      [gate],
    );
    const company = await account('DECLARANT', [gate]);
    const crossing = await declare(company, { gate }); // an EXPORT crossing, waiting at the health check
    const changed = await put({ gate, category: '*', step: 'health-check', sla: 'PT3H', expireAfter: 'PT30H' });
    expect([changed.status, changed.body.affectedRunning]).toEqual([200, 1]);
    const rearmed = await waitFor(company.token, crossing.id, (v) => {
      const health = v.steps.find((s: any) => s.step === 'health-check');
      return Date.parse(health.slaAt) - Date.parse(health.startedAt) === 3 * 3600_000;
    });
    const health = rearmed.steps.find((s: any) => s.step === 'health-check');
    expect(Date.parse(health.expiresAt) - Date.parse(health.startedAt)).toBe(30 * 3600_000);
  });

  it('applies a change to a later step to a crossing that was waiting at an earlier step when it was made', async () => {
    const gate = await gateWithDeadlines([]);
    const staff = await staffOf(gate);
    const company = await account('DECLARANT', [gate]);
    const crossing = await declare(company, { gate }); // its gate's policies are read now, at the health check
    const changed = await put({ gate, category: '*', step: 'customs-inspection', sla: 'PT3H', expireAfter: 'PT30H' });
    expect(changed.body.affectedRunning).toBe(0); // nobody waits at customs yet
    // Let the change's fan-out finish, straggler pass included, so that only the crossing itself can notice it.
    const connection = await Connection.connect({ address: system().temporalAddress });
    try {
      const fanOut = new Client({ connection }).workflow.getHandle(`policy-fanout-customs-inspection-${gate}-*-v1`);
      while ((await fanOut.describe()).status.name === 'RUNNING') await new Promise((r) => setTimeout(r, 500));
    } finally {
      await connection.close();
    }
    const reached = await approve(staff, crossing.id, ['health-check', 'border-entry']);
    const step = reached.body.steps.find((s: any) => s.step === 'customs-inspection');
    // The answer may still show the rule read at the declaration; the crossing re-arms as soon as it sees the change.
    const armed = await waitFor(company.token, crossing.id, (v: any) => {
      const customs = v.steps.find((s: any) => s.step === 'customs-inspection');
      return Date.parse(customs.slaAt) - Date.parse(customs.startedAt) === 3 * 3600_000;
    });
    const customs = armed.steps.find((s: any) => s.step === 'customs-inspection');
    expect(Date.parse(customs.expiresAt) - Date.parse(customs.startedAt)).toBe(30 * 3600_000);
    expect(step.startedAt).toBe(customs.startedAt);
    const history = await http('GET', `/v1/crossings/${crossing.id}/history`, { token: company.token });
    const armings = history.body.items.filter((e: any) => e.step === 'customs-inspection' && e.type.startsWith('DEADLINES_'));
    expect(armings.at(-1)).toMatchObject({ data: { policyVersion: 1 } });
  });

  it('expires at once, with compensation, a crossing that has already waited longer than a shortened expireAfter', async () => {
    const gate = await gateWithDeadlines([]);
    const staff = await staffOf(gate);
    const company = await account('DECLARANT', [gate]);
    const crossing = await declare(company, { gate });
    await approve(staff, crossing.id, ['health-check', 'border-entry']);
    await new Promise((r) => setTimeout(r, 2500));
    const changed = await put({ gate, category: '*', step: 'customs-inspection', sla: 'PT1S', expireAfter: 'PT2S' });
    expect(changed.body.affectedRunning).toBe(1);
    const expired = await waitFor(
      company.token,
      crossing.id,
      (v) => v.status === 'EXPIRED' && v.compensations.every((c: any) => c.status === 'DONE'),
      20_000,
    );
    expect(expired.compensations.map((c: any) => c.action)).toEqual(['ISSUE_TURN_BACK_ORDER', 'RELEASE_YARD_PLACE']);
  });

  it('lets a gate-specific row beat a * row, for running and new crossings', async () => {
    const gate = await gateWithDeadlines([{ step: 'health-check', sla: 'PT45M', expireAfter: 'PT5H' }]);
    const company = await account('DECLARANT', [gate]);
    const crossing = await declare(company, { gate, transshipment: true });
    // A change to the * row for every gate does not reach a crossing governed by its gate's own row.
    const wildcard = await put({ gate: '*', category: 'TRANSSHIPMENT', step: 'health-check', sla: 'PT29M', expireAfter: 'PT23H' });
    expect(wildcard.status).toBe(200);
    const seen = await http('GET', `/v1/crossings/${crossing.id}`, { token: company.token });
    const step = seen.body.steps.find((s: any) => s.step === 'health-check');
    expect(Date.parse(step.slaAt) - Date.parse(step.startedAt)).toBe(45 * 60_000);
    const next = await declare(company, { gate, transshipment: true });
    const nextStep = next.steps.find((s: any) => s.step === 'health-check');
    expect(Date.parse(nextStep.slaAt) - Date.parse(nextStep.startedAt)).toBe(45 * 60_000);
    // Put the * TRANSSHIPMENT row back to the defaults' values so other tests see the usual deadlines.
    await put({ gate: '*', category: 'TRANSSHIPMENT', step: 'health-check', sla: 'PT30M', expireAfter: 'PT24H' });
  });

  it('refuses a bad body with 400 listing every field, and changes nothing', async () => {
    const before = await db().query('select count(*)::int as n from deadline_policy_version');
    const bad = await put({ gate: 'nowhere', category: 'SOMETIMES', step: 'lunch', sla: 'P1Y', expireAfter: '-PT1H' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => e.path).sort()).toEqual(['category', 'expireAfter', 'gate', 'sla', 'step']);
    const shorter = await put({ gate: '*', category: '*', step: 'quarantine', sla: 'PT2H', expireAfter: 'PT1H' });
    expect(shorter.status).toBe(400);
    expect(shorter.body.errors).toEqual([{ path: 'expireAfter', message: 'must not be shorter than sla' }]);
    const zero = await put({ gate: '*', category: '*', step: 'quarantine', sla: 'PT0S', expireAfter: 'PT1H' });
    expect(zero.status).toBe(400);
    const unknownGate = await put({ gate: 'ATLANTIS', category: '*', step: 'quarantine', sla: 'PT1H', expireAfter: 'PT2H' });
    expect(unknownGate.status).toBe(400);
    const after = await db().query('select count(*)::int as n from deadline_policy_version');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it('lets a MANAGER read the policy but not write it, and keeps every version with who changed it', async () => {
    const manager = await account('MANAGER');
    const list = await http('GET', '/v1/admin/step-timeouts', { token: manager.token });
    expect(list.status).toBe(200);
    expect(list.body).toEqual(
      expect.arrayContaining([expect.objectContaining({ gate: '*', category: '*', step: 'border-exit', sla: 'PT30M' })]),
    );
    expect((await put({ gate: '*', category: '*', step: 'border-exit', sla: 'PT1M', expireAfter: 'PT2M' }, manager.token)).status).toBe(
      403,
    );
    expect((await http('GET', '/v1/admin/step-timeouts/history', { token: manager.token })).status).toBe(403);

    const gate = await gateWithDeadlines([]);
    // The admin acts in every test file at once: its audit entries are read from this moment on, not from the first.
    const since = new Date(Date.now() - 1000).toISOString();
    await put({ gate, category: 'IMPORT', step: 'border-exit', sla: 'PT20M', expireAfter: 'PT10H' });
    await put({ gate, category: 'IMPORT', step: 'border-exit', sla: 'PT25M', expireAfter: 'PT10H' });
    const me = (await http('GET', '/v1/me', { token: await asAdmin() })).body;
    const history = await http('GET', '/v1/admin/step-timeouts/history', { token: await asAdmin() });
    const versions = history.body.filter((r: any) => r.gate === gate && r.category === 'IMPORT');
    expect(versions.map((v: any) => [v.version, v.sla, v.updatedBy])).toEqual([
      [2, 'PT25M', me.id],
      [1, 'PT20M', me.id],
    ]);
    const audit = await http('GET', `/v1/audit?actor=${me.id}&from=${encodeURIComponent(since)}`, { token: await asAdmin() });
    expect(audit.body.items.filter((e: any) => e.action === 'DEADLINE_POLICY_CHANGED').length).toBeGreaterThanOrEqual(2);
  });
});
