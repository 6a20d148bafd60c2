import { z } from 'zod';
import { freeText } from './text';
import { isoDateTime } from './time';

/**
 * Drivers and the road (API.md "Driver tracking and traffic flow"; DESIGN.md "Tracking and traffic flow"): a gate's
 * approach corridor, its holding areas and traffic thresholds, the points a driver's phone sends, the flow per segment
 * and the advisory drawn from it, and the traffic police's orders. The rules are plain functions here; where a point
 * lies is geometry (domain/corridor-geometry.ts, on @turf), and the I/O is the API's and the worker's.
 */

const latitude = z.number().min(-90, 'must be a latitude (−90 to 90)').max(90, 'must be a latitude (−90 to 90)');
const longitude = z.number().min(-180, 'must be a longitude (−180 to 180)').max(180, 'must be a longitude (−180 to 180)');
/**
 * `[lat, lon]`, in that order (API.md), as people read coordinates; GeoJSON's `[lon, lat]` stays inside the geometry.
 * A pair rather than a tuple type: a typed client (openapi-fetch's inference in the console) widens tuples anyway.
 */
export const LatLonSchema = z
  .array(z.number())
  .length(2, 'must be [lat, lon]')
  .superRefine(([lat, lon], ctx) => {
    if (!latitude.safeParse(lat).success) ctx.addIssue({ code: 'custom', path: [0], message: 'must be a latitude (−90 to 90)' });
    if (!longitude.safeParse(lon).success) ctx.addIssue({ code: 'custom', path: [1], message: 'must be a longitude (−180 to 180)' });
  });
export type LatLon = z.infer<typeof LatLonSchema>;

const CODE = /^[A-Z0-9][A-Z0-9_-]{0,39}$/;
const code = () => z.string().regex(CODE, 'must be 1–40 capital letters, digits, _ or - (such as QL1A-3)');
const name = () => freeText().trim().min(1, 'is required').max(200);

export const SegmentSchema = z
  .object({
    code: code(),
    name: name(),
    /** 1 is furthest from the gate; the highest order is the segment that reaches the gate. */
    order: z.number().int().min(1).max(100),
    path: z.array(LatLonSchema).min(2, 'needs at least two points').max(500),
    /** The road's width: a point within widthM / 2 of the path is on the segment. */
    widthM: z.number().min(5).max(2000),
  })
  .meta({ id: 'CorridorSegment' });
export type Segment = z.infer<typeof SegmentSchema>;

export const HoldingAreaSchema = z
  .object({
    code: code(),
    name: name(),
    /** The area's outline; the last point joins the first. */
    polygon: z.array(LatLonSchema).min(3, 'needs at least three points').max(500),
  })
  .refine((h) => new Set(h.polygon.map(([lat, lon]) => `${lat},${lon}`)).size >= 3, {
    path: ['polygon'],
    message: 'needs at least three different points',
  })
  .meta({ id: 'HoldingArea' });
export type HoldingArea = z.infer<typeof HoldingAreaSchema>;

/** A segment is SLOW below `slowBelowKmh`, CONGESTED below `congestedBelowKmh` or above `densityPerKm` trucks per km. */
export const TrafficThresholdsSchema = z
  .object({
    slowBelowKmh: z.number().positive().max(200).default(20),
    congestedBelowKmh: z.number().positive().max(200).default(8),
    densityPerKm: z.number().positive().max(1000).default(40),
  })
  .refine((t) => t.congestedBelowKmh < t.slowBelowKmh, { path: ['congestedBelowKmh'], message: 'must be below slowBelowKmh' })
  .meta({ id: 'TrafficThresholds' });
export type TrafficThresholds = z.infer<typeof TrafficThresholdsSchema>;
export const DEFAULT_TRAFFIC_THRESHOLDS: TrafficThresholds = { slowBelowKmh: 20, congestedBelowKmh: 8, densityPerKm: 40 };

/** Codes unique within the list, and segment orders too: the refusal names the second of each pair. */
export function corridorProblems(
  corridor: readonly Segment[] | undefined,
  holdingAreas: readonly HoldingArea[] | undefined,
): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const twice = <T>(items: readonly T[] | undefined, key: (item: T) => unknown, path: (i: number) => string, what: string) =>
    (items ?? []).forEach((item, i) => {
      if ((items ?? []).findIndex((other) => key(other) === key(item)) < i) problems.push({ path: path(i), message: `repeats ${what}` });
    });
  twice(
    corridor,
    (s) => s.code,
    (i) => `corridor.${i}.code`,
    'a segment code',
  );
  twice(
    corridor,
    (s) => s.order,
    (i) => `corridor.${i}.order`,
    "another segment's order",
  );
  twice(
    holdingAreas,
    (h) => h.code,
    (i) => `holdingAreas.${i}.code`,
    'a holding area code',
  );
  return problems;
}

