/**
 * The road the traffic simulator drives its trucks along (`npm run simulate:traffic`): a gate's approach corridor as
 * `GET /v1/gates` gives it, laid end to end as one line from the far end of segment 1 to the gate, and the trucks on it.
 * Pure code with no I/O, in simulated seconds: the simulator steps it and turns each truck's state into the points a
 * driver's phone would send.
 *
 * The model is a single lane of trucks, each following the one ahead (Newell's car-following: never closer than a
 * truck's length and a small gap, plus two seconds of travel at its speed), with three parts of the road:
 * - before the last segment, each truck drives at its own cruising speed (40–60 km/h on QL1A);
 * - on the last segment the road narrows to the checkpoint and trucks crawl, from 10 km/h at its start to 5 km/h at
 *   the gate line (stop-and-go behind the checkpoint's own queue);
 * - the gate lets one truck through every `gateEverySec`; the others stop behind it, bumper to bumper.
 * Trucks reach the last segment faster than the gate lets them through, so a queue grows back from the gate, and the
 * segment's mean speed drops from SLOW (below 20 km/h) to CONGESTED (below 8 km/h) as more of its trucks stand in it:
 * the jam the flow keeper should see. A truck told to HOLD before it has passed the holding area's turn-off pulls in
 * there and waits (off the road: its points lie in the holding area, on no segment) until the order is lifted.
 */

export type LatLon = [number, number];

export interface CorridorSegment {
  code: string;
  name: string;
  order: number;
  path: LatLon[];
  widthM: number;
}

export interface HoldingAreaShape {
  code: string;
  name: string;
  polygon: LatLon[];
}

/** A segment laid on the one line: where it starts and ends, in metres from the far end of segment 1. */
export interface LaidSegment {
  code: string;
  name: string;
  order: number;
  fromM: number;
  toM: number;
}

const EARTH_RADIUS_M = 6_371_008.8;
const rad = (deg: number) => (deg * Math.PI) / 180;

/** Great-circle distance in metres (haversine), as @turf measures it on the server. */
export function metresBetween([lat1, lon1]: LatLon, [lat2, lon2]: LatLon): number {
  const dLat = rad(lat2 - lat1);
  const dLon = rad(lon2 - lon1);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(lat1)) * Math.cos(rad(lat2)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.sqrt(h));
}

function bearing([lat1, lon1]: LatLon, [lat2, lon2]: LatLon): number {
  const y = Math.sin(rad(lon2 - lon1)) * Math.cos(rad(lat2));
  const x = Math.cos(rad(lat1)) * Math.sin(rad(lat2)) - Math.sin(rad(lat1)) * Math.cos(rad(lat2)) * Math.cos(rad(lon2 - lon1));
  return ((Math.atan2(y, x) * 180) / Math.PI + 360) % 360;
}

/** A gate's corridor as one line: positions by distance along it, the segment at a distance, the holding area's turn-off. */
export class Road {
  readonly segments: LaidSegment[];
  readonly lengthM: number;
  /** Where a truck leaves the road for the holding area (the road's point nearest to it); null without one. */
  readonly turnOffM: number | null;
  readonly holdingArea: HoldingAreaShape | null;
  private readonly points: LatLon[] = [];
  private readonly at: number[] = [];

  constructor(corridor: readonly CorridorSegment[], holdingAreas: readonly HoldingAreaShape[]) {
    if (!corridor.length) throw new Error('the gate has no approach corridor (PUT /v1/admin/gates/{code} with corridor)');
    const ordered = [...corridor].sort((a, b) => a.order - b.order);
    this.segments = [];
    for (const s of ordered) {
      const fromM = this.at.length ? this.at[this.at.length - 1] : 0;
      for (const p of s.path) this.extend(p);
      this.segments.push({ code: s.code, name: s.name, order: s.order, fromM, toM: this.at[this.at.length - 1] });
    }
    this.lengthM = this.at[this.at.length - 1];
    this.holdingArea = holdingAreas[0] ?? null;
    this.turnOffM = this.holdingArea ? this.nearestM(centroid(this.holdingArea.polygon)) : null;
  }

  /** Adds a point to the line; a segment starting where the one before ended adds no zero-length leg. */
  private extend(p: LatLon): void {
    const last = this.points[this.points.length - 1];
    if (last && last[0] === p[0] && last[1] === p[1]) return;
    this.at.push(last ? this.at[this.at.length - 1] + metresBetween(last, p) : 0);
    this.points.push(p);
  }

  get last(): LaidSegment {
    return this.segments[this.segments.length - 1];
  }

