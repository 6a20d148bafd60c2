import type { Category } from '../domain/category';
import type { DeadlinePolicy } from '../domain/deadlines';
import { parseDuration } from '../domain/durations';
import type { DecisionStep } from '../domain/steps';
import { sqlOf, type Services } from '../infra/db/orm';

/** The deadline policies in force for one crossing's gate and category, and the stamp they were read under. */
export interface DeadlinePolicies {
  category: Category;
  /** Changes whenever any policy row for this gate and category changes (the newest policy version's id). */
  stamp: string;
  steps: Partial<Record<DecisionStep, DeadlinePolicy>>;
}

/**
 * SQL for the stamp of (gate, category): the id of the newest policy version that could govern it. Every policy change
 * inserts a version row, so a different stamp means some rule for this crossing may have changed.
 */
export const POLICY_STAMP_SQL = `(select coalesce(max(id), 0)::text from step_timeout_policy_version
                                   where gate in (?, '*') and category in (?, '*'))`;

export function createDeadlinePolicies({ em }: Services) {
  return {
    /**
     * Every step's policy for a gate and category, each the most specific row (gate over `*`, category over `*`),
     * read with its stamp in one statement, so the two always agree.
     */
    async loadDeadlinePolicies({ gate, category }: { gate: string; category: Category }): Promise<DeadlinePolicies> {
      const rows = await sqlOf(em.fork())<{ step: DecisionStep; sla: string; expire_after: string; version: number; stamp: string }>(
        `select distinct on (step) step, sla, expire_after, version, ${POLICY_STAMP_SQL} as stamp
           from step_timeout_policy
          where gate in (?, '*') and category in (?, '*')
          order by step, (gate <> '*') desc, (category <> '*') desc`,
        [gate, category, gate, category],
      );
      const steps: DeadlinePolicies['steps'] = {};
      for (const row of rows) {
        const slaMs = parseDuration(row.sla);
        const expireAfterMs = parseDuration(row.expire_after);
        if (slaMs === null || expireAfterMs === null) throw new Error(`the deadline policy for ${row.step} holds an invalid duration`);
        steps[row.step] = { slaMs, expireAfterMs, version: row.version };
      }
      return { category, stamp: rows[0]?.stamp ?? '0', steps };
    },
  };
}
