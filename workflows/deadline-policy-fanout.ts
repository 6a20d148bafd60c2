import { proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { DeadlinePolicyEdit } from '../domain/deadline-policy';

// Registered as `signalCrossingsForPolicy`: running fan-outs' histories name it, so only the local name is changed.
const { signalCrossingsForPolicy: signalGovernedCrossings } = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/** Crossings whose step started this close to the change may have loaded the old policy just before it committed. */
const STRAGGLER_WINDOW_MS = 30_000;

/**
 * Carries an admin's deadline-policy change to every running crossing it governs, durably: the API starts it and
 * answers; if the API goes away, this goes on, and an interrupted pass resumes from its last heartbeat. After the
 * pass it looks once more, a little later, for crossings whose step started around the change (their read-model row
 * may not yet have shown the step during the pass).
 */
export async function deadlinePolicyFanOut(change: DeadlinePolicyEdit): Promise<number> {
  const reached = await signalGovernedCrossings(change);
  await sleep('10 seconds');
  const startedSince = new Date(Date.parse(change.changedAt) - STRAGGLER_WINDOW_MS).toISOString();
  await signalGovernedCrossings({ ...change, startedSince });
  return reached;
}
