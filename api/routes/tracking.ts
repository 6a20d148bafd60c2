import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { speedBetween } from '../../domain/corridor-geometry';
import { CROSSING_STATUSES, ENDED_STATUSES, TrackingSummarySchema } from '../../domain/crossing-view';
import { DIRECTIONS } from '../../domain/declaration';
import { languageFor, SMS_LANGUAGES } from '../../domain/notifications';
import { QueuePlaceSchema } from '../../domain/queue';
import { STEPS } from '../../domain/steps';
import { isoDateTime } from '../../domain/time';
import {
  ADVISORY_CAUSES,
  ADVISORY_LEVELS,
  MAX_SPEED_KMH,
  NO_ADVISORY,
  PositionBatchSchema,
  TrafficOrderSchema,
} from '../../domain/tracking';
import { storesOver } from '../../infra/db/stores';
import { driverLinkSms, newDriverLink } from '../../infra/driver-links';
import type { PlacedPoint } from '../../infra/db/stores/tracking';
import type { ApiContext } from '../context';
import { crossingFor } from '../crossing-access';
import { TRACK_READERS } from '../../domain/data-views';
import { DriverAccess, ended } from '../driver-access';
import { requestHash } from '../idempotency';
import { ApiError, conflict, invalidFields, notFound } from '../problem';
import type { Api } from '../route';
import { IdParams, ProblemSchema } from '../schemas';

/**
 * The driver's link and what it reaches (API.md "Driver tracking and traffic flow"): positions in, the crossing's
 * status, queue call and orders out; and a crossing's track for the roles that may read where a truck has been.
 */

const DriverLinkSchema = z
  .object({
    /**
     * Opens the console's driver page; the token is in the fragment, which no server sees. Both are shown once: a
     * repeat of the request under its Idempotency-Key answers null (issue a new link to see a token again).
     */
    url: z.string().nullable(),
    token: z.string().nullable(),
    /** Null while the crossing is open: the link then works until 24 h after the crossing ends. */
    expiresAt: z.string().nullable(),
  })
  .meta({ id: 'DriverLink' });

const PositionsAcceptedSchema = z
  .object({
    accepted: z.number().int(),
    /** The segment of the approach corridor the batch's latest point lies on, or null. */
    segment: z.string().nullable(),
  })
  .meta({ id: 'PositionsAccepted' });

export const AdvisorySchema = z
  .object({
    level: z.enum(ADVISORY_LEVELS),
    message: z.string(),
    holdingArea: z.string().nullable(),
    holdingAreaName: z.string().nullable(),
    cause: z.enum(ADVISORY_CAUSES).nullable(),
    /** The segments whose trucks are asked to wait. */
    segments: z.array(z.string()),
    /** The queue's next expected call, when the gate keeps a queue. */
    waitUntil: z.string().nullable(),
  })
  .meta({ id: 'TrafficAdvisory' });

const DriverCrossingSchema = z
  .object({
    /** The crossing the link is for: where its positions go (`POST /v1/crossings/{crossingId}/positions`). */
    crossingId: z.string(),
    gate: z.string(),
    gateName: z.string(),
    plate: z.string(),
    direction: z.enum(DIRECTIONS),
    status: z.enum(CROSSING_STATUSES),
    currentStep: z.enum(STEPS).nullable(),
    queue: QueuePlaceSchema.nullable(),
    /** The traffic police's standing orders meant for this driver, newest first. */
    orders: z.array(TrafficOrderSchema),
    /** The gate's hold-upstream advisory, when it asks this truck to wait (level NONE otherwise). */
    advisory: AdvisorySchema,
    tracking: TrackingSummarySchema.nullable(),
    /** The page's language: Chinese for a driver of nationality CN, else Vietnamese. */
    language: z.enum(SMS_LANGUAGES),
    /** Whether the link still sends positions (until the crossing ends). */
    sending: z.boolean(),
    updatedAt: z.string(),
  })
  .meta({ id: 'DriverCrossing' });

const TrackSchema = z
  .object({
    points: z.array(z.object({ at: z.string(), lat: z.number(), lon: z.number(), speedKmh: z.number().nullable() })),
    /** More points follow in the period: ask again from the last one's `at`. */
    truncated: z.boolean(),
  })
  .meta({ id: 'Track' });

const TRACK_LIMIT = 10_000;
/**
 * A new link is always issued and answered, and texted to the driver unless this many links were texted to the same
 * phone in the last hour: a declarant's script issuing links in a loop must not flood a driver's phone.
 */
const LINK_SMS_PER_HOUR = 5;

