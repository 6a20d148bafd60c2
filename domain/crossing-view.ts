import { z } from 'zod';
import { CATEGORIES } from './category';
import { UNDO_ACTIONS } from './compensation';
import { DeclarationFieldsSchema, DIRECTIONS } from './declaration';
import { DOCUMENT_KINDS } from './documents';
import { FEE_COLLECTORS } from './gates';
import { ROLES } from './roles';
import { STEPS } from './steps';
import { TRANSSHIPMENT_STAGES, TransshipmentStateSchema } from './transshipment';

/** The shapes a crossing is seen in (API.md "Crossing view"). Produced by the workflow, filtered per role by the API. */

export const CROSSING_STATUSES = ['IN_PROGRESS', 'AWAITING_CORRECTION', 'CLEARED', 'DENIED', 'EXPIRED', 'CANCELLED'] as const;
export type CrossingStatus = (typeof CROSSING_STATUSES)[number];
export const ENDED_STATUSES: readonly CrossingStatus[] = ['CLEARED', 'DENIED', 'EXPIRED', 'CANCELLED'];

/**
 * A step of an ended crossing is always in a final state: APPROVED, DENIED, COMPENSATED (its effect undone) or SKIPPED
 * (it did not apply, or the crossing ended before it was reached). The step the crossing was waiting at when it
 * expired or was cancelled is SKIPPED too, its `reason` saying which ("The crossing expired at this step.").
 */
export const STEP_STATUSES = ['PENDING', 'WAITING', 'OVERDUE', 'RETURNED', 'APPROVED', 'DENIED', 'SKIPPED', 'COMPENSATED'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/** Who did something: every state change names one account. */
export const ActorSchema = z.object({ accountId: z.string(), role: z.enum(ROLES) });
export type Actor = z.infer<typeof ActorSchema>;

export const FieldErrorSchema = z.object({ path: z.string(), message: z.string() });
export type FieldError = z.infer<typeof FieldErrorSchema>;

export const StepViewSchema = z.object({
  step: z.enum(STEPS),
  status: z.enum(STEP_STATUSES),
  startedAt: z.string().optional(),
  slaAt: z.string().optional(),
  expiresAt: z.string().optional(),
  decidedAt: z.string().optional(),
  decidedBy: z.string().optional(),
  reason: z.string().optional(),
  fields: z.array(FieldErrorSchema).optional(),
  /** The transshipment step's stage while it waits. */
  stage: z.enum(TRANSSHIPMENT_STAGES).optional(),
  /** The fee step's receipt number once paid. */
  receiptNo: z.string().optional(),
});
export type StepView = z.infer<typeof StepViewSchema>;

/**
 * A side effect of the crossing that keeps failing for a reason retrying cannot cure (API.md, "Crossings"): where the
 * crossing stood, what failed (a sentence with no company data), and how often an admin has retried it.
 */
export const IncidentSchema = z.object({ at: z.string(), step: z.enum(STEPS).nullable(), message: z.string(), retries: z.number().int() });
export type Incident = z.infer<typeof IncidentSchema>;

export const FeeViewSchema = z.object({
  amountVnd: z.number(),
  collector: z.enum(FEE_COLLECTORS),
  status: z.enum(['DUE', 'PAID', 'REFUNDED']),
  receiptNo: z.string().optional(),
});

export const ReturnRecordSchema = z.object({
  step: z.enum(STEPS),
  reason: z.string(),
  fields: z.array(FieldErrorSchema),
  at: z.string(),
  /** Once resubmitted: the version that answered it, and what changed. */
  resolvedByVersion: z.number().int().optional(),
  changed: z.array(z.string()).optional(),
});
export type ReturnRecord = z.infer<typeof ReturnRecordSchema>;

/**
 * The crossing view (API.md "Crossing view"): the one definition of what the workflow answers and the read model
 * keeps. Each role sees it filtered (api/data-views.ts).
 */
export const CrossingViewSchema = z.object({
  id: z.string(),
  gate: z.string(),
  direction: z.enum(DIRECTIONS),
  category: z.enum(CATEGORIES),
  status: z.enum(CROSSING_STATUSES),
  currentStep: z.enum(STEPS).nullable(),
  steps: z.array(StepViewSchema),
  declarationVersion: z.number().int(),
  declaration: DeclarationFieldsSchema,
  returns: z.array(ReturnRecordSchema),
  fee: FeeViewSchema.nullable(),
  compensations: z.array(z.object({ action: z.enum(UNDO_ACTIONS), status: z.enum(['DONE', 'PENDING']), at: z.string() })),
  documents: z.array(z.object({ kind: z.enum(DOCUMENT_KINDS), url: z.string() })),
  /** A transshipment crossing's transfer: who registered, approved and completed it. */
  transshipment: TransshipmentStateSchema.optional(),
  /** The yard place reserved when the truck was admitted. */
  yardCode: z.string().optional(),
  incident: IncidentSchema.nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type CrossingView = z.infer<typeof CrossingViewSchema>;
