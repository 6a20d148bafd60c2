import { Client, Connection } from '@temporalio/client';
import { account, db, http, system } from './system/client';
import { crossingExpiredAtCustoms, decide, declare, staffOf, statusOf, waitFor } from './system/crossing-flow';
import { gateWithDeadlines, setPolicy } from './system/test-gate';

describe('step deadlines', () => {
  it('marks a step OVERDUE past its SLA, escalates it to the managers, and keeps waiting', async () => {
    const gate = await gateWithDeadlines([{ step: 'health-check', sla: 'PT2S', expireAfter: 'PT1H' }]);
    const staff = await staffOf(gate);
    const company = await account('DECLARANT', [gate]);
    const created = await declare(company, { gate });
    const waiting = created.steps.find((s: any) => s.step === 'health-check');
    expect(Date.parse(waiting.slaAt) - Date.parse(waiting.startedAt)).toBe(2000);

    const overdue = await waitFor(company.token, created.id, (v) => statusOf(v)['health-check'] === 'OVERDUE');
    expect(overdue.status).toBe('IN_PROGRESS');
    expect(overdue.currentStep).toBe('health-check');

    const escalations = await db().query('select step, gate_code from escalation where crossing_id = $1', [created.id]);
    expect(escalations.rows).toEqual([{ step: 'health-check', gate_code: gate }]);
    const listed = await http('GET', `/v1/crossings?overdue=true&gate=${gate}`, { token: staff.manager.token });
    expect(listed.body.items.map((i: any) => i.id)).toEqual([created.id]);

    // An overdue step can still be decided.
    const approved = await decide(staff.health, created.id, 'health-check');
    expect(approved.status).toBe(200);
    expect(statusOf(approved.body)['health-check']).toBe('APPROVED');
    const history = await http('GET', `/v1/crossings/${created.id}/history`, { token: company.token });
    expect(history.body.items.map((e: any) => e.type)).toContain('OVERDUE');
  });

  it('ends a crossing EXPIRED past expireAfter and runs its compensation', async () => {
    const { company, created, expired } = await crossingExpiredAtCustoms();
    expect(expired.currentStep).toBeNull();
    expect(expired.compensations.map((c: any) => c.action)).toEqual(['ISSUE_TURN_BACK_ORDER', 'RELEASE_YARD_PLACE']);
    expect(statusOf(expired)['border-entry']).toBe('COMPENSATED');
    const history = await http('GET', `/v1/crossings/${created.id}/history`, { token: company.token });
    const types = history.body.items.map((e: any) => e.type);
    expect(types).toEqual(expect.arrayContaining(['OVERDUE', 'DEADLINE_EXPIRED', 'COMPENSATION']));
    expect(types.indexOf('DEADLINE_EXPIRED')).toBeLessThan(types.indexOf('COMPENSATION'));
    const row = await db().query('select status, current_step from crossing where id = $1', [created.id]);
    expect(row.rows[0]).toEqual({ status: 'EXPIRED', current_step: null });
  });

  it('expires a crossing whose returned form the declarant abandons', async () => {
    const gate = await gateWithDeadlines([{ step: 'health-check', sla: 'PT1H', expireAfter: 'PT3S' }]);
    const staff = await staffOf(gate);
    const company = await account('DECLARANT', [gate]);
    const created = await declare(company, { gate });
    const returned = await decide(staff.health, created.id, 'health-check', {
      outcome: 'RETURN',
      reason: 'Temperature reading missing',
      fields: [{ path: 'health.temperatureC', message: 'measure again' }],
    });
    expect(returned.body.status).toBe('AWAITING_CORRECTION');
    const expired = await waitFor(company.token, created.id, (v) => v.status === 'EXPIRED');
    expect(expired.compensations).toEqual([]);
  });

  it('re-arms a waiting step when its policy changes, firing a deadline already past at once', async () => {
    const gate = await gateWithDeadlines([{ step: 'health-check', sla: 'PT1H', expireAfter: 'PT2H' }]);
    const company = await account('DECLARANT', [gate]);
    const created = await declare(company, { gate });
    await new Promise((r) => setTimeout(r, 1500));

    const version = await setPolicy(gate, 'health-check', 'PT1S', 'PT2H');
    const connection = await Connection.connect({ address: system().temporalAddress });
    try {
      const client = new Client({ connection });
      await client.workflow
        .getHandle(`crossing-${created.id}`)
        .signal('deadlinePolicyChanged.v1', { policyVersion: version, changedBy: 'test' });
    } finally {
      await connection.close();
    }
    const overdue = await waitFor(company.token, created.id, (v) => statusOf(v)['health-check'] === 'OVERDUE', 10_000);
    const step = overdue.steps.find((s: any) => s.step === 'health-check');
    // Recomputed from when the step started, not from the change.
    expect(Date.parse(step.slaAt) - Date.parse(step.startedAt)).toBe(1000);
    const history = await http('GET', `/v1/crossings/${created.id}/history`, { token: company.token });
    const rearm = history.body.items.find((e: any) => e.type === 'DEADLINES_REARMED');
    expect(rearm).toMatchObject({ step: 'health-check', data: { policyVersion: version } });
  });
});
