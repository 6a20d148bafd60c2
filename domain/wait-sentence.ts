import { ENDED_STATUSES, type CrossingStatus } from './crossing-status';
import { STEP_OWNER, type DecisionStep, type Step } from './steps';
import type { TransshipmentStage } from './transshipment';

/** Where a crossing stands, as much of it as a sentence about its wait needs: the workflow's state and a view alike. */
export interface WaitingAt {
  status: CrossingStatus;
  current: { step: Step; status: string } | undefined;
  transshipmentStage: TransshipmentStage | undefined;
}

const TRANSFER_WAITS_FOR: Record<TransshipmentStage, string> = {
  REGISTRATION: 'the declarant to register the transfer',
  APPROVAL: 'customs to approve the transfer',
  COMPLETION: "the yard operator's confirmation",
};

/**
 * What the crossing waits for now ("waiting at border-entry for BORDER_GUARD"): the end of a 409 answer, so a refused
 * officer or declarant learns where the truck stands, and a held barrier's reason.
 */
export function describeWait({ status, current, transshipmentStage }: WaitingAt): string {
  if (ENDED_STATUSES.includes(status)) return status;
  if (!current) return 'not waiting for anything';
  if (current.status === 'RETURNED') return `waiting for the declarant to correct the form returned at ${current.step}`;
  if (current.step === 'transshipment' && transshipmentStage)
    return `waiting at transshipment for ${TRANSFER_WAITS_FOR[transshipmentStage]}`;
  return `waiting at ${current.step} for ${STEP_OWNER[current.step as DecisionStep]}`;
}
