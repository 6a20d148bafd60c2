import type { StepView } from '../domain/crossing-view';
import { deadlinesOf, type DeadlinePolicy } from '../domain/deadline-policy';

/**
 * A waiting step's two deadlines as data: `slaAt` (past it the step is OVERDUE) and `expiresAt` (past it the crossing
 * ends EXPIRED), both absolute times counted from when the wait began, under the policy version in force. Re-arming
 * after a policy change counts from the same start, so a deadline already past fires at once.
 */
export type StepWait = StepView & { policyVersion?: number };

/** Sets a step's deadlines from a policy; answers whether anything changed. */
export function arm(view: StepWait, policy: DeadlinePolicy, now: Date): boolean {
  const { slaAt, expiresAt } = deadlinesOf(view.startedAt!, policy);
  if (view.policyVersion === policy.version && view.slaAt === slaAt && view.expiresAt === expiresAt) return false;
  Object.assign(view, { slaAt, expiresAt, policyVersion: policy.version });
  // A longer SLA lifts an OVERDUE mark that no longer holds.
  if (view.status === 'OVERDUE' && Date.parse(slaAt) > now.getTime()) view.status = 'WAITING';
  return true;
}

/** The nearest deadline not yet fired, as epoch milliseconds. */
export function nextDeadline(view: StepWait | undefined): number | undefined {
  if (!view?.expiresAt) return undefined;
  const expires = Date.parse(view.expiresAt);
  if (view.status === 'WAITING' && view.slaAt) return Math.min(Date.parse(view.slaAt), expires);
  return expires;
}

/** Which deadline has passed by `now`: the crossing expires, the step is overdue, or neither. */
export function passed(view: StepWait | undefined, now: Date): 'EXPIRED' | 'OVERDUE' | undefined {
  if (!view?.expiresAt) return undefined;
  if (now.getTime() >= Date.parse(view.expiresAt)) return 'EXPIRED';
  if (view.status === 'WAITING' && view.slaAt && now.getTime() >= Date.parse(view.slaAt)) return 'OVERDUE';
  return undefined;
}
