import type { CrossingStatus } from '../domain/crossing-view';
import { STEP_OWNER, type DecisionStep } from '../domain/steps';
import type { StepWait } from './step-deadlines';
import type { TransshipmentProgress } from './transshipment-progress';

/**
 * The sentence a 409 answer ends with: what the crossing waits for now ("waiting at border-entry for BORDER_GUARD"),
 * so a refused officer or declarant learns where the truck stands.
 */
export function describeWait(crossing: {
  ended: boolean;
  status: CrossingStatus;
  current: StepWait | undefined;
  transshipment: TransshipmentProgress | undefined;
}): string {
  if (crossing.ended) return crossing.status;
  const current = crossing.current;
  if (!current) return 'not waiting for anything';
  if (current.status === 'RETURNED') return `waiting for the declarant to correct the form returned at ${current.step}`;
  if (current.step === 'transshipment' && crossing.transshipment)
    return `waiting at transshipment for ${crossing.transshipment.waitingFor}`;
  return `waiting at ${current.step} for ${STEP_OWNER[current.step as DecisionStep]}`;
}
