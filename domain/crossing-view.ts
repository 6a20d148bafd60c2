import type { Category } from './category';
import type { Declaration } from './declaration';
import type { Role } from './roles';
import type { Step } from './steps';

/** The shapes a crossing is seen in (API.md "Crossing view"). Produced by the workflow, filtered per role by the API. */

export const CROSSING_STATUSES = ['IN_PROGRESS', 'AWAITING_CORRECTION', 'CLEARED', 'DENIED', 'EXPIRED', 'CANCELLED'] as const;
export type CrossingStatus = (typeof CROSSING_STATUSES)[number];
export const ENDED_STATUSES: readonly CrossingStatus[] = ['CLEARED', 'DENIED', 'EXPIRED', 'CANCELLED'];

/**
 * A step of an ended crossing is always in a final state: APPROVED, DENIED, COMPENSATED (its effect undone), SKIPPED
 * (it did not apply, or the crossing ended before it was reached), or, for the step the crossing was waiting at when
 * it ended early, EXPIRED (its deadline ended the crossing) or CANCELLED.
 */
export const STEP_STATUSES = [
  'PENDING',
  'WAITING',
  'OVERDUE',
  'RETURNED',
  'APPROVED',
  'DENIED',
  'SKIPPED',
  'COMPENSATED',
  'EXPIRED',
  'CANCELLED',
] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/** Who did something: every state change names one account. */
export interface Actor {
  accountId: string;
  role: Role;
}

export interface FieldError {
  path: string;
  message: string;
}

export interface StepView {
  step: Step;
  status: StepStatus;
  startedAt?: string;
  slaAt?: string;
  expiresAt?: string;
  decidedAt?: string;
  decidedBy?: string;
  reason?: string;
  fields?: FieldError[];
}

/**
 * A side effect of the crossing that keeps failing for a reason retrying cannot cure (API.md, "Crossings"): where the
 * crossing stood, what failed (a sentence with no company data), and how often an admin has retried it.
 */
export interface Incident {
  at: string;
  step: Step | null;
  message: string;
  retries: number;
}

export interface CrossingView {
  id: string;
  gate: string;
  direction: Declaration['direction'];
  category: Category;
  status: CrossingStatus;
  currentStep: Step | null;
  steps: StepView[];
  declarationVersion: number;
  declaration: Declaration;
  returns: { step: Step; reason: string; fields: FieldError[]; at: string }[];
  fee: { amountVnd: number; collector: string; status: 'DUE' | 'PAID' | 'REFUNDED'; receiptNo?: string } | null;
  compensations: { action: string; status: string; at: string }[];
  documents: { kind: string; url: string }[];
  incident: Incident | null;
  createdAt: string;
  updatedAt: string;
}
