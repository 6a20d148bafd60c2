import { randomUUID } from 'node:crypto';
import { account, asAdmin, declaration, http, login, type HttpAnswer } from './system/client';
import { approve, decide, declare, RUBBER, staffOf } from './system/crossing-flow';
import { gateWithDeadlines } from './system/test-gate';

/** What one call cost, as its `Server-Timing` header says: PostgreSQL statements (round trips) and workflow queries. */
function costOf(res: HttpAnswer): { statements: number; queries: number } {
  const header = res.headers.get('server-timing') ?? '';
  const count = (name: string) => Number(new RegExp(`${name} (\\d+)`).exec(header)?.[1]);
  return { statements: count('statements'), queries: count('queries') };
}

describe('what a call costs PostgreSQL and Temporal (issue 20)', () => {
  it('reads a crossing in one round trip without asking its workflow, and makes a change in two', async () => {
    const staff = await staffOf();
    const company = await account('DECLARANT');
    const declared = await http('POST', '/v1/crossings', {
      token: company.token,
      body: declaration({ goods: [RUBBER] }),
      headers: { 'Idempotency-Key': randomUUID() },
    });
    expect(declared.status).toBe(201);
    // The account, the key's claim and the gate in one statement; then the answer kept under the key.
    expect(costOf(declared)).toEqual({ statements: 2, queries: 0 });
    const id = declared.body.id;

    const read = await http('GET', `/v1/crossings/${id}`, { token: company.token });
    expect(read.status).toBe(200);
    expect(costOf(read)).toEqual({ statements: 1, queries: 0 });
    // An officer's read, with the truck's tracking folded in, costs the same.
    expect(costOf(await http('GET', `/v1/crossings/${id}`, { token: staff.guard.token }))).toEqual({ statements: 1, queries: 0 });

    const decision = await decide(staff.health, id, 'health-check');
    expect(decision.status).toBe(200);
    expect(costOf(decision)).toEqual({ statements: 2, queries: 0 });
    // A read after a 2xx change shows it: the change's read-model write came before its answer.
    const after = await http('GET', `/v1/crossings/${id}`, { token: company.token });
    expect(after.body.steps.find((s: { step: string }) => s.step === 'health-check').status).toBe('APPROVED');
    expect(costOf(after)).toEqual({ statements: 1, queries: 0 });

    // Only ?consistent=true asks the workflow.
    const consistent = await http('GET', `/v1/crossings/${id}?consistent=true`, { token: company.token });
    expect(consistent.status).toBe(200);
    expect(consistent.body.currentStep).toBe(after.body.currentStep);
    expect(costOf(consistent)).toEqual({ statements: 1, queries: 1 });

    // A repeat of the change under its key is answered from the stored first answer.
    const key = randomUUID();
    const border = await decide(staff.guard, id, 'border-entry', { outcome: 'APPROVE' }, key);
    const again = await decide(staff.guard, id, 'border-entry', { outcome: 'APPROVE' }, key);
    expect([border.status, again.status, again.headers.get('idempotent-replayed')]).toEqual([200, 200, 'true']);
    expect(again.body).toEqual(border.body);
  });

  it('lists in one round trip from the token, and sees an account change or a logout at once', async () => {
    const gate = await gateWithDeadlines([]);
    const company = await account('DECLARANT', ['HUU_NGHI', gate]);
    const guard = await account('BORDER_GUARD', ['HUU_NGHI']);
    const staff = await staffOf(gate);
    const crossing = await declare(company, { gate });
    await approve(staff, crossing.id, ['health-check']);

    const mine = await http('GET', '/v1/crossings', { token: company.token });
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((i: { id: string }) => i.id)).toContain(crossing.id);
    expect(costOf(mine)).toEqual({ statements: 1, queries: 0 });
    // An empty page costs the same.
    const none = await http('GET', `/v1/crossings?gate=${gate}`, { token: guard.token });
    expect([none.status, none.body.items, costOf(none).statements]).toEqual([200, [], 1]);

    // The admin gives the guard the new gate: its token's claims are out of date, and its list says so at once.
    const changed = await http('PATCH', `/v1/accounts/${guard.id}`, {
      token: await asAdmin(),
      body: { gates: ['HUU_NGHI', gate] },
      headers: { 'Idempotency-Key': randomUUID() },
    });
    expect(changed.status).toBe(200);
    const widened = await http('GET', `/v1/crossings?gate=${gate}`, { token: guard.token });
    expect(widened.body.items.map((i: { id: string }) => i.id)).toEqual([crossing.id]);
    // The list that found the claims out of date, then the opening and the list with the account as it is now.
    expect(costOf(widened).statements).toBe(3);

    const second = await login(company.username, company.password);
    expect(costOf(await http('GET', '/v1/crossings', { token: second })).statements).toBe(1);
    expect((await http('POST', '/v1/auth/logout', { token: second })).status).toBe(204);
    expect((await http('GET', '/v1/crossings', { token: second })).status).toBe(401);
    // A bad cursor with an ended token is still a 401 first.
    expect((await http('GET', '/v1/crossings?cursor=nonsense', { token: second })).status).toBe(401);
  });

  it('still refuses at once a token that was logged out, a disabled account, and a crossing the caller may not see', async () => {
    const company = await account('DECLARANT');
    const declared = await http('POST', '/v1/crossings', { token: company.token, body: declaration({ goods: [RUBBER] }) });
    const id = declared.body.id;

    const second = await login(company.username, company.password);
    expect((await http('POST', '/v1/auth/logout', { token: second })).status).toBe(204);
    const loggedOut = await http('GET', `/v1/crossings/${id}`, { token: second });
    expect(loggedOut.status).toBe(401);
    expect(costOf(loggedOut).statements).toBe(1);
    expect((await http('GET', `/v1/crossings/${id}`, { token: company.token })).status).toBe(200);

    // Another company's declarant learns nothing, in the same one round trip.
    const other = await account('DECLARANT', ['HUU_NGHI'], { companyTaxCode: '0109999999' });
    const hidden = await http('GET', `/v1/crossings/${id}`, { token: other.token });
    expect([hidden.status, costOf(hidden).statements]).toEqual([404, 1]);

    // A change refused for the role claims nothing: the same key then works for the account's own action.
    const key = randomUUID();
    const refused = await http('POST', `/v1/crossings/${id}/steps/health-check/decision`, {
      token: company.token,
      body: { outcome: 'APPROVE' },
      headers: { 'Idempotency-Key': key },
    });
    expect(refused.status).toBe(403);
    const cancel = await http('POST', `/v1/crossings/${id}/cancel`, {
      token: company.token,
      body: { reason: 'The buyer withdrew the order' },
      headers: { 'Idempotency-Key': key },
    });
    expect(cancel.status).toBe(200);

    // Disabling the account ends its token at once.
    const disabled = await http('PATCH', `/v1/accounts/${company.id}`, {
      token: await asAdmin(),
      body: { disabled: true },
      headers: { 'Idempotency-Key': randomUUID() },
    });
    expect(disabled.status).toBe(200);
    expect((await http('GET', `/v1/crossings/${id}`, { token: company.token })).status).toBe(401);
  });
});
