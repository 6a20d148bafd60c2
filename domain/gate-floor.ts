import { z } from 'zod';
import { ENDED_STATUSES, type CrossingStatus } from './crossing-view';
import { normalisePlate } from './identifiers';
import type { Step } from './steps';
import { text } from './text';
import { isoDateTime } from './time';
import type { TransshipmentStage } from './transshipment';
import { CUSTOMS_CHANNELS, type DeviceKind, type GatePoint } from './gate-points';
import { describeWait } from './wait-sentence';

export * from './gate-points';

/**
 * The gate floor (DESIGN.md "The gate floor"): cameras and barrier controllers at the points of a gate, their plate
 * reads matched to crossings, and what a barrier is told to do. Pure rules; the store (infra/db/stores/gate-reads.ts)
 * applies them to the rows.
 */

export const YARD_POINTS: readonly GatePoint[] = ['YARD_ENTRY', 'YARD_EXIT'];

export const BARRIER_ACTIONS = ['OPEN', 'HOLD', 'NONE'] as const;
export type BarrierAction = (typeof BARRIER_ACTIONS)[number];

/** How a read was matched: to one crossing, only through an OCR confusion (the guard confirms), or not at all. */
export const READ_MATCHES = ['MATCHED', 'DOUBTFUL', 'UNMATCHED'] as const;
export type ReadMatch = (typeof READ_MATCHES)[number];

/** A device's `at` further than this from the server's clock is refused: a replayed or misconfigured device. */
export const CLOCK_WINDOW_MS = 5 * 60_000;
/** Reads of one plate by one device closer together than this are one arrival (a truck standing before a camera). */
export const REPEAT_WINDOW_MS = 60_000;
/** The confidence threshold of a gate that has not set its own. */
export const DEFAULT_PLATE_CONFIDENCE = 0.8;

export const DEVICE_CODE = /^[A-Z0-9][A-Z0-9_-]{1,63}$/;

export const PlateReadSchema = z
  .object({
    eventId: z
      .string()
      .min(1, 'is required')
      .max(100)
      .regex(/^[A-Za-z0-9_.:-]+$/, 'must be letters, digits and _ . : - only'),
    plate: text().trim().min(1, 'is required').max(20),
    at: isoDateTime(),
    confidence: z.number().min(0).max(1),
    imageRef: text().max(500).optional(),
  })
  .strict()
  .meta({ id: 'PlateRead' });
export type PlateRead = z.infer<typeof PlateReadSchema>;

/** Whether a read's time is close enough to the server's clock to be believed. */
export function withinClockWindow(at: string, now: number): boolean {
  return Math.abs(new Date(at).getTime() - now) <= CLOCK_WINDOW_MS;
}

/**
 * A plate's form with the usual OCR confusions folded (O→0, I→1, B→8): two plates with the same key differ at most by
 * those. The read model's matching index computes the same with `translate(plate, 'OIB', '018')`.
 */
export function confusionKey(plate: string): string {
  return normalisePlate(plate).replace(/[OIB]/g, (c) => ({ O: '0', I: '1', B: '8' })[c]!);
}

/** An open crossing of the read's plate (or of a plate that differs from it only by confusions). */
export interface Candidate {
  crossingId: string;
  plate: string;
}

export type MatchOutcome =
  | { match: 'MATCHED'; crossingId: string }
  | { match: 'DOUBTFUL'; crossingId: string; reason: string }
  | { match: 'UNMATCHED'; crossingId: null; reason: string };

/**
 * The rule of a read (API.md "Devices and plate reads"): one crossing of exactly the plate read, above the gate's
 * threshold, is a match. A crossing found only by folding confusions is doubtful; a read below the threshold, or
 * matching none or several, is unmatched. Neither opens a barrier; both go to the guard's exception list.
 */
export function matchRead(read: { plate: string; confidence: number }, threshold: number, candidates: readonly Candidate[]): MatchOutcome {
  const plate = normalisePlate(read.plate);
  if (read.confidence < threshold) {
    return {
      match: 'UNMATCHED',
      crossingId: null,
      reason: `The read's confidence ${read.confidence.toFixed(2)} is below the gate's threshold of ${threshold.toFixed(2)}`,
    };
  }
  const exact = candidates.filter((c) => c.plate === plate);
  if (exact.length === 1) return { match: 'MATCHED', crossingId: exact[0].crossingId };
  if (exact.length > 1) {
    return { match: 'UNMATCHED', crossingId: null, reason: `${exact.length} open crossings have the plate ${plate} at this gate` };
  }
  const key = confusionKey(plate);
  const near = candidates.filter((c) => confusionKey(c.plate) === key);
  if (near.length === 1) {
    return {
      match: 'DOUBTFUL',
      crossingId: near[0].crossingId,
      reason: `The plate read ${plate} matches the crossing of ${near[0].plate} only by reading O as 0, I as 1 or B as 8`,
    };
  }
  if (near.length > 1) {
    return { match: 'UNMATCHED', crossingId: null, reason: `${near.length} open crossings have plates that read like ${plate}` };
  }
  return { match: 'UNMATCHED', crossingId: null, reason: `No open crossing has the plate ${plate} at this gate` };
}