  /** The point `m` metres along the line (clamped to it), and the road's heading there. */
  pointAt(m: number): { lat: number; lon: number; headingDeg: number } {
    const d = Math.min(Math.max(m, 0), this.lengthM);
    let i = 1;
    while (i < this.at.length - 1 && this.at[i] < d) i++;
    const [a, b] = [this.points[i - 1], this.points[i]];
    const f = (d - this.at[i - 1]) / (this.at[i] - this.at[i - 1] || 1);
    return { lat: a[0] + (b[0] - a[0]) * f, lon: a[1] + (b[1] - a[1]) * f, headingDeg: Math.round(bearing(a, b)) };
  }

  /**
   * The segment a truck `m` metres along lies on, as the server places it: where two segments meet, the one nearer
   * the gate. Null past the gate line.
   */
  segmentAt(m: number): LaidSegment | null {
    if (m > this.lengthM) return null;
    return [...this.segments].reverse().find((s) => m >= s.fromM) ?? this.segments[0];
  }

  /** A point a little past the gate line, off the corridor: where a truck let through sends its last fix from. */
  beyondGate(metres = 300): { lat: number; lon: number } {
    const [a, b] = [this.points[this.points.length - 2], this.points[this.points.length - 1]];
    const leg = metresBetween(a, b);
    return { lat: b[0] + ((b[0] - a[0]) * metres) / leg, lon: b[1] + ((b[1] - a[1]) * metres) / leg };
  }

  /** A parking place in the holding area for the n-th truck waiting there (around its centre, inside small outlines). */
  parkingSpot(n: number): { lat: number; lon: number } {
    const polygon = this.holdingArea!.polygon;
    const [clat, clon] = centroid(polygon);
    const spread = Math.min(...polygon.map(([lat]) => Math.abs(lat - clat))) * 0.6;
    const angle = n * 2.399963; // the golden angle: spots spread evenly without a grid
    const r = spread * Math.sqrt(((n % 40) + 1) / 40);
    return { lat: clat + r * Math.sin(angle), lon: clon + r * Math.cos(angle) };
  }

  /** The distance along the line of its vertex or leg point nearest to `p` (good enough for a turn-off). */
  private nearestM(p: LatLon): number {
    let best = { d: Infinity, m: 0 };
    for (let m = 0; m <= this.lengthM; m += 25) {
      const q = this.pointAt(m);
      const d = metresBetween(p, [q.lat, q.lon]);
      if (d < best.d) best = { d, m };
    }
    return best.m;
  }
}

function centroid(polygon: readonly LatLon[]): LatLon {
  const n = polygon.length;
  return [polygon.reduce((s, p) => s + p[0], 0) / n, polygon.reduce((s, p) => s + p[1], 0) / n];
}

// ---- the trucks ----------------------------------------------------------------------------------------------------

export type TruckState = 'not yet' | 'driving' | 'holding' | 'through';

export interface SimTruck {
  index: number;
  state: TruckState;
  /** Metres along the line. */
  m: number;
  /** Metres per simulated second. */
  speed: number;
  /** This truck's own cruising speed, m/s. */
  cruise: number;
  /** Simulated second it may join the road at its far end. */
  entersAt: number;
  /** The police's HOLD, as the driver's page shows it. */
  ordered: boolean;
  parking: { lat: number; lon: number } | null;
}

export interface RoadModel {
  /** Simulated seconds between two trucks let through the gate. */
  gateEverySec: number;
  /** Simulated seconds between two trucks joining the road at its far end. */
  headwaySec: number;
  /** Crawl limits on the last segment, km/h: at its start, and at the gate line. */
  lastSegmentKmh: [number, number];
  cruiseKmh: [number, number];
}

export const DEFAULT_MODEL: RoadModel = { gateEverySec: 180, headwaySec: 90, lastSegmentKmh: [10, 5], cruiseKmh: [40, 60] };

/** A truck's length and the gap it keeps standing; and the time gap it keeps moving (Newell). */
const STANDING_M = 20;
const TIME_GAP_S = 2;
const ACCELERATION = 0.6; // m/s², a laden truck

/** What happened in a step that a person watching would want to read. */
export type RoadEvent =
  | { kind: 'entered'; truck: SimTruck; segment: LaidSegment }
  | { kind: 'through'; truck: SimTruck }
  | { kind: 'pulled in'; truck: SimTruck }
  | { kind: 'back on the road'; truck: SimTruck };

export class Traffic {
  readonly trucks: SimTruck[];
  /** Simulated seconds since the start. */
  now = 0;
  private gateFreeAt = 0;
  private parked = 0;

