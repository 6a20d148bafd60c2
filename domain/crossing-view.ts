import { z } from 'zod';
import { CATEGORIES } from './category';
import { CROSSING_STATUSES } from './crossing-status';
import { UNDO_ACTIONS } from './compensation';
import { DeclarationFieldsSchema, DIRECTIONS, type Declaration } from './declaration';
import { DOCUMENT_KINDS } from './documents';
import { ArrivalSchema, CUSTOMS_CHANNELS } from './gate-points';
import { QueuePlaceSchema } from './queue';
import { FEE_COLLECTORS } from './gates';
import { ROLES } from './roles';
import { STEPS } from './steps';
import { TRANSSHIPMENT_STAGES, TransshipmentStateSchema } from './transshipment';

/** The shapes a crossing is seen in (API.md "Crossing view"). Produced by the workflow, filtered per role by the API. */

export { CROSSING_STATUSES, ENDED_STATUSES, type CrossingStatus } from './crossing-status';

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
 * keeps. Each role sees it filtered (domain/data-views.ts).
 */
/** Where the driver's phone last placed the truck: when, on which segment or in which holding area, how fast. */
export const TrackingSummarySchema = z
  .object({ lastAt: z.string(), segment: z.string().nullable(), holdingArea: z.string().nullable(), speedKmh: z.number().nullable() })
  .meta({ id: 'TrackingSummary' });

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
  /** Customs' channel for the declaration (RED until one is set): GREEN passes customs-inspection with no inspection. */
  customsChannel: z.enum(CUSTOMS_CHANNELS),
  /** Where the gate's cameras and barriers saw the truck, oldest first (matched reads; repeats are one arrival). */
  arrivals: z.array(ArrivalSchema),
  /** Where the truck stands in its gate's queue; null where the gate keeps no queue. */
  queue: QueuePlaceSchema.nullable(),
  incident: IncidentSchema.nullable(),
  /**
   * Where the driver's phone last placed the truck on the approach (API.md "Driver tracking and traffic flow"): read
   * from the positions' store by the API, never kept by the workflow. Null before the first position, and for roles
   * that may not read a track.
   */
  tracking: TrackingSummarySchema.nullable().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type CrossingView = z.infer<typeof CrossingViewSchema>;

/** The parts of a declaration every role sees, each held to a strict form at the door (codes, enums, the plate). */
export type DeclarationIdentity = Pick<Declaration, 'gate' | 'direction' | 'priority' | 'transshipment'> & {
  vehicle: Pick<Declaration['vehicle'], 'plate'>;
};

/** A crossing view with only the declaration's identity (see `bareView`). */
export type BareCrossingView = Omit<CrossingView, 'declaration'> & { declaration: DeclarationIdentity };

/**
 * What the read model keeps of a crossing whose whole view PostgreSQL refused, so that its incident still reaches the
 * lists and an admin can retry it (without a row the crossing would be 404 to everyone, for ever): what the workflow
 * itself wrote (identity, where the crossing stands, its times, fee, documents, compensations, the incident) and
 * nothing a person typed (the declaration's sections, reasons, fields at fault, receipt numbers, the transfer's note),
 * since any of that may be what was refused. Picked field by field, so a field added to the view later stays out
 * until someone decides it is safe. The incident says the stored view is partial; `?consistent=true` shows it whole.
 */
export function bareView(view: CrossingView): BareCrossingView {
  const { declaration: d, fee, transshipment: t } = view;
  return {
    id: view.id,
    gate: view.gate,
    direction: view.direction,
    category: view.category,
    status: view.status,
    currentStep: view.currentStep,
    steps: view.steps.map(({ step, status, startedAt, slaAt, expiresAt, decidedAt, decidedBy, stage }) => ({
      step,
      status,
      startedAt,
      slaAt,
      expiresAt,
      decidedAt,
      decidedBy,
      stage,
    })),
    declarationVersion: view.declarationVersion,
    declaration: {
      gate: d.gate,
      direction: d.direction,
      priority: d.priority,
      transshipment: d.transshipment,
      vehicle: { plate: d.vehicle.plate },
    },
    returns: [],
    fee: fee && { amountVnd: fee.amountVnd, collector: fee.collector, status: fee.status },
    compensations: view.compensations.map(({ action, status, at }) => ({ action, status, at })),
    documents: view.documents.map(({ kind, url }) => ({ kind, url })),
    ...(t ? { transshipment: { stage: t.stage, registeredAt: t.registeredAt, approvedAt: t.approvedAt, completedAt: t.completedAt } } : {}),
    ...(view.yardCode ? { yardCode: view.yardCode } : {}),
    customsChannel: view.customsChannel,
    arrivals: view.arrivals.map(({ eventId, point, at, device, confirmedBy }) => ({ eventId, point, at, device, confirmedBy })),
    queue: view.queue && { ...view.queue },
    incident: view.incident && {
      ...view.incident,
      message: `${view.incident.message}. The read model could keep only part of this crossing's view until the cause is fixed; ?consistent=true shows it whole.`,
    },
    createdAt: view.createdAt,
    updatedAt: view.updatedAt,
  };
}
