import type { Category } from '../domain/category';
import { DEFAULT_POLICIES, validDeadlines, type DeadlinePolicy } from '../domain/deadlines';
import { parseDuration } from '../domain/durations';
import type { DecisionStep } from '../domain/steps';
import { sqlOf, type Services } from '../infra/db/orm';
import { createLogger } from '../infra/logger';

const log = createLogger('activities');

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
        `select step, sla, expire_after, version, ${POLICY_STAMP_SQL} as stamp
           from step_timeout_policy
          where gate in (?, '*') and category in (?, '*')
          order by step, (gate <> '*') desc, (category <> '*') desc`,
        [gate, category, gate, category],
      );
      // Rows come most specific first per step; one that cannot govern (written around the API's validation) is
      // passed over for the next, and a step left with none keeps the built-in default.
      const steps: DeadlinePolicies['steps'] = {};
      for (const row of rows) {
        if (steps[row.step]) continue;
        const deadlines = validDeadlines(parseDuration(row.sla), parseDuration(row.expire_after));
        if (deadlines) steps[row.step] = { ...deadlines, version: row.version };
        else log.warn({ step: row.step, gate, category }, 'a stored deadline policy row is not valid; the next most specific row applies');
      }
      for (const fallback of DEFAULT_POLICIES.filter((p) => p.category === '*')) {
        steps[fallback.step] ??= { slaMs: parseDuration(fallback.sla)!, expireAfterMs: parseDuration(fallback.expireAfter)!, version: 0 };
      }
      return { category, stamp: rows[0]?.stamp ?? '0', steps };
    },
  };
}
