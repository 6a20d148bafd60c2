import { continueAsNew, proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { PolicyChange } from '../activities/policy-fanout';

const { findCrossingsForPolicy, signalPolicyChanged } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

const PAGE = 500;
/** Crossings whose step started this close to the change may have loaded the old policy just before it committed. */
const STRAGGLER_WINDOW_MS = 30_000;

/**
 * Carries an admin's deadline-policy change to every running crossing it governs, in pages, durably: the API starts
 * it and answers; if the API goes away, this goes on, and a failed page is retried. After the pass it looks once
 * more, a little later, for crossings whose step started around the change (their read-model row may not yet have
 * shown the step during the pass).
 */
export async function deadlinePolicyFanOut(
  change: PolicyChange,
  progress: { after?: string; reached: number } = { reached: 0 },
): Promise<number> {
  let { after, reached } = progress;
  for (;;) {
    const ids = await findCrossingsForPolicy({ ...change, after, limit: PAGE });
    if (ids.length) reached += await signalPolicyChanged({ ids, version: change.version, changedBy: change.changedBy });
    if (ids.length < PAGE) break;
    after = ids[ids.length - 1];
    // Keep the history short for very large fan-outs.
    if (workflowInfo().historyLength > 2000) await continueAsNew<typeof deadlinePolicyFanOut>(change, { after, reached });
  }
  await sleep('10 seconds');
  const startedSince = new Date(Date.parse(change.changedAt) - STRAGGLER_WINDOW_MS).toISOString();
  const stragglers = await findCrossingsForPolicy({ ...change, startedSince, limit: 10_000 });
  if (stragglers.length) await signalPolicyChanged({ ids: stragglers, version: change.version, changedBy: change.changedBy });
  return reached;
}
