import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { driverMessage, type NotificationDraft } from '../../domain/notifications';
import { AGENCY_ROLES, servesGate, type Role } from '../../domain/roles';
import {
  FLOW_STATUSES,
  FLOW_WINDOW_MS,
  NO_ADVISORY,
  type Advisory,
  TRAFFIC_ACTIONS,
  TrafficOrderRequestSchema,
  TrafficOrderSchema,
  type TrafficOrder,
} from '../../domain/tracking';
import { storesOver } from '../../infra/db/stores';
import type { DriverEnRoute } from '../../infra/db/stores/traffic';
import type { ApiContext } from '../context';
import { invalidFields, notFound } from '../problem';
import type { Api, Caller } from '../route';
import { ClosureSchema, ProblemSchema, GateParams } from '../schemas';
import { AdvisorySchema } from './tracking';

/**
 * The road at each gate (API.md "Driver tracking and traffic flow"): the flow per segment and the advisory, as the
 * worker last computed them (worker/traffic-keeper.ts); the traffic police's orders, sent at once to the drivers en
 * route; and the public page of every gate, which names no truck, company, driver or crossing.
 */

const OrderParams = GateParams.extend({ id: z.uuid('must be an order id (a UUID)') });

const SegmentTrafficSchema = z
  .object({
    code: z.string(),
    name: z.string(),
    /** 1 is furthest from the gate. */
    order: z.number().int(),
    trucks: z.number().int(),
    meanSpeedKmh: z.number().nullable(),
    status: z.enum(FLOW_STATUSES),
    path: z.array(z.array(z.number())),
    widthM: z.number(),
  })
  .meta({ id: 'SegmentTraffic' });

const TruckOnRoadSchema = z
  .object({
    crossingId: z.string(),
    plate: z.string(),
    lat: z.number(),
    lon: z.number(),
    speedKmh: z.number().nullable(),
    segment: z.string().nullable(),
    holdingArea: z.string().nullable(),
    lastAt: z.string(),
  })
  .meta({ id: 'TruckOnRoad' });

const GateTrafficSchema = z
  .object({
    gate: z.string(),
    /** When the flow was last computed (the worker does every 15 s); null before the first time. */
    at: z.string().nullable(),
    segments: z.array(SegmentTrafficSchema),
    advisory: AdvisorySchema,
    orders: z.array(TrafficOrderSchema),
    holdingAreas: z.array(z.object({ code: z.string(), name: z.string(), polygon: z.array(z.array(z.number())) })),
    /** The trucks seen on the approach in the last 10 minutes, for the map (plates: the police and managers only). */
    trucks: z.array(TruckOnRoadSchema),
  })
  .meta({ id: 'GateTraffic' });

const PublicGateSchema = z
  .object({
    code: z.string(),
    name: z.string(),
    open: z.boolean(),
    closure: ClosureSchema.nullable(),
    yards: z.array(z.object({ code: z.string(), capacity: z.number().int(), occupied: z.number().int() })),
    /** Null where the gate keeps no queue. */
    queue: z.object({ waiting: z.number().int(), called: z.number().int() }).nullable(),
    traffic: z.array(z.object({ segment: z.string(), name: z.string(), status: z.enum(FLOW_STATUSES) })),
    /** The advisory without the segments' codes: why trucks are asked to wait, where, and until when. */
    advisory: AdvisorySchema.pick({ level: true, message: true, holdingArea: true, holdingAreaName: true, cause: true, waitUntil: true }),
    /** When the traffic and the advisory were computed; null when there is no recent reckoning (then all is shown FREE). */
    trafficAt: z.string().nullable(),
    orders: z.array(
      z.object({ action: z.enum(TRAFFIC_ACTIONS), message: z.string(), holdingAreaName: z.string().nullable(), validUntil: z.string() }),
    ),
  })
  .meta({ id: 'PublicGate' });

const publicAdvisory = ({ level, message, holdingArea, holdingAreaName, cause, waitUntil }: Advisory) => ({
  level,
  message,
  holdingArea,
  holdingAreaName: holdingAreaName ?? null,
  cause,
  waitUntil,
});

const problems = {
  400: { description: 'invalid request', schema: ProblemSchema },
  404: { description: 'no such gate among those the account serves', schema: ProblemSchema },
};

/** Who reads a gate's traffic: the police and managers, and the agencies at the gate (API.md). */
const TRAFFIC_READERS = ['MANAGER', 'TRAFFIC_POLICE', 'ADMIN', ...AGENCY_ROLES] as const;
/** Who sees the trucks on the map, with their plates: the police and the gate's management (API.md's track readers). */
const SEES_TRUCKS: readonly Role[] = ['MANAGER', 'TRAFFIC_POLICE'];

