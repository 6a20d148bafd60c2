import { account, http } from './system/client';
import { approve, declare, staffOf } from './system/crossing-flow';
import { gateWithDeadlines } from './system/test-gate';

describe('work queues and lists', () => {
  it('gives an officer its step at its gates, priority first then the longest waiting, page by page', async () => {
    const gate = await gateWithDeadlines([]);
    const staff = await staffOf(gate);
    const company = await account('DECLARANT', [gate]);
    const first = await declare(company, { gate });
    const second = await declare(company, { gate });
    const urgent = await declare(company, { gate, priority: { reason: 'PERISHABLE' } });
    const third = await declare(company, { gate });
    const moved = await declare(company, { gate });
    await approve(staff, moved.id, ['health-check']);

    const page1 = await http('GET', `/v1/crossings?gate=${gate}&limit=2`, { token: staff.health.token });
    expect(page1.status).toBe(200);
    expect(page1.body.items.map((i: any) => i.id)).toEqual([urgent.id, first.id]);
    expect(page1.body.nextCursor).toEqual(expect.any(String));
    const page2 = await http('GET', `/v1/crossings?gate=${gate}&limit=2&cursor=${page1.body.nextCursor}`, { token: staff.health.token });
    expect(page2.body.items.map((i: any) => i.id)).toEqual([second.id, third.id]);
    expect(page2.body.nextCursor).toBeNull();

    // The border guard's queue holds the one that moved on.
    const guardQueue = await http('GET', `/v1/crossings?gate=${gate}`, { token: staff.guard.token });
    expect(guardQueue.body.items.map((i: any) => i.id)).toEqual([moved.id]);
    // An officer asking for another agency's step is refused; another gate holds nothing it may see.
    expect((await http('GET', `/v1/crossings?step=customs-inspection`, { token: staff.health.token })).status).toBe(403);
    const otherGate = await http('GET', `/v1/crossings?gate=HUU_NGHI`, { token: staff.health.token });
    expect([otherGate.status, otherGate.body.items]).toEqual([200, []]);
    // A bad cursor or filter is a 400 naming it.
    const bad = await http('GET', `/v1/crossings?cursor=nonsense&limit=0&status=LOST`, { token: staff.manager.token });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => e.path).sort()).toEqual(['query.limit', 'query.status']);
    expect((await http('GET', `/v1/crossings?cursor=nonsense`, { token: staff.manager.token })).status).toBe(400);
  });

  it('shows a declarant only its own company’s crossings, newest first', async () => {
    const company = await account('DECLARANT');
    const other = await account('DECLARANT');
    const mine = [await declare(company), await declare(company)];
    await declare(other);
    const list = await http('GET', '/v1/crossings', { token: company.token });
    expect(list.body.items.map((i: any) => i.id)).toEqual([mine[1].id, mine[0].id]);
  });
});
