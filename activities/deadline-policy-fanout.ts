import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { Context, log } from '@temporalio/activity';
import type { DeadlinePolicyChangedSignal } from '../domain/crossing-messages';
import { DEADLINE_POLICY_CHANGED_SIGNAL, type DeadlinePolicyEdit } from '../domain/deadline-policy';
import { workflowIdOf } from '../domain/workflow-ids';
import type { Services } from '../infra/db/orm';

export function createDeadlinePolicyFanOut(services: Services, temporal: Client) {
  async function signal(ids: string[], change: DeadlinePolicyEdit): Promise<number> {
    const message: DeadlinePolicyChangedSignal = { policyVersion: change.version, changedBy: change.changedBy };
    let reached = 0;
    const parallel = 64;
    for (let i = 0; i < ids.length; i += parallel) {
      const results = await Promise.allSettled(
        ids
          .slice(i, i + parallel)
          .map((id) =>
            temporal.workflow.getHandle(workflowIdOf(id)).signal<[DeadlinePolicyChangedSignal]>(DEADLINE_POLICY_CHANGED_SIGNAL, message),
          ),
      );
      for (const r of results) {
        if (r.status === 'fulfilled') reached++;
        else if (!(r.reason instanceof WorkflowNotFoundError)) throw r.reason;
      }
    }
    if (reached < ids.length) log.info('some crossings had closed before their policy changed', { skipped: ids.length - reached });
    return reached;
  }

  return {
    /**
     * Pages through the crossings the changed row governs and tells each to reload its deadline policy, all inside
     * this one activity: paging from the workflow would put a workflow task between pages, queued behind the very
     * crossings being re-armed. Progress is heartbeated, so a retry resumes after the last page done. A closed crossing
     * is skipped; a repeat is harmless (a crossing re-armed with the policy it already has changes nothing).
     *
     * The name is the registered activity name, kept as it was: running fan-outs' histories hold it.
     */
    async signalCrossingsForPolicy(change: DeadlinePolicyEdit & { startedSince?: string }): Promise<number> {
      const page = 500;
      const resumed = Context.current().info.heartbeatDetails as { after?: string; reached: number } | undefined;
      let after = resumed?.after;
      let reached = resumed?.reached ?? 0;
      for (;;) {
        const ids = await services
          .stores()
          .deadlinePolicies.governedCrossings(change, { after, limit: page, startedSince: change.startedSince });
        reached += await signal(ids, change);
        if (ids.length < page) return reached;
        after = ids[ids.length - 1];
        Context.current().heartbeat({ after, reached });
      }
    },
  };
}