// ---- positions ---------------------------------------------------------------------------------------------------

/** A point older than this, or further ahead of the server clock than the other, is refused (API.md). */
export const POINT_MAX_AGE_MS = 24 * 3600_000;
export const POINT_MAX_AHEAD_MS = 5 * 60_000;
export const MAX_POINTS_PER_BATCH = 100;
/** A speed derived from two fixes above this is a GPS jump, not a truck (the phone's own speed is held to the same). */
export const MAX_SPEED_KMH = 250;

export const PositionSchema = z
  .object({
    at: isoDateTime(),
    lat: latitude,
    lon: longitude,
    speedKmh: z.number().min(0).max(MAX_SPEED_KMH).optional(),
    headingDeg: z.number().min(0).max(360).optional(),
    accuracyM: z.number().min(0).max(100_000).optional(),
  })
  .strict()
  .meta({ id: 'Position' });
export type Position = z.infer<typeof PositionSchema>;

/** A whole batch is checked against one clock reading, so every bad point is named at once. */
export function positionBatchSchema(now: () => number = Date.now) {
  return z
    .object({
      positions: z
        .array(
          PositionSchema.superRefine((point, ctx) => {
            const at = Date.parse(point.at);
            const clock = now();
            if (at > clock + POINT_MAX_AHEAD_MS)
              ctx.addIssue({ code: 'custom', path: ['at'], message: 'is more than 5 minutes ahead of the server clock' });
            if (at < clock - POINT_MAX_AGE_MS) ctx.addIssue({ code: 'custom', path: ['at'], message: 'is more than 24 hours old' });
          }),
        )
        .min(1, 'needs at least one point')
        .max(MAX_POINTS_PER_BATCH, `takes at most ${MAX_POINTS_PER_BATCH} points per batch`),
    })
    .strict()
    .meta({ id: 'PositionBatch' });
}
export const PositionBatchSchema = positionBatchSchema();
export type PositionBatch = z.infer<typeof PositionBatchSchema>;

/** Where a point lies: on a segment of the corridor, in a holding area, or nowhere the gate knows. */
export interface Placement {
  segment: string | null;
  holdingArea: string | null;
}

// ---- flow --------------------------------------------------------------------------------------------------------

export const FLOW_STATUSES = ['FREE', 'SLOW', 'CONGESTED'] as const;
export type FlowStatus = (typeof FLOW_STATUSES)[number];

/** Trucks and positions older than this say nothing about the road now (API.md: "over the last 10 minutes"). */
export const FLOW_WINDOW_MS = 10 * 60_000;
/** The worker recomputes every gate's flow this often (API.md: at least every 30 s); TRAFFIC_FLOW_EVERY_MS changes it. */
export const FLOW_EVERY_MS = 15_000;
/**
 * A reckoning older than this is not shown: the workers that make it are down, and an advisory of an hour ago (a jam
 * long cleared) would keep trucks waiting for nothing. Readers then show no flow and no advisory until the next one.
 */
export const FLOW_STALE_MS = 2 * 60_000;

/**
 * A segment's status from its trucks: an empty segment is free; a full one is congested however fast its few moving
 * trucks go (a queue of parked trucks reports 0 km/h, but a phone in a cab left running may not report at all).
 */
export function flowStatus(
  flow: { trucks: number; meanSpeedKmh: number | null; lengthKm: number },
  thresholds: TrafficThresholds,
): FlowStatus {
  if (flow.trucks === 0) return 'FREE';
  if (flow.lengthKm > 0 && flow.trucks / flow.lengthKm > thresholds.densityPerKm) return 'CONGESTED';
  if (flow.meanSpeedKmh === null) return 'FREE';
  if (flow.meanSpeedKmh < thresholds.congestedBelowKmh) return 'CONGESTED';
  if (flow.meanSpeedKmh < thresholds.slowBelowKmh) return 'SLOW';
  return 'FREE';
}

export interface SegmentFlow {
  code: string;
  name: string;
  order: number;
  trucks: number;
  meanSpeedKmh: number | null;
  status: FlowStatus;
}

export const ADVISORY_LEVELS = ['NONE', 'HOLD_UPSTREAM'] as const;
export type AdvisoryLevel = (typeof ADVISORY_LEVELS)[number];
export const ADVISORY_CAUSES = ['CONGESTED_AT_GATE', 'YARDS_FULL'] as const;
export type AdvisoryCause = (typeof ADVISORY_CAUSES)[number];

