import { CorridorMap, speedBetween } from '../../domain/corridor-geometry';
import {
  advise,
  corridorProblems,
  DEFAULT_TRAFFIC_THRESHOLDS,
  flowStatus,
  HoldingAreaSchema,
  positionBatchSchema,
  SegmentSchema,
  type SegmentFlow,
} from '../../domain/tracking';
import { SEEDED_CORRIDORS } from '../../infra/db/seeds/corridors';

/** The road's rules without a server: where a point lies, how a segment's flow is judged, when trucks are asked to wait. */

const corridor = SEEDED_CORRIDORS.HUU_NGHI.corridor;
const map = new CorridorMap(corridor, SEEDED_CORRIDORS.HUU_NGHI.holdingAreas);

describe('placing a point on the approach to Hữu Nghị', () => {
  it('puts a point on the road in its segment, the segment nearer the gate where two meet', () => {
    expect(map.place(21.958, 106.703)).toEqual({ segment: 'QL1A-3', holdingArea: null });
    expect(map.place(21.924, 106.714)).toEqual({ segment: 'QL1A-2', holdingArea: null });
    // Đồng Đăng, where QL1A-2 ends and QL1A-3 begins.
    expect(map.place(21.944, 106.701).segment).toBe('QL1A-3');
  });

  it('puts a point in a holding area, and one far from the road nowhere', () => {
    expect(map.place(21.905, 106.7315)).toEqual({ segment: null, holdingArea: 'BAI-CHO-PHU-XA' });
    expect(map.place(21.8, 106.9)).toEqual({ segment: null, holdingArea: null });
  });

  it('measures the segments along their paths', () => {
    for (const s of corridor) expect(map.lengthKm(s.code)).toBeGreaterThan(2);
    expect(map.lengthKm('NOPE')).toBe(0);
  });

  it('seeds a valid corridor for every seeded gate', () => {
    for (const [gate, seed] of Object.entries(SEEDED_CORRIDORS)) {
      for (const s of seed.corridor) expect([gate, SegmentSchema.safeParse(s).success]).toEqual([gate, true]);
      for (const h of seed.holdingAreas) expect([gate, HoldingAreaSchema.safeParse(h).success]).toEqual([gate, true]);
      expect([gate, corridorProblems(seed.corridor, seed.holdingAreas)]).toEqual([gate, []]);
      // Every holding area lies beside its road, and the first point of the furthest segment is on the corridor.
      const m = new CorridorMap(seed.corridor, seed.holdingAreas);
      const [lat, lon] = seed.corridor[0].path[0];
      expect(m.place(lat, lon).segment).toBe(seed.corridor[0].code);
    }
  });

  it('derives a speed from two fixes, but not from two taken in the same few seconds', () => {
    const a = { at: '2026-12-01T08:00:00Z', lat: 21.0, lon: 106.0 };
    // 0.01° of latitude is about 1.11 km; in two minutes that is about 33 km/h.
    expect(speedBetween(a, { at: '2026-12-01T08:02:00Z', lat: 21.01, lon: 106.0 })).toBeCloseTo(33.4, 0);
    expect(speedBetween(a, { at: '2026-12-01T08:00:02Z', lat: 21.01, lon: 106.0 })).toBeUndefined();
  });
});

describe("a segment's flow", () => {
  const judge = (trucks: number, meanSpeedKmh: number | null, lengthKm = 2) =>
    flowStatus({ trucks, meanSpeedKmh, lengthKm }, DEFAULT_TRAFFIC_THRESHOLDS);

  it('is FREE when empty or fast, SLOW below 20 km/h, CONGESTED below 8 km/h', () => {
    expect(judge(0, null)).toBe('FREE');
    expect(judge(4, 45)).toBe('FREE');
    expect(judge(4, 20)).toBe('FREE');
    expect(judge(4, 19.9)).toBe('SLOW');
    expect(judge(4, 8)).toBe('SLOW');
    expect(judge(4, 7.9)).toBe('CONGESTED');
    expect(judge(3, null)).toBe('FREE');
  });

  it('is CONGESTED above the density limit however fast its trucks go', () => {
    expect(judge(81, 60, 2)).toBe('CONGESTED');
    expect(judge(80, 60, 2)).toBe('FREE');
  });
});

