import type { EntityManager } from '@mikro-orm/postgresql';
import type { NotificationDraft } from '../../../domain/notifications';
import {
  FLOW_STALE_MS,
  type Advisory,
  type FlowStatus,
  type SegmentFlow,
  type TrafficAction,
  type TrafficOrder,
} from '../../../domain/tracking';
import { enqueueNotifications } from './notifications';
import { sqlOf } from '../orm';
import { iso } from './timestamps';

/** A driver en route at a gate, as an order reaches them. */
export interface DriverEnRoute {
  crossingId: string;
  plate: string;
  nationality: string;
  phone: string | null;
  segment: string | null;
}

/** A truck on the police map: where its latest fix put it. */
export interface TruckOnRoad {
  crossingId: string;
  plate: string;
  lat: number;
  lon: number;
  speedKmh: number | null;
  segment: string | null;
  holdingArea: string | null;
  lastAt: string;
}

/** A driver whose last fix is older than this is no longer counted en route: the phone is off or the trip over. */
export const EN_ROUTE_WINDOW_MS = 30 * 60_000;

/**
 * Whether the latest fix `t` puts its driver under the order `o` (SQL columns `o.segments`, a text[], and
 * `o.holding_area`): en route now, and on one of its segments, or anywhere on the approach (a segment or a holding
 * area) when it names none, or waiting in the holding area it sends trucks to (a truck that did as told is still held).
 * The one rule for who an order is sent to and whose page shows it.
 */
const UNDER_ORDER = `(t.last_at > now() - make_interval(secs => ${EN_ROUTE_WINDOW_MS / 1000})
    and (case when o.segments is null then t.segment_code is not null or t.holding_area is not null
              else t.segment_code = any(o.segments) end
         or (o.holding_area is not null and t.holding_area = o.holding_area)))`;
const OPEN = `c.status in ('IN_PROGRESS', 'AWAITING_CORRECTION')`;
/** A reckoning of the flow recent enough to show (domain/tracking.ts `FLOW_STALE_MS`). */
const FRESH = `computed_at > now() - make_interval(secs => ${FLOW_STALE_MS / 1000})`;

const ORDER_COLUMNS = `o.id, o.gate_code, o.action, o.message, o.segments, o.holding_area, o.valid_until, o.issued_at, o.recipients, o.withdrawn_at,
  (select h->>'name' from gate g, jsonb_array_elements(g.holding_areas) h where g.code = o.gate_code and h->>'code' = o.holding_area)
    as holding_area_name`;

interface OrderRow {
  id: string;
  gate_code: string;
  action: TrafficAction;
  message: string;
  segments: string[] | null;
  holding_area: string | null;
  holding_area_name: string | null;
  valid_until: Date;
  issued_at: Date;
  recipients: number;
  withdrawn_at: Date | null;
}

const orderOf = (r: OrderRow): TrafficOrder => ({
  id: r.id,
  gate: r.gate_code,
  action: r.action,
  message: r.message,
  segments: r.segments,
  holdingArea: r.holding_area,
  holdingAreaName: r.holding_area_name,
  validUntil: iso(r.valid_until),
  issuedAt: iso(r.issued_at),
  recipients: r.recipients,
  withdrawnAt: r.withdrawn_at ? iso(r.withdrawn_at) : null,
});

/**
 * The road at each gate: the flow per segment and the advisory (computed by the worker, worker/traffic-keeper.ts, from
 * the latest fix of each open crossing), and the traffic police's orders with who was sent each.
 */
export class TrafficStore {
  constructor(private readonly em: EntityManager) {}

  /**
   * Trucks per segment and their mean speed, over the latest fixes of the last `windowMs` of the gate's open
   * crossings: one aggregate over `crossing_track` (one row per truck), so it costs the trucks en route, not their points.
   */
  async segmentCounts(gate: string, windowMs: number): Promise<Map<string, { trucks: number; meanSpeedKmh: number | null }>> {
    const rows = await sqlOf(this.em)<{ segment_code: string; trucks: number; mean_speed: number | null }>(
      `select t.segment_code, count(*)::int as trucks, avg(t.speed_kmh)::float8 as mean_speed
         from crossing_track t join crossing c on c.id = t.crossing_id
        where t.gate_code = ? and t.last_at > now() - make_interval(secs => ?) and t.segment_code is not null
          and c.status in ('IN_PROGRESS', 'AWAITING_CORRECTION')
        group by t.segment_code`,
      [gate, windowMs / 1000],
    );
    return new Map(
      rows.map((r) => [
        r.segment_code,
        { trucks: r.trucks, meanSpeedKmh: r.mean_speed === null ? null : Math.round(r.mean_speed * 10) / 10 },
      ]),
    );
  }

