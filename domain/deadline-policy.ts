// No zod here: the workflow imports this, and its bundle stays small. The change's schema is deadline-policy-change.ts.
import type { Category } from './category';
import type { DecisionStep } from './steps';

/**
 * Deadline policies (the API calls them step timeouts: `/v1/admin/step-timeouts`). Every waiting step has two deadlines,
 * from the policy row for (gate or `*`, category or `*`, step): past `sla` the step is OVERDUE and the gate's managers are
 * alerted; past `expireAfter` the crossing EXPIRES. The most specific row wins (domain/specificity.ts).
 */
export interface DeadlinePolicy {
  slaMs: number;
  expireAfterMs: number;
  /** The policy row's version, recorded with every arming so history says which rule applied. */
  version: number;
}

/** The deadline policies in force for one crossing's gate and category, and the stamp they were read under. */
export interface DeadlinePolicies {
  category: Category;
  /** Changes whenever any policy row for this gate and category changes (the newest policy version's id). */
  stamp: string;
  steps: Partial<Record<DecisionStep, DeadlinePolicy>>;
}

/**
 * No step deadline is longer than this. A longer one is refused when an admin sets it, and a stored row beyond it
 * (or unreadable) is passed over for the next most specific row: a truck does not wait a month at one desk, and a
 * timer years away breaks date arithmetic in the workflow.
 */
export const MAX_DEADLINE_MS = 30 * 24 * 3600_000;

/**
 * The one rule for a deadline that can govern a crossing: a duration that parsed, is positive, and is within the
 * maximum. The admin's change is refused with the fault (deadline-policy-change.ts), a stored row with one is passed
 * over (infra/db/stores/deadline-policies.ts), and the workflow bounds what reaches it the same way (step-deadlines.ts).
 */
export function deadlineFault(ms: number | null): 'NOT_POSITIVE' | 'TOO_LONG' | undefined {
  if (ms === null || !Number.isFinite(ms) || ms <= 0) return 'NOT_POSITIVE';
  if (ms > MAX_DEADLINE_MS) return 'TOO_LONG';
  return undefined;
}

export const isValidDeadline = (ms: number | null): ms is number => deadlineFault(ms) === undefined;

/**
 * A waiting step's two deadlines under a policy, counted from when its wait began. A policy that reached a crossing is
 * valid (the store passes over invalid rows: infra/db/stores/deadline-policies.ts, `forCrossing`); bounded by the same
 * rule all the same, so no date is invalid.
 */
export function deadlinesOf(startedAt: string, policy: DeadlinePolicy): { slaAt: string; expiresAt: string } {
  const start = Date.parse(startedAt);
  const within = (ms: number) => (isValidDeadline(ms) ? ms : MAX_DEADLINE_MS);
  return {
    slaAt: new Date(start + within(policy.slaMs)).toISOString(),
    expiresAt: new Date(start + within(policy.expireAfterMs)).toISOString(),
  };
}

/** The line of history that says a step's deadlines were armed, as its data. */
export const armedData = (deadlines: { slaAt?: string; expiresAt?: string }, policy: DeadlinePolicy) => ({
  slaAt: deadlines.slaAt,
  expiresAt: deadlines.expiresAt,
  policyVersion: policy.version,
});

/** A policy's durations, or null when they cannot govern a crossing (`deadlineFault`). */
export function validDeadlines(slaMs: number | null, expireAfterMs: number | null): { slaMs: number; expireAfterMs: number } | null {
  return isValidDeadline(slaMs) && isValidDeadline(expireAfterMs) ? { slaMs, expireAfterMs } : null;
}

/** The built-in defaults for every gate and category: what applies when no stored row can. */
export const DEFAULT_DEADLINES: Record<DecisionStep, { sla: string; expireAfter: string }> = {
  'health-check': { sla: 'PT30M', expireAfter: 'PT24H' },
  'border-entry': { sla: 'PT30M', expireAfter: 'PT24H' },
  quarantine: { sla: 'PT2H', expireAfter: 'PT48H' },
  transshipment: { sla: 'PT4H', expireAfter: 'PT72H' },
  'customs-inspection': { sla: 'PT2H', expireAfter: 'PT48H' },
  'fee-payment': { sla: 'PT1H', expireAfter: 'PT48H' },
  'border-exit': { sla: 'PT30M', expireAfter: 'PT24H' },
};

/** A stored policy row as the admin routes show it. */
export interface DeadlinePolicyRow {
  gate: string;
  category: Category | '*';
  step: DecisionStep;
  sla: string;
  expireAfter: string;
  version: number;
  updatedBy: string | null;
  updatedAt: string;
}

/** An admin's edit of a deadline policy as it was saved: what the fan-out works from to reach the running crossings. */
export interface DeadlinePolicyEdit {
  gate: string;
  category: Category | '*';
  step: DecisionStep;
  version: number;
  changedBy: string;
  changedAt: string;
}

/**
 * The name of the signal that tells a running crossing its deadline policy changed (its payload is
 * `DeadlinePolicyChangedSignal`, domain/crossing-messages.ts). Shared by the signal's definition (workflows/messages.ts)
 * and the fan-out activity that sends it, which may not import workflow code. Running crossings' histories hold it:
 * a changed shape gets a new name.
 */
export const DEADLINE_POLICY_CHANGED_SIGNAL = 'deadlinePolicyChanged.v1';
