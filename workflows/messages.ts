import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  ApproachingSignal,
  ArrivalSignal,
  CancelMessage,
  CustomsChannelMessage,
  DeadlinePolicyChangedSignal,
  DecisionMessage,
  OnlinePaymentMessage,
  RetryIncidentMessage,
  Submission,
  TransshipmentCompletionMessage,
  TransshipmentRegistrationMessage,
} from '../domain/crossing-messages';
import type { CrossingView } from '../domain/crossing-view';
import { DEADLINE_POLICY_CHANGED_SIGNAL } from '../domain/deadline-policy';
import type { QueueNotice } from '../domain/queue';
import { DISPATCHER_WAKE_SIGNAL, QUEUE_SIGNAL, WEBHOOK_WAKE_SIGNAL } from '../domain/signal-names';

/**
 * The crossing workflow's messages, shared by the workflow and the API's Temporal client; their arguments are the
 * schemas of domain/crossing-messages.ts. Each name carries a version suffix so a changed shape gets a new name rather
 * than surprising a running crossing.
 */

/** The first declaration, sent with Update-with-Start so `POST /v1/crossings` answers with the validated state. */
export const submitDeclarationUpdate = defineUpdate<CrossingView, [Submission]>('submitDeclaration.v1');

/** A corrected form after a RETURN. */
export const resubmitDeclarationUpdate = defineUpdate<CrossingView, [Submission]>('resubmitDeclaration.v1');

/** An agency's APPROVE, RETURN or DENY on the step it owns. Refused by the validator when it does not fit. */
export const decideUpdate = defineUpdate<CrossingView, [DecisionMessage]>('decide.v1');

export const registerTransshipmentUpdate = defineUpdate<CrossingView, [TransshipmentRegistrationMessage]>('registerTransshipment.v1');

export const completeTransshipmentUpdate = defineUpdate<CrossingView, [TransshipmentCompletionMessage]>('completeTransshipment.v1');

/** The payment provider confirmed an online payment (sent by the API on a verified callback). */
export const confirmOnlinePaymentUpdate = defineUpdate<CrossingView, [OnlinePaymentMessage]>('confirmOnlinePayment.v1');

/** Ends the crossing CANCELLED; answers once compensation has run. */
export const cancelUpdate = defineUpdate<CrossingView, [CancelMessage]>('cancel.v1');

/** An admin fixed the cause of the crossing's incident: try its pending work again. */
export const retryIncidentUpdate = defineUpdate<CrossingView, [RetryIncidentMessage]>('retryIncident.v1');

/** Customs assigned the declaration's channel: GREEN passes customs-inspection as a system decision. */
export const setCustomsChannelUpdate = defineUpdate<CrossingView, [CustomsChannelMessage]>('setCustomsChannel.v1');

/**
 * A camera or barrier read the truck's plate at a point of the gate (matched, or linked by a guard). A signal, not an
 * Update: the device had its answer from the read model already, and the API delivers it again until it is taken
 * (the crossing keeps each eventId once).
 */
export const arrivalSignal = defineSignal<[ArrivalSignal]>('arrival.v1');

/**
 * The truck entered its gate's approach corridor: the first position there, once (the driver's positions themselves
 * stay in PostgreSQL, never in the history). Delivered like an arrival, again until taken; a repeat changes nothing.
 */
export const approachingSignal = defineSignal<[ApproachingSignal]>('approaching.v1');

/** The admin changed a deadline policy: reload the policy of the waiting step and re-arm its deadlines. */
export const deadlinePolicyChangedSignal = defineSignal<[DeadlinePolicyChangedSignal]>(DEADLINE_POLICY_CHANGED_SIGNAL);

/** The live crossing view. */
export const viewQuery = defineQuery<CrossingView>('view.v1');

/**
 * The gate's queue dispatcher tells the crossing where it stands in the queue: called (with its arrival deadline),
 * a no-show sent to the back, or expired. The entry's whole state, numbered: a repeat or an older one is ignored.
 */
export const queueSignal = defineSignal<[QueueNotice]>(QUEUE_SIGNAL);

/** Something changed that may let the dispatcher call a truck (a place freed, a truck joined, the gate reopened). */
export const dispatcherWakeSignal = defineSignal<[]>(DISPATCHER_WAKE_SIGNAL);

/** A subscription's delivery workflow is told it has new events (infra/webhook-deliveries.ts). */
export const webhookWakeSignal = defineSignal<[]>(WEBHOOK_WAKE_SIGNAL);
