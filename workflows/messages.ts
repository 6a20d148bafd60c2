import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Actor, CrossingView } from '../domain/crossing-view';
import type { Decision } from '../domain/decision';
import type { Declaration } from '../domain/declaration';
import type { DecisionStep } from '../domain/steps';
import type { TransferVehicle } from './crossing-state';

/**
 * The crossing workflow's messages, shared by the workflow and the API's Temporal client. Each name carries a version
 * suffix so a changed shape gets a new name rather than surprising a running crossing. Every state-changing message
 * names the account that sent it.
 */

export interface Submission {
  declaration: Declaration;
  actor: Actor;
}

/** The first declaration, sent with Update-with-Start so `POST /v1/crossings` answers with the validated state. */
export const submitDeclarationUpdate = defineUpdate<CrossingView, [Submission]>('submitDeclaration.v1');

/** A corrected form after a RETURN. */
export const resubmitDeclarationUpdate = defineUpdate<CrossingView, [Submission]>('resubmitDeclaration.v1');

export interface DecisionMessage {
  step: DecisionStep;
  decision: Decision;
  actor: Actor;
}

/** An agency's APPROVE, RETURN or DENY on the step it owns. Refused by the validator when it does not fit. */
export const decideUpdate = defineUpdate<CrossingView, [DecisionMessage]>('decide.v1');

export const registerTransshipmentUpdate = defineUpdate<CrossingView, [{ yardCode: string; toVehicle: TransferVehicle; actor: Actor }]>(
  'registerTransshipment.v1',
);

export const completeTransshipmentUpdate = defineUpdate<CrossingView, [{ note?: string; actor: Actor }]>('completeTransshipment.v1');

/** The payment provider confirmed an online payment (sent by the API on a verified callback). */
export const confirmOnlinePaymentUpdate = defineUpdate<
  CrossingView,
  [{ paymentId: string; providerRef: string; amountVnd: number; actor: Actor }]
>('confirmOnlinePayment.v1');

/** Ends the crossing CANCELLED; answers once compensation has run. */
export const cancelUpdate = defineUpdate<CrossingView, [{ reason: string; actor: Actor }]>('cancel.v1');

/** An admin fixed the cause of the crossing's incident: try its pending work again. */
export const retryIncidentUpdate = defineUpdate<CrossingView, [{ actor: Actor }]>('retryIncident.v1');

/** The admin changed a deadline policy: reload the policy of the waiting step and re-arm its deadlines. */
export const deadlinePolicyChangedSignal = defineSignal<[{ policyVersion: number; changedBy: string }]>('deadlinePolicyChanged.v1');

/** The live crossing view. */
export const viewQuery = defineQuery<CrossingView>('view.v1');
