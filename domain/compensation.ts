import type { DecisionStep } from './steps';

/** What a compensation undoes when a crossing ends early, newest first. */
export const UNDO_ACTIONS = ['RELEASE_YARD_PLACE', 'ISSUE_TURN_BACK_ORDER', 'CANCEL_TRANSSHIPMENT_BOOKING', 'REFUND_FEE'] as const;
export type UndoAction = (typeof UNDO_ACTIONS)[number];

/** Where the undo of each action lands in the view: the step whose effect it reverses. */
export const UNDO_STEP: Record<UndoAction, DecisionStep> = {
  RELEASE_YARD_PLACE: 'border-entry',
  ISSUE_TURN_BACK_ORDER: 'border-entry',
  CANCEL_TRANSSHIPMENT_BOOKING: 'transshipment',
  REFUND_FEE: 'fee-payment',
};
