import { callOrder, estimatedCallAt, pickCalls, positionOf } from '../../domain/queue';

describe('the queue’s call order', () => {
  const entries = (kinds: string) => [...kinds].map((k, i) => ({ id: `${k}${i}`, priority: k === 'P' }));
  const split = (list: { id: string; priority: boolean }[]) => [list.filter((e) => e.priority), list.filter((e) => !e.priority)] as const;

  it('calls at most perRegular priority crossings before a waiting regular one', () => {
    const [p, r] = split(entries('RPPPRPP'));
    expect(callOrder(p, r, 0, 2).map((e) => e.id)).toEqual(['P1', 'P2', 'R0', 'P3', 'P5', 'R4', 'P6']);
  });

  it('carries the streak from one round to the next', () => {
    const [p, r] = split(entries('PPPR'));
    const first = pickCalls(p, r, 0, 2, 1);
    expect(first).toMatchObject({ calls: [{ entry: { id: 'P0' }, priority: true }], streak: 1 });
    const second = pickCalls(p.slice(1), r, first.streak, 2, 2);
    expect(second.calls.map((c) => c.entry.id)).toEqual(['P1', 'R3']);
    expect(second.streak).toBe(0);
  });

  it('calls priority crossings only when no regular one waits, with a limit of 0', () => {
    const [p, r] = split(entries('PRPR'));
    expect(callOrder(p, r, 0, 0).map((e) => e.id)).toEqual(['R1', 'R3', 'P0', 'P2']);
  });

  it('counts every position as the simulated order gives it', () => {
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let t = 0; t < 3000; t++) {
      const list = Array.from({ length: Math.floor(random() * 14) }, (_, i) => ({ id: String(i), priority: random() < 0.4 }));
      const [p, r] = split(list);
      const perRegular = Math.floor(random() * 4);
      const streak = Math.floor(random() * 5);
      const order = callOrder(p, r, streak, perRegular);
      for (const e of list) {
        const before = (e.priority ? p : r).indexOf(e);
        expect(positionOf({ priority: e.priority, before }, { priority: p.length, regular: r.length }, streak, perRegular)).toBe(
          order.indexOf(e) + 1,
        );
      }
    }
  });

  it('estimates a call from the calls of the last hour, from the expected reopening while closed', () => {
    const now = new Date('2026-12-01T08:00:00Z');
    expect(estimatedCallAt(3, 6, now, null)).toBe('2026-12-01T08:30:00.000Z');
    expect(estimatedCallAt(3, 0, now, null)).toBeNull();
    expect(estimatedCallAt(3, 6, now, { expectedReopenAt: '2026-12-01T10:00:00Z' })).toBe('2026-12-01T10:30:00.000Z');
    expect(estimatedCallAt(3, 6, now, { expectedReopenAt: null })).toBeNull();
  });
});