  constructor(
    readonly road: Road,
    readonly model: RoadModel,
    count: number,
    random: () => number = Math.random,
  ) {
    const [lo, hi] = model.cruiseKmh;
    this.trucks = Array.from({ length: count }, (_, index) => ({
      index,
      state: 'not yet',
      m: 0,
      speed: 0,
      cruise: (lo + (hi - lo) * random()) / 3.6,
      entersAt: index * model.headwaySec,
      ordered: false,
      parking: null,
    }));
  }

  /** The speed a truck may take at `m`: its own cruise before the last segment, the narrowing crawl on it. */
  private limit(truck: SimTruck, m: number): number {
    const last = this.road.last;
    if (m < last.fromM) return truck.cruise;
    const [start, end] = this.model.lastSegmentKmh;
    const f = Math.min(1, (m - last.fromM) / (last.toM - last.fromM || 1));
    return Math.min(truck.cruise, (start + (end - start) * f) / 3.6);
  }

  /** Advances the road by `seconds` simulated seconds, one second at a time; answers what happened. */
  step(seconds: number): RoadEvent[] {
    const events: RoadEvent[] = [];
    for (let s = 0; s < seconds; s++) {
      this.now++;
      // Front to back, so that each truck follows where the one ahead is now.
      const onRoad = this.trucks.filter((t) => t.state === 'driving').sort((a, b) => b.m - a.m);
      let ahead: number | null = null; // the rear of the truck ahead, metres along; null: the gate line is next
      for (const truck of onRoad) {
        const before = this.road.segmentAt(truck.m);
        const gap = ahead === null ? this.road.lengthM - truck.m : ahead - truck.m - STANDING_M;
        const safe = Math.max(0, gap / TIME_GAP_S);
        truck.speed = Math.min(this.limit(truck, truck.m), safe, truck.speed + ACCELERATION);
        truck.m = Math.min(truck.m + truck.speed, ahead === null ? this.road.lengthM : truck.m + Math.max(0, gap));
        if (ahead === null && truck.m >= this.road.lengthM - 1 && this.now >= this.gateFreeAt) {
          truck.state = 'through';
          truck.speed = 0;
          this.gateFreeAt = this.now + this.model.gateEverySec;
          events.push({ kind: 'through', truck });
          continue; // the next truck now has the gate line ahead
        }
        const turnOff = this.road.turnOffM;
        if (truck.ordered && turnOff !== null && before && truck.m >= turnOff && truck.m - truck.speed < turnOff) {
          truck.state = 'holding';
          truck.speed = 0;
          truck.parking = this.road.parkingSpot(this.parked++);
          events.push({ kind: 'pulled in', truck });
          continue;
        }
        const after = this.road.segmentAt(truck.m);
        if (after && before && after.code !== before.code) events.push({ kind: 'entered', truck, segment: after });
        ahead = truck.m;
      }
      // Trucks join at the far end when it is their time and the end of the road has room.
      const rearmost = this.trucks.filter((t) => t.state === 'driving').reduce((m, t) => Math.min(m, t.m), Infinity);
      const next = this.trucks.find((t) => t.state === 'not yet' && t.entersAt <= this.now);
      if (next && rearmost > STANDING_M + TIME_GAP_S * next.cruise) {
        next.state = 'driving';
        next.speed = next.cruise;
        events.push({ kind: 'entered', truck: next, segment: this.road.segments[0] });
      }
      // A held truck goes back on the road once the order is lifted, when the road at the turn-off has room.
      for (const truck of this.trucks.filter((t) => t.state === 'holding' && !t.ordered)) {
        const turnOff = this.road.turnOffM ?? 0;
        const clear = this.trucks.every((t) => t.state !== 'driving' || Math.abs(t.m - turnOff) > 2 * STANDING_M);
        if (!clear) continue;
        truck.state = 'driving';
        truck.m = turnOff + 1;
        truck.speed = 0;
        truck.parking = null;
        events.push({ kind: 'back on the road', truck });
      }
    }
    return events;
  }

  /** Where a truck's phone is now and what speed it reports (km/h, as the simulated truck moves). */
  fix(truck: SimTruck): { lat: number; lon: number; speedKmh: number; headingDeg?: number } | null {
    if (truck.state === 'not yet') return null;
    if (truck.state === 'holding') return { ...truck.parking!, speedKmh: 0 };
    if (truck.state === 'through') return { ...this.road.beyondGate(), speedKmh: 0 };
    const p = this.road.pointAt(truck.m);
    return { lat: p.lat, lon: p.lon, speedKmh: Math.round(truck.speed * 3.6 * 10) / 10, headingDeg: p.headingDeg };
  }

  count(state: TruckState): number {
    return this.trucks.filter((t) => t.state === state).length;
  }
}