export function trafficRoutes(api: Api, ctx: ApiContext): void {
  api.route({
    method: 'get',
    path: '/v1/gates/{code}/traffic',
    summary: "A gate's approach: trucks and mean speed per segment with FREE/SLOW/CONGESTED, the advisory, standing orders",
    tag: 'traffic',
    access: [...TRAFFIC_READERS],
    params: GateParams,
    responses: { 200: { description: "the gate's traffic", schema: GateTrafficSchema }, ...problems },
    handler: async ({ params, caller }) => {
      if (!servesGate(caller, params.code)) throw notFound(`No gate ${params.code} among the gates you serve.`);
      const stores = ctx.services.stores();
      const [approach] = await stores.gates.approaches(params.code);
      if (!approach) throw notFound(`No gate ${params.code}.`);
      const [flow, orders, trucks] = await Promise.all([
        stores.traffic.flowOf(params.code),
        stores.traffic.activeOrders(params.code),
        SEES_TRUCKS.includes(caller.role) ? stores.traffic.trucksOnRoad(params.code, FLOW_WINDOW_MS) : [],
      ]);
      return {
        body: {
          gate: params.code,
          at: flow?.at ?? null,
          segments: [...approach.corridor]
            .sort((a, b) => a.order - b.order)
            .map((s) => {
              const f = flow?.segments.get(s.code);
              return {
                code: s.code,
                name: s.name,
                order: s.order,
                trucks: f?.trucks ?? 0,
                meanSpeedKmh: f?.meanSpeedKmh ?? null,
                status: f?.status ?? 'FREE',
                path: s.path,
                widthM: s.widthM,
              };
            }),
          advisory: flow?.advisory ?? NO_ADVISORY,
          orders,
          holdingAreas: approach.holdingAreas,
          trucks,
        },
      };
    },
  });

  api.route({
    method: 'post',
    path: '/v1/gates/{code}/traffic-orders',
    summary:
      'A traffic police order (HOLD, PROCEED, DIVERT) sent at once by SMS to every driver en route on its segments, in their language',
    tag: 'traffic',
    access: ['TRAFFIC_POLICE'],
    params: GateParams,
    body: TrafficOrderRequestSchema,
    responses: { 201: { description: 'the order, with how many drivers it reached', schema: TrafficOrderSchema }, ...problems },
    handler: async ({ params, body, caller }) => {
      const approach = await servedApproach(ctx, caller, params.code);
      const known = new Set(approach.corridor.map((s) => s.code));
      const errors = (body.segments ?? []).flatMap((code, i) =>
        known.has(code) ? [] : [{ path: `segments.${i}`, message: `is not a segment of gate ${params.code}'s approach` }],
      );
      const holding = body.holdingArea ? approach.holdingAreas.find((h) => h.code === body.holdingArea) : undefined;
      if (body.holdingArea && !holding) errors.push({ path: 'holdingArea', message: `is not a holding area of gate ${params.code}` });
      if (errors.length) throw invalidFields(errors);

      const id = randomUUID();
      const segments = body.segments ? [...new Set(body.segments)] : null;
      const order = await ctx.services.stores().em.transactional(async (tx) => {
        const inTx = storesOver(tx);
        // The audit entry first, as every writer does (api/routes/queue.ts says why).
        await inTx.audit.append([
          {
            at: new Date(),
            actor: caller.id,
            action: 'TRAFFIC_ORDER_ISSUED',
            details: {
              gate: params.code,
              id,
              action: body.action,
              message: body.message,
              segments,
              holdingArea: body.holdingArea ?? null,
              validUntil: body.validUntil,
            },
          },
        ]);
        const drivers = await inTx.traffic.driversEnRoute(params.code, { segments, holdingArea: body.holdingArea ?? null });
        const facts = {
          action: body.action,
          orderMessage: body.message,
          holdingAreaName: holding?.name ?? null,
          validUntil: body.validUntil,
        };
        const sms = messagesTo(drivers, 'TRAFFIC_ORDER', params.code, approach.name, facts, `order:${id}`);
        return inTx.traffic.createOrder(
          {
            id,
            gate: params.code,
            action: body.action,
            message: body.message,
            segments,
            holdingArea: body.holdingArea ?? null,
            validUntil: body.validUntil,
          },
          caller.id,
          drivers.map((d) => d.crossingId),
          sms,
        );
      });
      return { status: 201, body: order, headers: { Location: `/v1/gates/${params.code}/traffic-orders/${id}` } };
    },
  });

  api.route({
    method: 'delete',
    path: '/v1/gates/{code}/traffic-orders/{id}',
    summary: 'Withdraw a standing order; the drivers it reached are told by SMS and on their page',
    tag: 'traffic',
    access: ['TRAFFIC_POLICE'],
    params: OrderParams,
    responses: { 200: { description: 'the order, withdrawn', schema: TrafficOrderSchema }, ...problems },
    handler: async ({ params, caller }) => {
      const approach = await servedApproach(ctx, caller, params.code);
      const order = await ctx.services.stores().em.transactional(async (tx): Promise<TrafficOrder> => {
        const inTx = storesOver(tx);
        // The order's row first and the audit only when it was withdrawn now: no other writer holds that row, so the
        // order of locks cannot cross another's (api/routes/queue.ts says why it matters elsewhere).
        const withdrawn = await inTx.traffic.withdrawOrder(params.code, params.id, caller.id);
        if (!withdrawn) {
          // Already withdrawn or run out: the same answer again, so a repeated DELETE changes nothing and says so.
          const earlier = await inTx.traffic.order(params.code, params.id);
          if (earlier) return earlier;
          throw notFound(`There is no traffic order ${params.id} at gate ${params.code}.`);
        }
        await inTx.audit.append([
          { at: new Date(), actor: caller.id, action: 'TRAFFIC_ORDER_WITHDRAWN', details: { gate: params.code, id: params.id } },
        ]);
        const { order: withdrawnOrder, reached } = withdrawn;
        await inTx.notifications.enqueue(
          messagesTo(
            reached,
            'ORDER_WITHDRAWN',
            params.code,
            approach.name,
            { action: withdrawnOrder.action },
            `order:${params.id}:withdrawn`,
          ),
        );
        return withdrawnOrder;
      });
      return { body: order };
    },
  });

  api.route({
    method: 'get',
    path: '/v1/public/gates',
    summary: 'Every gate for the public: open or closed, yard places, queue length, traffic and standing orders; no personal data',
    tag: 'traffic',
    access: 'public',
    responses: { 200: { description: 'the gates', schema: z.array(PublicGateSchema) } },
    handler: async () => {
      const stores = ctx.services.stores();
      const [gates, queues, flows, orders, advisories] = await Promise.all([
        stores.gates.list(),
        stores.traffic.queueCounts(),
        stores.traffic.flowOfAll(),
        stores.traffic.activeOrders(),
        stores.traffic.advisories(),
      ]);
      return {
        body: gates.map((g) => {
          const flow = new Map((flows.get(g.code) ?? []).map((f) => [f.segment, f.status]));
          const reckoning = advisories.get(g.code);
          const advisory = reckoning?.advisory;
          return {
            code: g.code,
            name: g.name,
            open: g.open,
            closure: g.closure,
            yards: g.yards.map((y) => ({ code: y.code, capacity: y.capacity, occupied: y.occupied })),
            queue: queues.get(g.code) ?? null,
            traffic: [...g.corridor]
              .sort((a, b) => a.order - b.order)
              .map((s) => ({ segment: s.code, name: s.name, status: flow.get(s.code) ?? 'FREE' })),
            advisory: publicAdvisory(advisory ?? NO_ADVISORY),
            trafficAt: reckoning?.at ?? null,
            orders: orders
              .filter((o) => o.gate === g.code)
              .map((o) => ({ action: o.action, message: o.message, validUntil: o.validUntil })),
          };
        }),
        headers: { 'Cache-Control': 'public, max-age=10' },
      };
    },
  });
}

async function servedApproach(ctx: ApiContext, caller: Caller, gate: string) {
  if (!servesGate(caller, gate)) throw notFound(`No gate ${gate} among the gates you serve.`);
  const [approach] = await ctx.services.stores().gates.approaches(gate);
  if (!approach) throw notFound(`No gate ${gate}.`);
  return approach;
}

/** One SMS per driver with a phone, in the driver's language, each under its own message id (a retry sends none twice). */
function messagesTo(
  drivers: readonly DriverEnRoute[],
  event: 'TRAFFIC_ORDER' | 'ORDER_WITHDRAWN',
  gate: string,
  gateName: string,
  facts: { action: TrafficOrder['action']; orderMessage?: string; holdingAreaName?: string | null; validUntil?: string },
  idPrefix: string,
): NotificationDraft[] {
  return drivers.flatMap((d) => {
    const draft = driverMessage(event, { gate, gateName, plate: d.plate, ...facts }, d, {
      messageId: `${idPrefix}:${d.crossingId}`,
      crossingId: d.crossingId,
    });
    return draft ? [draft] : [];
  });
}