  /** Forgets the reckoning of every gate whose corridor was taken away (nothing would ever replace it). */
  async forgetFlowWithoutCorridor(): Promise<void> {
    await sqlOf(this.em)(
      `with gone as (delete from segment_flow where gate_code in (select code from gate where corridor = '[]'::jsonb))
       delete from traffic_advisory where gate_code in (select code from gate where corridor = '[]'::jsonb)`,
    );
  }

  /** The worker's latest reckoning of a gate: its segments replaced whole, and the advisory. */
  async writeFlow(gate: string, segments: readonly SegmentFlow[], advisory: Advisory, at: Date): Promise<void> {
    const sql = sqlOf(this.em);
    await sql(
      `with gone as (
         delete from segment_flow where gate_code = ? and segment_code not in (select jsonb_array_elements_text(?::jsonb))
       ), flow as (
         insert into segment_flow (gate_code, segment_code, trucks, mean_speed_kmh, status, computed_at)
         select ?, s.code, s.trucks, s."meanSpeedKmh", s.status, ?::timestamptz
           from jsonb_to_recordset(?::jsonb) as s(code text, trucks int, "meanSpeedKmh" real, status text)
         on conflict (gate_code, segment_code) do update
           set trucks = excluded.trucks, mean_speed_kmh = excluded.mean_speed_kmh, status = excluded.status, computed_at = excluded.computed_at
       )
       insert into traffic_advisory (gate_code, advisory, computed_at) values (?, ?::jsonb, ?::timestamptz)
       on conflict (gate_code) do update set advisory = excluded.advisory, computed_at = excluded.computed_at`,
      [
        gate,
        JSON.stringify(segments.map((s) => s.code)),
        gate,
        at.toISOString(),
        JSON.stringify(segments),
        gate,
        JSON.stringify(advisory),
        at.toISOString(),
      ],
    );
  }

  /** The last reckoning of a gate: when, each segment's flow, and the advisory; undefined before the first, or when stale. */
  async flowOf(
    gate: string,
  ): Promise<
    | { at: string; segments: Map<string, { trucks: number; meanSpeedKmh: number | null; status: FlowStatus }>; advisory: Advisory }
    | undefined
  > {
    // One statement, so one snapshot: a flow round (itself one statement) committing between two reads would pair
    // its segments with the round before's advisory (seen under load: a CONGESTED segment beside "no advisory").
    const [advisory] = await sqlOf(this.em)<{
      advisory: Advisory;
      computed_at: Date;
      segments: { segment_code: string; trucks: number; mean_speed_kmh: number | null; status: FlowStatus }[];
    }>(
      `select a.advisory, a.computed_at,
              coalesce((select json_agg(json_build_object('segment_code', f.segment_code, 'trucks', f.trucks,
                                                          'mean_speed_kmh', f.mean_speed_kmh, 'status', f.status))
                          from segment_flow f where f.gate_code = a.gate_code), '[]'::json) as segments
         from traffic_advisory a where a.gate_code = ? and ${FRESH.replace('computed_at', 'a.computed_at')}`,
      [gate],
    );
    if (!advisory) return undefined;
    const rows = advisory.segments;
    return {
      at: iso(advisory.computed_at),
      advisory: advisory.advisory,
      segments: new Map(rows.map((r) => [r.segment_code, { trucks: r.trucks, meanSpeedKmh: r.mean_speed_kmh, status: r.status }])),
    };
  }

  /** Every gate's advisory (the public page). */
  async advisories(): Promise<Map<string, { advisory: Advisory; at: string }>> {
    const rows = await sqlOf(this.em)<{ gate_code: string; advisory: Advisory; computed_at: Date }>(
      `select gate_code, advisory, computed_at from traffic_advisory where ${FRESH}`,
    );
    return new Map(rows.map((r) => [r.gate_code, { advisory: r.advisory, at: iso(r.computed_at) }]));
  }

