import { z } from 'zod';
import type { CrossingEvent } from './crossing-events';
import { CROSSING_STATUSES, type BareCrossingView, type CrossingView } from './crossing-view';
import { crossingViewFor } from './data-views';
import { DIRECTIONS } from './declaration';
import { AGENCY_ROLES, type Role } from './roles';
import { STEPS } from './steps';

/**
 * Events out (API.md "Events out (webhooks)"): what a subscription may ask for, which line of a crossing's history is
 * which event, what each subscriber sees of a crossing, and how long a failing receiver is tried again. Pure rules:
 * the store (infra/db/stores/webhooks.ts), the delivery workflow and its activity apply them.
 */

export const WEBHOOK_EVENTS = [
  'crossing.declared',
  'crossing.step_waiting',
  'crossing.decided',
  'crossing.returned',
  'crossing.ended',
  'queue.called',
  'queue.no_show',
  'gate.closed',
  'gate.reopened',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export const DELIVERY_STATUSES = ['PENDING', 'DELIVERED', 'FAILED'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** The lines of a crossing's history that are sent out, and as which event; every other line stays inside. */
const EVENT_OF_HISTORY: Record<string, WebhookEvent> = {
  DECLARATION_SUBMITTED: 'crossing.declared',
  STEP_STARTED: 'crossing.step_waiting',
  DECISION: 'crossing.decided',
  RETURNED: 'crossing.returned',
  ENDED: 'crossing.ended',
  QUEUE_CALLED: 'queue.called',
  QUEUE_NO_SHOW: 'queue.no_show',
};

export function webhookEventOf(line: Pick<CrossingEvent, 'type'>): WebhookEvent | undefined {
  return EVENT_OF_HISTORY[line.type];
}

/**
 * Who may own a subscription: a declarant for its company's crossings, and, created by an admin, an agency's or a
 * partner authority's system for the crossings at its gates.
 */
export const SUBSCRIBER_ROLES: readonly Role[] = ['DECLARANT', 'PARTNER', ...AGENCY_ROLES];

/** What a partner authority sees of a crossing: where it stands and since when; no goods, company, driver or papers. */
export const PartnerCrossingViewSchema = z
  .object({
    id: z.string(),
    gate: z.string(),
    plate: z.string(),
    direction: z.enum(DIRECTIONS),
    status: z.enum(CROSSING_STATUSES),
    currentStep: z.enum(STEPS).nullable(),
    steps: z.array(
      z.object({
        step: z.enum(STEPS),
        status: z.string(),
        startedAt: z.string().nullable(),
        decidedAt: z.string().nullable(),
      }),
    ),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'PartnerCrossingView' });
export type PartnerCrossingView = z.infer<typeof PartnerCrossingViewSchema>;

export function partnerViewOf(view: CrossingView | BareCrossingView): PartnerCrossingView {
  return {
    id: view.id,
    gate: view.gate,
    plate: view.declaration.vehicle.plate,
    direction: view.direction,
    status: view.status,
    currentStep: view.currentStep,
    steps: view.steps.map((s) => ({ step: s.step, status: s.status, startedAt: s.startedAt ?? null, decidedAt: s.decidedAt ?? null })),
    createdAt: view.createdAt,
    updatedAt: view.updatedAt,
  };
}

/** A crossing as the subscriber's role sees it: the API's own data views, or the partner's status-only view. */
export function crossingDataFor(role: Role, view: CrossingView | BareCrossingView): unknown {
  return role === 'PARTNER' ? partnerViewOf(view) : crossingViewFor(role, view);
}

/** The body every delivery carries; `data` is the crossing as the subscriber sees it, or the gate's state. */
export interface WebhookBody {
  eventId: string;
  event: WebhookEvent;
  at: string;
  crossingId?: string;
  gate: string;
  data: unknown;
}

/**
 * A failing receiver is tried again after 1 s, 2 s, 4 s … at most an hour apart, for the retry window counted from
 * its first attempt; an attempt that would come after the window's end is not made, and the event is FAILED.
 */
export function nextAttemptDelayMs(attemptsMade: number): number {
  return Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.max(0, attemptsMade - 1));
}
const MAX_BACKOFF_MS = 3_600_000;

/** The crossing events' order key: a crossing's events go out in order, each crossing on its own. */
export const orderKeyOfCrossing = (crossingId: string): string => `crossing:${crossingId}`;
/** A gate's own events (closed, reopened) are in order among themselves. */
export const orderKeyOfGate = (gate: string): string => `gate:${gate}`;

/**
 * Webhook deliveries have a task queue of their own beside the crossings' (and a worker of their own in each worker
 * process), so a receiver that hangs holds only webhook slots.
 */
export const webhookTaskQueueOf = (taskQueue: string): string => `${taskQueue}-webhooks`;

export { WEBHOOK_WAKE_SIGNAL } from './signal-names';

export interface WebhookDeliveryInput {
  subscriptionId: string;
}