describe('the hold-upstream advisory', () => {
  const segment = (code: string, order: number, status: SegmentFlow['status']): SegmentFlow => ({
    code,
    name: `Đoạn ${order}`,
    order,
    trucks: 1,
    meanSpeedKmh: 30,
    status,
  });
  const holdingAreas = [{ code: 'H1', name: 'Bãi chờ 1' }];
  const room = [{ capacity: 10, occupied: 3, reserved: 2 }];

  it('is NONE while the segment at the gate moves and the yards have room, whatever the segments further out do', () => {
    const segments = [segment('S1', 1, 'CONGESTED'), segment('S2', 2, 'SLOW'), segment('S3', 3, 'SLOW')];
    expect(advise({ segments, yards: room, holdingAreas, nextCallAt: null }).level).toBe('NONE');
  });

  it('asks the trucks further out to wait when the segment at the gate is congested', () => {
    const segments = [segment('S3', 3, 'CONGESTED'), segment('S1', 1, 'FREE'), segment('S2', 2, 'FREE')];
    expect(advise({ segments, yards: room, holdingAreas, nextCallAt: '2026-12-01T09:30:00Z' })).toMatchObject({
      level: 'HOLD_UPSTREAM',
      cause: 'CONGESTED_AT_GATE',
      holdingArea: 'H1',
      segments: ['S1', 'S2'],
      waitUntil: '2026-12-01T09:30:00Z',
    });
  });

  it('asks them to wait when every yard is full, and says where when the gate has no holding area', () => {
    const full = [
      { capacity: 10, occupied: 8, reserved: 2 },
      { capacity: 5, occupied: 6, reserved: 0 },
    ];
    const advisory = advise({ segments: [segment('S1', 1, 'FREE')], yards: full, holdingAreas: [], nextCallAt: null });
    expect(advisory).toMatchObject({ level: 'HOLD_UPSTREAM', cause: 'YARDS_FULL', holdingArea: null, waitUntil: null });
    expect(advisory.message).toContain('wait where it is safe to stop');
    expect(advise({ segments: [], yards: full, holdingAreas, nextCallAt: null }).level).toBe('NONE');
  });
});

describe('a batch of positions', () => {
  const now = Date.parse('2026-12-01T08:00:00Z');
  const schema = positionBatchSchema(() => now);
  const at = (offsetMs: number) => new Date(now + offsetMs).toISOString();

  it('names every bad point by its index', () => {
    const result = schema.safeParse({
      positions: [
        { at: at(0), lat: 21, lon: 106 },
        { at: at(6 * 60_000), lat: 21, lon: 106 },
        { at: at(-25 * 3600_000), lat: 21, lon: 106 },
        { at: at(0), lat: -91, lon: 181, speedKmh: 300, headingDeg: 361 },
      ],
    });
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((i) => i.path.join('.')).sort();
    expect(paths).toEqual([
      'positions.1.at',
      'positions.2.at',
      'positions.3.headingDeg',
      'positions.3.lat',
      'positions.3.lon',
      'positions.3.speedKmh',
    ]);
  });

  it('takes a point up to 5 minutes ahead and up to 24 hours old', () => {
    expect(
      schema.safeParse({
        positions: [
          { at: at(4 * 60_000), lat: 21, lon: 106 },
          { at: at(-23 * 3600_000), lat: 21, lon: 106 },
        ],
      }).success,
    ).toBe(true);
  });
});

describe("an admin's corridor", () => {
  it('refuses repeated codes and orders, naming the second of each', () => {
    const s = (code: string, order: number) => ({
      code,
      name: code,
      order,
      widthM: 50,
      path: [
        [21, 106],
        [21.01, 106],
      ] as [number, number][],
    });
    expect(corridorProblems([s('A', 1), s('A', 2), s('B', 2)], [])).toEqual([
      { path: 'corridor.1.code', message: 'repeats a segment code' },
      { path: 'corridor.2.order', message: "repeats another segment's order" },
    ]);
    expect(
      HoldingAreaSchema.safeParse({
        code: 'H',
        name: 'H',
        polygon: [
          [21, 106],
          [21, 106],
          [21.01, 106],
        ],
      }).success,
    ).toBe(false);
  });
});
