import type { DeadlinePolicy, PolicyKey } from '../domain/deadlines';
import { parseDuration } from '../domain/durations';
import type { Services } from '../infra/db/orm';

/** The deadline policy in force for a waiting step: the most specific row (gate over `*`, category over `*`). */
export function createDeadlinePolicies({ em }: Services) {
  return {
    async loadDeadlinePolicy(key: PolicyKey): Promise<DeadlinePolicy> {
      const [row] = await em.getConnection().execute<{ sla: string; expire_after: string; version: number }[]>(
        `select sla, expire_after, version from step_timeout_policy
          where step = ? and gate in (?, '*') and category in (?, '*')
          order by (gate <> '*') desc, (category <> '*') desc limit 1`,
        [key.step, key.gate, key.category],
      );
      if (!row) throw new Error(`no deadline policy for ${key.step}; the migration seeds one for every step`);
      const slaMs = parseDuration(row.sla);
      const expireAfterMs = parseDuration(row.expire_after);
      if (slaMs === null || expireAfterMs === null) throw new Error(`the deadline policy for ${key.step} holds an invalid duration`);
      return { slaMs, expireAfterMs, version: row.version };
    },
  };
}