  /** Every gate's segment statuses at once (the public page). */
  async flowOfAll(): Promise<Map<string, { segment: string; status: FlowStatus }[]>> {
    const rows = await sqlOf(this.em)<{ gate_code: string; segment_code: string; status: FlowStatus }>(
      `select gate_code, segment_code, status from segment_flow where ${FRESH} order by gate_code, segment_code`,
    );
    const byGate = new Map<string, { segment: string; status: FlowStatus }[]>();
    for (const r of rows) byGate.set(r.gate_code, [...(byGate.get(r.gate_code) ?? []), { segment: r.segment_code, status: r.status }]);
    return byGate;
  }

  /** The trucks of open crossings seen on the gate's approach within `windowMs`, for the police map. */
  async trucksOnRoad(gate: string, windowMs: number): Promise<TruckOnRoad[]> {
    const rows = await sqlOf(this.em)<{
      crossing_id: string;
      plate: string;
      lat: number;
      lon: number;
      speed_kmh: number | null;
      segment_code: string | null;
      holding_area: string | null;
      last_at: Date;
    }>(
      `select t.crossing_id, c.view->'declaration'->'vehicle'->>'plate' as plate, t.lat, t.lon, t.speed_kmh, t.segment_code,
              t.holding_area, t.last_at
         from crossing_track t join crossing c on c.id = t.crossing_id
        where t.gate_code = ? and t.last_at > now() - make_interval(secs => ?) and c.status in ('IN_PROGRESS', 'AWAITING_CORRECTION')
        order by t.last_at desc limit 5000`,
      [gate, windowMs / 1000],
    );
    return rows.map((r) => ({
      crossingId: r.crossing_id,
      plate: r.plate,
      lat: r.lat,
      lon: r.lon,
      speedKmh: r.speed_kmh,
      segment: r.segment_code,
      holdingArea: r.holding_area,
      lastAt: iso(r.last_at),
    }));
  }

  /**
   * The drivers an order reaches: open crossings at the gate whose latest fix, within the en-route window, lies on
   * one of the segments (on any segment or holding area of the approach when the order names none).
   */
  async driversEnRoute(gate: string, order: { segments: readonly string[] | null; holdingArea: string | null }): Promise<DriverEnRoute[]> {
    const rows = await sqlOf(this.em)<{
      crossing_id: string;
      plate: string;
      nationality: string | null;
      phone: string | null;
      segment_code: string | null;
    }>(
      `select t.crossing_id, c.view->'declaration'->'vehicle'->>'plate' as plate,
              c.view->'declaration'->'driver'->>'nationality' as nationality, c.view->'declaration'->'driver'->>'phone' as phone,
              t.segment_code
         from crossing_track t join crossing c on c.id = t.crossing_id
              cross join (select (select array_agg(s) from jsonb_array_elements_text(?::jsonb) s) as segments, ?::text as holding_area) o
        where t.gate_code = ? and ${OPEN} and ${UNDER_ORDER}`,
      [order.segments && JSON.stringify(order.segments), order.holdingArea, gate],
    );
    return rows.map((r) => ({
      crossingId: r.crossing_id,
      plate: r.plate,
      nationality: r.nationality ?? '',
      phone: r.phone,
      segment: r.segment_code,
    }));
  }

  /** Stores an order, the drivers it reached and their SMS, in the caller's transaction. */
  async createOrder(
    order: {
      id: string;
      gate: string;
      action: TrafficAction;
      message: string;
      segments: string[] | null;
      holdingArea: string | null;
      validUntil: string;
    },
    issuedBy: string,
    recipients: readonly string[],
    sms: NotificationDraft[],
  ): Promise<TrafficOrder> {
    const sql = sqlOf(this.em);
    const [row] = await sql<OrderRow>(
      `with o as (
         insert into traffic_order (id, gate_code, action, message, segments, holding_area, valid_until, issued_by, issued_at, recipients)
         values (?, ?, ?, ?, (select array_agg(s) from jsonb_array_elements_text(?::jsonb) s), ?, ?::timestamptz, ?, now(), ?)
         returning *
       ), r as (
         insert into traffic_order_recipient (order_id, crossing_id) select ?, c::uuid from jsonb_array_elements_text(?::jsonb) c
       )
       select ${ORDER_COLUMNS} from o`,
      [
        order.id,
        order.gate,
        order.action,
        order.message,
        order.segments && JSON.stringify(order.segments),
        order.holdingArea,
        order.validUntil,
        issuedBy,
        recipients.length,
        order.id,
        JSON.stringify(recipients),
      ],
    );
    await enqueueNotifications(sql, sms);
    return orderOf(row);
  }

