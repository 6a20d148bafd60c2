import type { EntityManager } from '@mikro-orm/postgresql';
import { UnknownReference } from '../../../domain/errors';
import type { FeeCollector } from '../../../domain/gates';
import { formatDuration } from '../../../domain/durations';
import type { HoldingArea, Segment, TrafficThresholds } from '../../../domain/tracking';
import { sqlOf } from '../orm';
import { sqlIn } from './sql-where';

export interface GateRow {
  code: string;
  name: string;
  province: string;
  feeCollector: FeeCollector;
  plateConfidence: number;
  yards: YardLoad[];
  /** The gate's queue settings (ISO durations), or null where it keeps no queue. */
  queue: { arriveWithin: string; priorityPerRegular: number; noShowRequeues: number; maxWait: string } | null;
  /** False while a manager has the gate closed. */
  open: boolean;
  closure: { reason: string; expectedReopenAt: string | null; closedAt: string } | null;
  /** The approach roads (order 1 furthest from the gate), where trucks wait, and the thresholds of their flow. */
  corridor: Segment[];
  holdingAreas: HoldingArea[];
  traffic: TrafficThresholds;
}

/** A gate's approach as the admin drew it, with the thresholds its flow is judged by. */
export interface GateApproach {
  gate: string;
  name: string;
  corridor: Segment[];
  holdingAreas: HoldingArea[];
  thresholds: TrafficThresholds;
}

/** A yard's places: occupied as the yard cameras saw trucks enter and leave, reserved for admitted trucks on their way. */
export interface YardLoad {
  code: string;
  capacity: number;
  occupied: number;
  reserved: number;
}

/** The gates (seeded by a migration) and their yards, with the places reserved in them. */
export class GateStore {
  constructor(private readonly em: EntityManager) {}

  /** Every gate (or the one asked for) with its yards and their load (the `yard_load` view). */
  async list(code?: string): Promise<GateRow[]> {
    const rows = await sqlOf(this.em)<{
      code: string;
      name: string;
      province: string;
      fee_collector: FeeCollector;
      plate_confidence: number;
      yards: GateRow['yards'];
      arrive_within_ms: number | null;
      queue_priority_per_regular: number;
      queue_no_show_requeues: number;
      max_wait_ms: number;
      closure: { reason: string; expectedReopenAt: string | null; closedAt: string } | null;
      corridor: Segment[];
      holding_areas: HoldingArea[];
      traffic_thresholds: TrafficThresholds;
    }>(
      `select g.code, g.name, g.province, g.fee_collector, g.plate_confidence, g.corridor, g.holding_areas, g.traffic_thresholds,
              (extract(epoch from g.queue_arrive_within) * 1000)::bigint as arrive_within_ms,
              g.queue_priority_per_regular, g.queue_no_show_requeues,
              (extract(epoch from g.queue_max_wait) * 1000)::bigint as max_wait_ms,
              (select json_build_object('reason', k.reason, 'expectedReopenAt', k.expected_reopen_at, 'closedAt', k.closed_at)
                 from gate_closure k where k.gate_code = g.code and k.reopened_at is null) as closure,
              coalesce(json_agg(json_build_object('code', y.yard_code, 'capacity', y.capacity, 'occupied', y.occupied,
                                                  'reserved', y.reserved) order by y.yard_code)
                filter (where y.yard_code is not null), '[]') as yards
         from gate g left join yard_load y on y.gate_code = g.code
        where ?::text is null or g.code = ?
        group by g.code order by g.code`,
      [code ?? null, code ?? null],
    );
    return rows.map((r) => ({
      code: r.code,
      name: r.name,
      province: r.province,
      feeCollector: r.fee_collector,
      plateConfidence: Number(r.plate_confidence),
      yards: r.yards,
      queue:
        r.arrive_within_ms === null
          ? null
          : {
              arriveWithin: formatDuration(Number(r.arrive_within_ms)),
              priorityPerRegular: r.queue_priority_per_regular,
              noShowRequeues: r.queue_no_show_requeues,
              maxWait: formatDuration(Number(r.max_wait_ms)),
            },
      open: r.closure === null,
      closure: r.closure && {
        reason: r.closure.reason,
        expectedReopenAt: r.closure.expectedReopenAt && new Date(r.closure.expectedReopenAt).toISOString(),
        closedAt: new Date(r.closure.closedAt).toISOString(),
      },
      corridor: r.corridor,
      holdingAreas: r.holding_areas,
      traffic: r.traffic_thresholds,
    }));
  }

