import type { Client } from '@temporalio/client';
import { Context, log } from '@temporalio/activity';
import type { Category } from '../domain/category';
import { rowSpecificity } from '../domain/step-timeouts';
import type { DecisionStep } from '../domain/steps';
import { sqlOf, type Services } from '../infra/db/orm';

export interface PolicyChange {
  gate: string;
  category: Category | '*';
  step: DecisionStep;
  version: number;
  changedBy: string;
  changedAt: string;
}

/**
 * The running crossings a policy row governs: waiting at its step (for an agency or, after a RETURN, for the
 * declarant), matching its gate and category, and not governed by a more specific row. Shared by the API (to count
 * them in its answer) and the fan-out workflow (to reach them, a page at a time by id).
 */
export async function crossingsGovernedBy(
  services: Services,
  change: Pick<PolicyChange, 'gate' | 'category' | 'step'>,
  page: { after?: string; limit?: number; startedSince?: string } = {},
): Promise<string[]> {
  const params: unknown[] = [change.step];
  let filter = '';
  const and = (sql: string, value: unknown) => {
    filter += ` and ${sql}`;
    params.push(value);
  };
  if (change.gate !== '*') and('c.gate_code = ?', change.gate);
  if (change.category !== '*') and('c.category = ?', change.category);
  if (page.after) and('c.id > ?', page.after);
  if (page.startedSince) and('c.step_started_at >= ?', page.startedSince);
  params.push(change.step, rowSpecificity(change), page.limit ?? 1_000_000);
  const rows = await sqlOf(services.em.fork())<{ id: string }>(
    `select c.id from crossing c
      where c.status in ('IN_PROGRESS', 'AWAITING_CORRECTION') and c.current_step = ? ${filter}
        and not exists (select 1 from step_timeout_policy p
                         where p.step = ? and p.gate in (c.gate_code, '*') and p.category in (c.category, '*')
                           and (case when p.gate = '*' then 0 else 2 end) + (case when p.category = '*' then 0 else 1 end) > ?)
      order by c.id limit ?`,
    params,
  );
  return rows.map((r) => r.id);
}

export function createPolicyFanOut(services: Services, temporal: Client) {
  async function signal(ids: string[], change: PolicyChange): Promise<number> {
    let reached = 0;
    const parallel = 64;
    for (let i = 0; i < ids.length; i += parallel) {
      const results = await Promise.allSettled(
        ids
          .slice(i, i + parallel)
          .map((id) =>
            temporal.workflow
              .getHandle(`crossing-${id}`)
              .signal('deadlinePolicyChanged.v1', { policyVersion: change.version, changedBy: change.changedBy }),
          ),
      );
      for (const r of results) {
        if (r.status === 'fulfilled') reached++;
        else if ((r.reason as Error)?.name !== 'WorkflowNotFoundError') throw r.reason;
      }
    }
    if (reached < ids.length) log.info('some crossings had closed before their policy changed', { skipped: ids.length - reached });
    return reached;
  }

  return {
    /**
     * Pages through the crossings the changed row governs and tells each to reload its policy, all inside this one
     * activity: paging from the workflow would put a workflow task between pages, queued behind the very crossings
     * being re-armed. Progress is heartbeated, so a retry resumes after the last page done. A closed crossing is
     * skipped; a repeat is harmless (a crossing re-armed with the policy it already has changes nothing).
     */
    async signalCrossingsForPolicy(change: PolicyChange & { startedSince?: string }): Promise<number> {
      const page = 500;
      const resumed = Context.current().info.heartbeatDetails as { after?: string; reached: number } | undefined;
      let after = resumed?.after;
      let reached = resumed?.reached ?? 0;
      for (;;) {
        const ids = await crossingsGovernedBy(services, change, { after, limit: page, startedSince: change.startedSince });
        reached += await signal(ids, change);
        if (ids.length < page) return reached;
        after = ids[ids.length - 1];
        Context.current().heartbeat({ after, reached });
      }
    },
  };
}