/** What a barrier needs to know of the crossing a read matched: where it stands, from the read model. */
export interface CrossingAtBarrier {
  status: CrossingStatus;
  currentStep: Step | null;
  steps: { step: Step; status: string }[];
  transshipmentStage: TransshipmentStage | undefined;
  /** Its queue entry's status where the gate keeps a queue (WAITING and NO_SHOW: not called). */
  queueStatus?: string | null;
}

/**
 * What a device is told to do for a read. A camera does nothing (`NONE`). A barrier opens only for the step it guards:
 * the entry barrier once `border-entry` is approved (and the crossing has not ended), the exit barrier once the
 * crossing is CLEARED. Everything else holds, with a sentence saying why.
 */
export function barrierAnswer(
  point: GatePoint,
  kind: DeviceKind,
  outcome: MatchOutcome,
  crossing: CrossingAtBarrier | undefined,
  /** False for a read that repeats an arrival already recorded (the same truck, the same device, within 60 s). */
  arrival = true,
): { action: BarrierAction; reason: string } {
  const guided = kind === 'BARRIER';
  if (outcome.match !== 'MATCHED' || !crossing) {
    const why = outcome.match === 'MATCHED' ? 'The crossing was not found' : outcome.reason;
    return {
      action: guided ? 'HOLD' : 'NONE',
      reason: `${why}; the read is on the border guard's exception list${guided ? ', and the barrier stays closed until a guard links it' : ''}.`,
    };
  }
  const waiting = () => {
    const current = crossing.steps.find((s) => s.step === crossing.currentStep);
    return describeWait({ status: crossing.status, current, transshipmentStage: crossing.transshipmentStage });
  };
  if (!guided) return { action: 'NONE', reason: `${arrival ? 'Arrival recorded' : 'Seen again'}; the crossing is ${waiting()}.` };
  if (point === 'BARRIER_ENTRY') {
    const entry = crossing.steps.find((s) => s.step === 'border-entry');
    if (ENDED_STATUSES.includes(crossing.status)) return { action: 'HOLD', reason: `The crossing has ended: it is ${crossing.status}.` };
    if (entry?.status === 'APPROVED') return { action: 'OPEN', reason: 'Border entry is approved.' };
    if (crossing.queueStatus === 'WAITING' || crossing.queueStatus === 'NO_SHOW') {
      return { action: 'HOLD', reason: 'Not called yet: the truck waits in the queue until the border guard admits it.' };
    }
    return { action: 'HOLD', reason: `Border entry is not approved yet: the crossing is ${waiting()}.` };
  }
  if (point === 'BARRIER_EXIT') {
    if (crossing.status === 'CLEARED') return { action: 'OPEN', reason: 'The crossing is cleared.' };
    if (ENDED_STATUSES.includes(crossing.status)) return { action: 'HOLD', reason: `The crossing has ended: it is ${crossing.status}.` };
    return { action: 'HOLD', reason: `The crossing is not cleared yet: it is ${waiting()}.` };
  }
  // A barrier at a yard point guards no step of its own: the yard's gate opens for a truck admitted at the border.
  // A cleared truck still leaves the yard on its way to the exit.
  const entry = crossing.steps.find((s) => s.step === 'border-entry');
  const stillHere = !ENDED_STATUSES.includes(crossing.status) || (point === 'YARD_EXIT' && crossing.status === 'CLEARED');
  if (entry?.status === 'APPROVED' && stillHere) return { action: 'OPEN', reason: 'The truck is admitted.' };
  return { action: 'HOLD', reason: `The truck is not admitted: the crossing is ${waiting()}.` };
}

export const CustomsChannelRequestSchema = z
  .object({
    channel: z.enum(CUSTOMS_CHANNELS),
    /** Where the channel came from (the customs system's reference, VNACCS), for the history. */
    source: text().trim().max(200).optional(),
  })
  .strict()
  .meta({ id: 'CustomsChannelRequest' });