  /** Withdraws a standing order; answers it with the drivers it had reached, or undefined when none stands by that id. */
  async withdrawOrder(gate: string, id: string, by: string): Promise<{ order: TrafficOrder; reached: DriverEnRoute[] } | undefined> {
    const sql = sqlOf(this.em);
    const [row] = await sql<OrderRow>(
      `update traffic_order o set withdrawn_at = now(), withdrawn_by = ?
        where o.id = ? and o.gate_code = ? and o.withdrawn_at is null and o.valid_until > now()
        returning ${ORDER_COLUMNS}`,
      [by, id, gate],
    );
    if (!row) return undefined;
    // Everyone who was sent it, and everyone bound by it now (a truck that drove into a held segment later saw it too).
    const reached = await sql<{ crossing_id: string; plate: string; nationality: string | null; phone: string | null }>(
      `select c.id as crossing_id, c.view->'declaration'->'vehicle'->>'plate' as plate,
              c.view->'declaration'->'driver'->>'nationality' as nationality, c.view->'declaration'->'driver'->>'phone' as phone
         from crossing c
        where ${OPEN}
          and (c.id in (select crossing_id from traffic_order_recipient where order_id = ?)
               or c.id in (select t.crossing_id from crossing_track t, traffic_order o
                            where o.id = ? and t.gate_code = o.gate_code and ${UNDER_ORDER}))`,
      [id, id],
    );
    return {
      order: orderOf(row),
      reached: reached.map((r) => ({
        crossingId: r.crossing_id,
        plate: r.plate,
        nationality: r.nationality ?? '',
        phone: r.phone,
        segment: null,
      })),
    };
  }

  async order(gate: string, id: string): Promise<TrafficOrder | undefined> {
    const [row] = await sqlOf(this.em)<OrderRow>(`select ${ORDER_COLUMNS} from traffic_order o where o.id = ? and o.gate_code = ?`, [
      id,
      gate,
    ]);
    return row && orderOf(row);
  }

  /** The orders standing now at the gate (or every gate), newest first. */
  async activeOrders(gate?: string): Promise<TrafficOrder[]> {
    const rows = await sqlOf(this.em)<OrderRow>(
      `select ${ORDER_COLUMNS} from traffic_order o
        where (?::text is null or o.gate_code = ?) and o.withdrawn_at is null and o.valid_until > now()
        order by o.issued_at desc`,
      [gate ?? null, gate ?? null],
    );
    return rows.map(orderOf);
  }

  /**
   * The standing orders meant for one crossing's driver: those sent to it, and those that cover where its latest fix
   * is now (a truck that entered an ordered segment after the order was sent is bound by it too).
   */
  async ordersFor(crossingId: string, gate: string): Promise<TrafficOrder[]> {
    const rows = await sqlOf(this.em)<OrderRow>(
      `select ${ORDER_COLUMNS} from traffic_order o
         left join crossing_track t on t.crossing_id = ?
        where o.gate_code = ? and o.withdrawn_at is null and o.valid_until > now()
          and (exists (select 1 from traffic_order_recipient r where r.order_id = o.id and r.crossing_id = ?)
               or (t.crossing_id is not null and ${UNDER_ORDER}))
        order by o.issued_at desc`,
      [crossingId, gate, crossingId],
    );
    return rows.map(orderOf);
  }

  /** Waiting and called trucks per gate, for gates that keep a queue. */
  async queueCounts(): Promise<Map<string, { waiting: number; called: number }>> {
    const rows = await sqlOf(this.em)<{ gate_code: string; waiting: number; called: number }>(
      `select g.code as gate_code,
              count(e.*) filter (where e.status in ('WAITING', 'NO_SHOW'))::int as waiting,
              count(e.*) filter (where e.status = 'CALLED')::int as called
         from gate g left join queue_entry e on e.gate_code = g.code and e.status <> 'DONE'
        where g.queue_arrive_within is not null
        group by g.code`,
    );
    return new Map(rows.map((r) => [r.gate_code, { waiting: r.waiting, called: r.called }]));
  }
}
