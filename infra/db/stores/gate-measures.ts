import type { EntityManager } from '@mikro-orm/postgresql';
import { gateLocalHour } from '../../../domain/local-time';
import { sqlOf } from '../orm';

export interface Spread {
  count: number;
  p50: number | null;
  p90: number | null;
}

export interface GateMeasures {
  declared: number;
  cleared: number;
  denied: number;
  expired: number;
  cancelled: number;
  open: { byStep: Record<string, number> };
  overdue: { byStep: Record<string, number> };
  dwell: { byStep: Record<string, Spread> };
  endToEnd: Spread;
  clearedPerHour: { hour: string; n: number }[];
}

const HOUR_MS = 3600_000;
const spreadOf = (r: { count: string | number; p50: number | null; p90: number | null }): Spread => ({
  count: Number(r.count),
  p50: r.p50 === null ? null : Math.round(r.p50),
  p90: r.p90 === null ? null : Math.round(r.p90),
});

/**
 * The Time Release Study measures of one gate over a period, from the read model (open and overdue now, declared in
 * the period) and `crossing_measure` (dwell per step and end to end, written by a trigger on the history: see
 * migration 0900). Durations are in seconds; percentiles are PostgreSQL's `percentile_cont`.
 */
export class GateMeasureStore {
  constructor(private readonly em: EntityManager) {}

  async measure(gate: string, from: Date, to: Date): Promise<GateMeasures> {
    const sql = sqlOf(this.em);
    const [declared, ended, open, steps, endToEnd, hours] = await Promise.all([
      sql<{ n: string }>('select count(*) as n from crossing where gate_code = ? and created_at >= ? and created_at < ?', [gate, from, to]),
      sql<{ outcome: string; n: string }>(
        `select outcome, count(*) as n from crossing_measure
          where gate_code = ? and kind = 'END' and at >= ? and at < ? group by outcome`,
        [gate, from, to],
      ),
      sql<{ step: string; open: string; overdue: string }>(
        `select current_step as step, count(*) as open, count(*) filter (where overdue) as overdue from crossing
          where gate_code = ? and status in ('IN_PROGRESS', 'AWAITING_CORRECTION') and current_step is not null
          group by current_step`,
        [gate],
      ),
      sql<{ step: string; count: string; p50: number | null; p90: number | null }>(
        `select step, count(*) as count,
                percentile_cont(0.5) within group (order by seconds) as p50,
                percentile_cont(0.9) within group (order by seconds) as p90
           from crossing_measure where gate_code = ? and kind = 'STEP' and at >= ? and at < ? group by step`,
        [gate, from, to],
      ),
      sql<{ count: string; p50: number | null; p90: number | null }>(
        `select count(*) as count,
                percentile_cont(0.5) within group (order by seconds) as p50,
                percentile_cont(0.9) within group (order by seconds) as p90
           from crossing_measure where gate_code = ? and kind = 'END' and outcome = 'CLEARED' and at >= ? and at < ?`,
        [gate, from, to],
      ),
      sql<{ hour: number; n: string }>(
        `select floor(extract(epoch from at) / 3600) as hour, count(*) as n from crossing_measure
          where gate_code = ? and kind = 'END' and outcome = 'CLEARED' and at >= ? and at < ? group by 1`,
        [gate, from, to],
      ),
    ]);
    const outcomes = Object.fromEntries(ended.map((r) => [r.outcome, Number(r.n)]));
    // Every hour of the period, the empty ones too, so a chart's gaps are hours with nothing cleared.
    const perHour = new Map(hours.map((h) => [Number(h.hour), Number(h.n)]));
    const clearedPerHour: GateMeasures['clearedPerHour'] = [];
    for (let hour = Math.floor(from.getTime() / HOUR_MS); hour * HOUR_MS < to.getTime(); hour++)
      clearedPerHour.push({ hour: gateLocalHour(new Date(hour * HOUR_MS)), n: perHour.get(hour) ?? 0 });
    return {
      declared: Number(declared[0].n),
      cleared: outcomes.CLEARED ?? 0,
      denied: outcomes.DENIED ?? 0,
      expired: outcomes.EXPIRED ?? 0,
      cancelled: outcomes.CANCELLED ?? 0,
      open: { byStep: Object.fromEntries(open.map((r) => [r.step, Number(r.open)])) },
      overdue: { byStep: Object.fromEntries(open.filter((r) => Number(r.overdue) > 0).map((r) => [r.step, Number(r.overdue)])) },
      dwell: { byStep: Object.fromEntries(steps.map((r) => [r.step, spreadOf(r)])) },
      endToEnd: spreadOf(endToEnd[0]),
      clearedPerHour,
    };
  }
}