const driverProblems = {
  401: { description: 'no driver token, or one not valid (replaced by a newer link, or 24 h past the end)', schema: ProblemSchema },
  404: { description: 'not the crossing of this link', schema: ProblemSchema },
};

export function trackingRoutes(api: Api, ctx: ApiContext): void {
  const drivers = new DriverAccess(ctx);

  api.route({
    method: 'post',
    path: '/v1/crossings/{id}/driver-link',
    summary: "Issue the crossing's driver link (a new one ends the earlier one at once) and send it to the driver by SMS",
    tag: 'tracking',
    access: ['DECLARANT', 'ADMIN'],
    params: IdParams,
    responses: {
      201: { description: 'the link, shown once', schema: DriverLinkSchema },
      404: { description: 'no such crossing', schema: ProblemSchema },
      409: { description: 'the crossing has ended', schema: ProblemSchema },
    },
    handler: async ({ params, caller }) => {
      const row = await crossingFor(ctx, caller, params.id);
      if (ENDED_STATUSES.includes(row.view.status)) throw conflict(`This crossing ended ${row.view.status}; it needs no new driver link.`);
      const link = newDriverLink(ctx.config.publicUrl);
      const { declaration } = row.view;
      const gateName = (await ctx.services.stores().gates.gate(row.gate_code))?.name;
      // A view kept partial (an incident's) has no driver to text: the link is still given to the declarant.
      const sms =
        'driver' in declaration
          ? driverLinkSms(
              { id: row.id, gate: row.gate_code, gateName, plate: declaration.vehicle.plate, driver: declaration.driver },
              link.url,
              new Date(),
            )
          : undefined;
      await ctx.services.stores().em.transactional(async (tx) => {
        const inTx = storesOver(tx);
        await inTx.audit.append([{ at: new Date(), actor: caller.id, action: 'DRIVER_LINK_ISSUED', details: { crossingId: row.id } }]);
        if (!(await inTx.tracking.issueLink(row.id, link.tokenHash, caller.id, sms, { perHour: LINK_SMS_PER_HOUR }))) {
          throw notFound('There is no such crossing.');
        }
      });
      // The token is shown once: a repeat under the same Idempotency-Key is told to issue a new link instead.
      return {
        status: 201,
        body: { url: link.url, token: link.token, expiresAt: null },
        kept: { url: null, token: null, expiresAt: null },
      };
    },
  });

  api.route({
    method: 'post',
    path: '/v1/crossings/{id}/positions',
    summary: "Positions from the driver's phone (1–100 points), placed on the gate's approach corridor; never in the workflow history",
    tag: 'tracking',
    access: 'public',
    before: drivers.check,
    security: 'driverLink',
    params: IdParams,
    body: PositionBatchSchema,
    responses: {
      202: { description: 'stored (or, for a repeated Idempotency-Key, stored before)', schema: PositionsAcceptedSchema },
      400: { description: 'every bad point, by its index (positions.3.lat)', schema: ProblemSchema },
      ...driverProblems,
      409: { description: 'the crossing has ended', schema: ProblemSchema },
      422: { description: 'the Idempotency-Key was used for another batch', schema: ProblemSchema },
    },
    handler: async ({ params, body, req }) => {
      const holder = drivers.holder(req);
      if (holder.crossingId !== params.id) throw notFound('This driver link is for another crossing.');
      // An empty header is no key, as everywhere in the API: the batch is then stored as new.
      const key = req.header('Idempotency-Key') || randomUUID();
      if (key.length > 200) throw invalidFields([{ path: 'header.Idempotency-Key', message: 'must be at most 200 characters' }]);
      const hash = requestHash('post', req.originalUrl, req.body);
      const tracking = ctx.services.stores().tracking;
      if (ended(holder)) {
        // A batch stored before the end, whose answer was lost, gets that answer again; a new one is refused.
        const first = await tracking.storedBatch(holder.crossingId, key);
        if (first?.requestHash === hash) return { status: 202, body: first.answer, replayed: true };
        throw conflict(`This crossing ended ${holder.status}; its driver link no longer sends positions.`);
      }

      const placed = await ctx.corridors.of(holder.gate);
      // Oldest first, so a point without a speed takes it from the fix before it (in the batch, or the last stored).
      const sorted = [...body.positions].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
      let before = holder.lastFix;
      const points: PlacedPoint[] = sorted.map((p) => {
        const where = placed?.map.place(p.lat, p.lon) ?? { segment: null, holdingArea: null };
        const between = before && Date.parse(p.at) > Date.parse(before.at) ? speedBetween(before, p) : undefined;
        // A jump of the fix (a tunnel, a poor signal) would read as a truck at hundreds of km/h: no speed then.
        const derived = p.speedKmh ?? (between !== undefined && between <= MAX_SPEED_KMH ? between : undefined);
        before = { at: p.at, lat: p.lat, lon: p.lon, speedKmh: null, segment: null, holdingArea: null };
        return {
          at: new Date(p.at).toISOString(),
          lat: p.lat,
          lon: p.lon,
          speedKmh: derived === undefined ? null : Math.round(derived * 10) / 10,
          headingDeg: p.headingDeg ?? null,
          accuracyM: p.accuracyM ?? null,
          ...where,
        };
      });
      const latest = points[points.length - 1];
      const first = points.find((p) => p.segment !== null || p.holdingArea !== null);
      const answer = { accepted: points.length, segment: latest.segment };
      const stored = await tracking.addPoints({
        crossingId: holder.crossingId,
        gate: holder.gate,
        key,
        requestHash: hash,
        answer,
        points,
        latest,
        approach: first && { at: first.at, segment: first.segment },
      });
      if (stored.outcome === 'conflict') {
        throw new ApiError(
          422,
          'Unprocessable Content',
          'This Idempotency-Key was already used with another batch; use a new key for new points.',
        );
      }
      if (stored.newlyApproached && first) ctx.approaches.soon({ crossingId: holder.crossingId, at: first.at, segment: first.segment });
      return { status: 202, body: stored.answer, replayed: stored.outcome === 'replayed' };
    },
  });

  api.route({
    method: 'get',
    path: '/v1/driver/crossing',
    summary: "The driver's own crossing: status, queue call, standing orders and the advisory, in the driver's language",
    tag: 'tracking',
    access: 'public',
    before: drivers.check,
    security: 'driverLink',
    responses: { 200: { description: 'the crossing as its driver sees it', schema: DriverCrossingSchema }, ...driverProblems },
    handler: async ({ req }) => {
      const holder = drivers.holder(req);
      const stores = ctx.services.stores();
      const waiting = holder.queue?.status === 'WAITING' || holder.queue?.status === 'NO_SHOW';
      const [gate, place, orders, flow] = await Promise.all([
        stores.gates.gate(holder.gate),
        waiting ? stores.queue.placeOf(holder.crossingId) : undefined,
        ended(holder) ? [] : stores.traffic.ordersFor(holder.crossingId, holder.gate),
        ended(holder) ? undefined : stores.traffic.flowOf(holder.gate),
      ]);
      const fix = holder.lastFix;
      const advisory = flow?.advisory;
      // The advisory asks trucks further out to wait: not one already on the segment at the gate, nor one the queue has
      // called (its place is kept for it: it must come), nor one that has ended.
      const called = holder.queue?.status === 'CALLED' || holder.queue?.status === 'ARRIVED';
      const asked = advisory?.level === 'HOLD_UPSTREAM' && !called && (fix?.segment == null || advisory.segments.includes(fix.segment));
      return {
        body: {
          crossingId: holder.crossingId,
          gate: holder.gate,
          gateName: gate?.name ?? holder.gate,
          plate: holder.plate,
          direction: holder.direction,
          status: holder.status,
          currentStep: holder.currentStep,
          queue: holder.queue && { ...holder.queue, ...(place ?? {}) },
          orders,
          advisory: asked ? advisory : NO_ADVISORY,
          tracking: fix && { lastAt: fix.at, segment: fix.segment, holdingArea: fix.holdingArea, speedKmh: fix.speedKmh },
          language: languageFor(holder.driver.nationality),
          sending: !ended(holder),
          updatedAt: holder.updatedAt,
        },
      };
    },
  });

  api.route({
    method: 'get',
    path: '/v1/crossings/{id}/track',
    summary: "A crossing's track from its driver's phone, oldest first (location is personal data: a few roles only)",
    tag: 'tracking',
    access: TRACK_READERS,
    params: IdParams,
    query: z
      .object({ from: isoDateTime().optional(), to: isoDateTime().optional() })
      .refine((q) => !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to), { path: ['to'], message: 'must not be before from' }),
    responses: {
      200: { description: `the points, oldest first (at most ${TRACK_LIMIT})`, schema: TrackSchema },
      403: { description: 'the role may not read tracks', schema: ProblemSchema },
      404: { description: 'no such crossing', schema: ProblemSchema },
    },
    handler: async ({ params, query, caller }) => {
      await crossingFor(ctx, caller, params.id);
      const points = await ctx.services.stores().tracking.track(params.id, { ...query, limit: TRACK_LIMIT + 1 });
      return { body: { points: points.slice(0, TRACK_LIMIT), truncated: points.length > TRACK_LIMIT } };
    },
  });
}
