import type { Category } from './category';
import type { DecisionStep } from './steps';

/**
 * Step deadlines. Every waiting step has two, from the admin's policy for (gate, category, step):
 * past `sla` the step is OVERDUE and the gate's managers are alerted; past `expireAfter` the crossing EXPIRES.
 * The most specific policy row wins: a gate over `*`, a category over `*`.
 */
export interface DeadlinePolicy {
  slaMs: number;
  expireAfterMs: number;
  /** The policy row's version, recorded with every arming so history says which rule applied. */
  version: number;
}

/**
 * No step deadline is longer than this. A longer one is refused when an admin sets it, and a stored row beyond it
 * (or unreadable) is passed over for the next most specific row: a truck does not wait a month at one desk, and a
 * timer years away breaks date arithmetic in the workflow.
 */
export const MAX_DEADLINE_MS = 30 * 24 * 3600_000;

/** A policy's durations, or null when they cannot govern a crossing (unparsable, not positive, beyond the maximum). */
export function validDeadlines(slaMs: number | null, expireAfterMs: number | null): { slaMs: number; expireAfterMs: number } | null {
  const ok = (ms: number | null): ms is number => ms !== null && Number.isFinite(ms) && ms > 0 && ms <= MAX_DEADLINE_MS;
  return ok(slaMs) && ok(expireAfterMs) ? { slaMs, expireAfterMs } : null;
}

/** The defaults seeded by the migration: hours for agencies, a day or more before an abandoned crossing expires. */
export const DEFAULT_POLICIES: { step: DecisionStep; category: Category | '*'; sla: string; expireAfter: string }[] = [
  { step: 'health-check', category: '*', sla: 'PT30M', expireAfter: 'PT24H' },
  { step: 'border-entry', category: '*', sla: 'PT30M', expireAfter: 'PT24H' },
  { step: 'quarantine', category: '*', sla: 'PT2H', expireAfter: 'PT48H' },
  { step: 'transshipment', category: '*', sla: 'PT4H', expireAfter: 'PT72H' },
  { step: 'customs-inspection', category: '*', sla: 'PT2H', expireAfter: 'PT48H' },
  { step: 'fee-payment', category: '*', sla: 'PT1H', expireAfter: 'PT48H' },
  { step: 'border-exit', category: '*', sla: 'PT30M', expireAfter: 'PT24H' },
  // Perishable and emergency cargo: agencies get half the time, and the crossing expires sooner.
  { step: 'health-check', category: 'PRIORITY', sla: 'PT15M', expireAfter: 'PT12H' },
  { step: 'border-entry', category: 'PRIORITY', sla: 'PT15M', expireAfter: 'PT12H' },
  { step: 'quarantine', category: 'PRIORITY', sla: 'PT1H', expireAfter: 'PT24H' },
  { step: 'transshipment', category: 'PRIORITY', sla: 'PT2H', expireAfter: 'PT36H' },
  { step: 'customs-inspection', category: 'PRIORITY', sla: 'PT1H', expireAfter: 'PT24H' },
  { step: 'fee-payment', category: 'PRIORITY', sla: 'PT30M', expireAfter: 'PT24H' },
  { step: 'border-exit', category: 'PRIORITY', sla: 'PT15M', expireAfter: 'PT12H' },
];