export interface Advisory {
  level: AdvisoryLevel;
  message: string;
  holdingArea: string | null;
  /** The holding area's name, as drivers read it on the signs. */
  holdingAreaName: string | null;
  /** Why trucks are asked to wait; null when they are not. */
  cause: AdvisoryCause | null;
  /** Segments whose trucks are asked to wait (every segment but the one at the gate). */
  segments: string[];
  /** The queue's estimated time of its next call, when the gate keeps a queue: how long the wait is. */
  waitUntil: string | null;
}

export const NO_ADVISORY: Advisory = {
  level: 'NONE',
  message: 'Traffic flows; no truck needs to wait.',
  holdingArea: null,
  holdingAreaName: null,
  cause: null,
  segments: [],
  waitUntil: null,
};

/**
 * The hold-upstream advisory (API.md): when the segment at the gate is congested or every yard is full, trucks further
 * out wait at a holding area instead of joining the jam; the queue's next estimated call says for how long. Trucks
 * already on the segment at the gate keep going: they are the ones the yard takes next.
 */
export function advise(input: {
  segments: readonly SegmentFlow[];
  yards: readonly { capacity: number; occupied: number; reserved: number }[];
  holdingAreas: readonly { code: string; name: string }[];
  nextCallAt: string | null;
}): Advisory {
  const nearest = [...input.segments].sort((a, b) => b.order - a.order)[0];
  const yardsFull = input.yards.length > 0 && input.yards.every((y) => y.occupied + y.reserved >= y.capacity);
  const congested = nearest?.status === 'CONGESTED';
  if (!nearest || (!congested && !yardsFull)) return NO_ADVISORY;
  const holding = input.holdingAreas[0] ?? null;
  const cause: AdvisoryCause = congested ? 'CONGESTED_AT_GATE' : 'YARDS_FULL';
  const why = congested ? `${nearest.name} is congested` : 'every yard is full';
  const where = holding ? `wait at ${holding.name}` : 'wait where it is safe to stop';
  const until = input.nextCallAt ? `; the queue's next call is expected at ${input.nextCallAt}` : '';
  return {
    level: 'HOLD_UPSTREAM',
    message: `${why}: trucks not yet on ${nearest.name} ${where}${until}.`,
    holdingArea: holding?.code ?? null,
    holdingAreaName: holding?.name ?? null,
    cause,
    segments: input.segments.filter((s) => s.code !== nearest.code).map((s) => s.code),
    waitUntil: input.nextCallAt,
  };
}

// ---- orders ------------------------------------------------------------------------------------------------------

export const TRAFFIC_ACTIONS = ['HOLD', 'PROCEED', 'DIVERT'] as const;
export type TrafficAction = (typeof TRAFFIC_ACTIONS)[number];
/** An order stands at most this long: a forgotten HOLD must not keep trucks waiting for days. */
export const MAX_ORDER_VALIDITY_MS = 7 * 24 * 3600_000;

export const TrafficOrderRequestSchema = z
  .object({
    action: z.enum(TRAFFIC_ACTIONS),
    message: freeText().trim().min(1, 'is required').max(300),
    /** Every approach segment when omitted. */
    segments: z.array(code()).min(1).max(100).optional(),
    holdingArea: code().optional(),
    validUntil: isoDateTime()
      .refine((at) => Date.parse(at) > Date.now(), 'must be in the future')
      .refine((at) => Date.parse(at) <= Date.now() + MAX_ORDER_VALIDITY_MS, 'must be within 7 days'),
  })
  .strict()
  .meta({ id: 'TrafficOrderRequest' });
export type TrafficOrderRequest = z.infer<typeof TrafficOrderRequestSchema>;

export const TrafficOrderSchema = z
  .object({
    id: z.string(),
    gate: z.string(),
    action: z.enum(TRAFFIC_ACTIONS),
    message: z.string(),
    /** Null: every approach segment. */
    segments: z.array(z.string()).nullable(),
    holdingArea: z.string().nullable(),
    /** The holding area's name, as drivers read it on the signs. */
    holdingAreaName: z.string().nullable(),
    validUntil: z.string(),
    issuedAt: z.string(),
    /** How many drivers en route were sent it. */
    recipients: z.number().int(),
    withdrawnAt: z.string().nullable(),
  })
  .meta({ id: 'TrafficOrder' });
export type TrafficOrder = z.infer<typeof TrafficOrderSchema>;
