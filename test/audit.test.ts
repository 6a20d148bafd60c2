import { account, asAdmin, db, http } from './system/client';
import { approve, declare, staffOf } from './system/crossing-flow';

describe('the audit trail', () => {
  it('records logins, account changes, declarations, decisions and compensations, each attributed', async () => {
    const staff = await staffOf();
    const company = await account('DECLARANT');
    const created = await declare(company);
    await approve(staff, created.id, ['health-check', 'border-entry']);
    await http('POST', `/v1/crossings/${created.id}/cancel`, { token: company.token, body: { reason: 'order cancelled' } });

    const trail = await http('GET', `/v1/audit?crossingId=${created.id}`, { token: await asAdmin() });
    expect(trail.status).toBe(200);
    const actions = trail.body.items.map((e: any) => [e.action, e.actor]);
    expect(actions).toEqual([
      ['DECLARATION_SUBMITTED', company.id],
      ['DECISION_APPROVE', staff.health.id],
      ['DECISION_APPROVE', staff.guard.id],
      ['CANCEL_REQUESTED', company.id],
      ['ENDED', 'system'],
      ['COMPENSATION', 'system'],
      ['COMPENSATION', 'system'],
    ]);
    for (const entry of trail.body.items) expect(entry.hash).toMatch(/^[0-9a-f]{64}$/);

    const logins = await http('GET', `/v1/audit?actor=${company.id}`, { token: await asAdmin() });
    expect(logins.body.items[0].action).toBe('LOGIN');
    const created_ = await http('GET', `/v1/audit?actor=${(await http('GET', '/v1/me', { token: await asAdmin() })).body.id}`, {
      token: await asAdmin(),
    });
    expect(created_.body.items.map((e: any) => e.action)).toContain('ACCOUNT_CREATED');

    // A manager reads the entries of its gates' crossings; other roles may not read the trail.
    const managed = await http('GET', `/v1/audit?crossingId=${created.id}`, { token: staff.manager.token });
    expect(managed.body.items).toHaveLength(7);
    const elsewhere = await staffOf('KIM_THANH');
    expect((await http('GET', `/v1/audit?crossingId=${created.id}`, { token: elsewhere.manager.token })).body.items).toHaveLength(0);
    expect((await http('GET', '/v1/audit', { token: staff.customs.token })).status).toBe(403);
  });

  it('names the first entry that was edited directly in PostgreSQL, and is whole again once it is put back', async () => {
    const admin = await asAdmin();
    await account('MANAGER'); // at least a few entries exist
    const before = await http('GET', '/v1/audit/verify', { token: admin });
    expect(before.body).toMatchObject({ ok: true, firstBadSeq: null });
    expect(before.body.entries).toBeGreaterThan(2);

    const { rows } = await db().query('select seq, actor from audit_entry order by seq limit 1 offset 1');
    const victim = rows[0];
    await db().query(`update audit_entry set actor = 'someone-else' where seq = $1`, [victim.seq]);
    try {
      const tampered = await http('GET', '/v1/audit/verify', { token: admin });
      expect(tampered.body).toMatchObject({ ok: false, firstBadSeq: Number(victim.seq) });
    } finally {
      await db().query('update audit_entry set actor = $1 where seq = $2', [victim.actor, victim.seq]);
    }
    expect((await http('GET', '/v1/audit/verify', { token: admin })).body.ok).toBe(true);
  });

  it('keeps one unforked chain when many writers append at once', async () => {
    const staff = await staffOf();
    const companies = await Promise.all(Array.from({ length: 4 }, () => account('DECLARANT')));
    const crossings = await Promise.all(companies.map((c) => declare(c)));
    await Promise.all(crossings.map((c) => approve(staff, c.id, ['health-check', 'border-entry', 'customs-inspection'])));
    const verdict = await http('GET', '/v1/audit/verify', { token: await asAdmin() });
    expect(verdict.body).toMatchObject({ ok: true, firstBadSeq: null });
    const { rows } = await db().query('select count(*)::int as n, count(distinct prev_hash)::int as links from audit_entry');
    expect(rows[0].links).toBe(rows[0].n);
  });
});