  /**
   * An admin's change to a gate: yard capacities (a yard not yet known is added; none is removed, since crossings
   * and reads refer to it) and the plate-confidence threshold. A capacity below the yard's load is allowed: the board
   * then shows the yard over capacity, and no further truck is placed there. The approach corridor, its holding areas
   * and its traffic thresholds are each replaced whole when given.
   */
  async update(
    code: string,
    change: {
      yards?: { code: string; capacity: number }[];
      plateConfidence?: number;
      corridor?: Segment[];
      holdingAreas?: HoldingArea[];
      traffic?: TrafficThresholds;
    },
  ): Promise<void> {
    const sql = sqlOf(this.em);
    if (change.plateConfidence !== undefined) {
      await sql('update gate set plate_confidence = ? where code = ?', [change.plateConfidence, code]);
    }
    if (change.corridor) await sql('update gate set corridor = ?::jsonb where code = ?', [JSON.stringify(change.corridor), code]);
    if (change.holdingAreas)
      await sql('update gate set holding_areas = ?::jsonb where code = ?', [JSON.stringify(change.holdingAreas), code]);
    if (change.traffic) await sql('update gate set traffic_thresholds = ?::jsonb where code = ?', [JSON.stringify(change.traffic), code]);
    for (const yard of change.yards ?? []) {
      await sql(
        `insert into yard (gate_code, code, capacity) values (?, ?, ?)
         on conflict (gate_code, code) do update set capacity = excluded.capacity`,
        [code, yard.code, yard.capacity],
      );
    }
  }

  /** Each gate's approach (or the one asked for): what placing positions and computing the flow need, and no more. */
  async approaches(gate?: string): Promise<GateApproach[]> {
    const rows = await sqlOf(this.em)<{
      code: string;
      name: string;
      corridor: Segment[];
      holding_areas: HoldingArea[];
      traffic_thresholds: TrafficThresholds;
    }>(`select code, name, corridor, holding_areas, traffic_thresholds from gate where ?::text is null or code = ? order by code`, [
      gate ?? null,
      gate ?? null,
    ]);
    return rows.map((r) => ({
      gate: r.code,
      name: r.name,
      corridor: r.corridor,
      holdingAreas: r.holding_areas,
      thresholds: r.traffic_thresholds,
    }));
  }

  async gate(code: string): Promise<{ name: string; feeCollector: FeeCollector } | undefined> {
    const [row] = await sqlOf(this.em)<{ name: string; fee_collector: FeeCollector }>(
      'select name, fee_collector from gate where code = ?',
      [code],
    );
    return row && { name: row.name, feeCollector: row.fee_collector };
  }

  /** Refuses (as a field at fault, `path`) every code that is not a known gate. */
  async requireGates(codes: readonly string[], path: (index: number) => string): Promise<void> {
    const known = sqlIn('code', codes);
    const rows = await sqlOf(this.em)<{ code: string }>(`select code from gate where ${known.sql}`, known.params);
    const found = new Set(rows.map((g) => g.code));
    const index = codes.findIndex((code) => !found.has(code));
    if (index >= 0) throw new UnknownReference(path(index), `${codes[index]} is not a known gate`);
  }

  async requireGate(code: string, path = 'gate'): Promise<void> {
    await this.requireGates([code], () => path);
  }

  async requireYard(gate: string, yard: string, path = 'yardCode'): Promise<void> {
    const [row] = await sqlOf(this.em)('select 1 from yard where gate_code = ? and code = ?', [gate, yard]);
    if (!row) throw new UnknownReference(path, `is not a yard of gate ${gate}`);
  }

  /**
   * A place in the gate's yard with the most room, for an admitted truck: one reservation per crossing (a retry finds
   * the one it made, and a truck called forward keeps the one its call reserved; a place released when it missed a
   * call is taken again). Undefined when the gate has no yard.
   */
  async reserveYardPlace(crossingId: string, gate: string): Promise<string | undefined> {
    const sql = sqlOf(this.em);
    await sql(
      `insert into yard_reservation (crossing_id, gate_code, yard_code, reserved_at)
       select ?, y.gate_code, y.yard_code, now() from yard_load y
        where y.gate_code = ?
        order by y.capacity - y.occupied - y.reserved desc, y.yard_code
        limit 1
       on conflict (crossing_id) do update
         set yard_code = excluded.yard_code, reserved_at = excluded.reserved_at, released_at = null
         where yard_reservation.released_at is not null`,
      [crossingId, gate],
    );
    const [row] = await sql<{ yard_code: string }>('select yard_code from yard_reservation where crossing_id = ?', [crossingId]);
    return row?.yard_code;
  }

  /** Frees the crossing's place, once (the truck left, or compensation). */
  async releaseYardPlace(crossingId: string): Promise<void> {
    await sqlOf(this.em)('update yard_reservation set released_at = now() where crossing_id = ? and released_at is null', [crossingId]);
  }
}
