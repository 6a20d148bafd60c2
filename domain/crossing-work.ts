import type { UndoAction } from './compensation';
import type { CrossingSnapshot } from './crossing-snapshot';
import type { CrossingView } from './crossing-view';
import { armedData, deadlinesOf, type DeadlinePolicies, type DeadlinePolicy } from './deadline-policy';
import type { DocumentKind } from './documents';
import type { Invoice } from './fee-tariff';
import type { DecisionStep } from './steps';
import type { TransferVehicle } from './transshipment';

/**
 * A side effect of a crossing's change in the world outside the workflow (the yard, the fee ledger, the queue, the
 * documents), as the crossing's one call per change carries it out (activities/crossing-work.ts), in order, in the
 * transaction that then writes the read model.
 */
export type SideEffect =
  | { kind: 'RESERVE_YARD_PLACE' }
  | { kind: 'RELEASE_YARD_PLACE' }
  | { kind: 'BOOK_TRANSSHIPMENT'; yardCode: string; toVehicle: TransferVehicle }
  | { kind: 'ESCALATE_OVERDUE'; step: DecisionStep; slaAt: string }
  | { kind: 'RECORD_DIRECT_PAYMENT'; receiptNo: string }
  | { kind: 'RECORD_ONLINE_PAYMENT' }
  | { kind: 'ISSUE_DOCUMENT'; document: DocumentKind; seq: number }
  | { kind: 'ISSUE_INVOICE' }
  | { kind: 'UNDO'; action: UndoAction }
  | { kind: 'RECORD_QUEUE_ARRIVAL' };

/**
 * One change's work: its side effects and the read-model write of the view as it stands once they are done. What the
 * workflow cannot know before the work is done (the yard place chosen, the invoice's amount) is written as the
 * activity learns it (`withOutcomes`), and handed back so the workflow keeps the same.
 */
export interface CrossingWork {
  crossingId: string;
  gate: string;
  /** The change's time: a payment's, and the workflow's for every line of history the work adds. */
  at: string;
  effects: SideEffect[];
  /** The view and history to write, as the workflow computed them with the outcomes below still unknown. */
  snapshot: CrossingSnapshot;
  /**
   * The crossing has no deadline policies yet (its first change): they are read here, for its gate and category, and
   * this step, which began to wait, is armed by them in the view written (the workflow armed it by `POLICIES_TO_COME`).
   */
  readPoliciesFor?: DecisionStep;
}

/** What the work learned that the crossing keeps. */
export interface WorkOutcomes {
  yardCode?: string;
  invoice?: Pick<Invoice, 'amountVnd' | 'collector'>;
  /** With `readPoliciesFor`: the policies read, and the step armed by them. */
  policies?: DeadlinePolicies;
  armed?: DecisionStep;
}

/** What the workflow arms a step by when the policies are read in the same call; `withOutcomes` puts theirs in. */
export const POLICIES_TO_COME: DeadlinePolicy = { slaMs: 1, expireAfterMs: 1, version: 0 };

/** Where an issued document is served (API.md "Documents"): one URL per kind, a later issue replacing an earlier. */
export const documentUrl = (crossingId: string, kind: DocumentKind) => `/v1/crossings/${crossingId}/documents/${kind}`;

/** An invoice issued, as the crossing's fee and the line of its history say it. */
export function invoiceIssued(invoice: Pick<Invoice, 'amountVnd' | 'collector'>): {
  fee: NonNullable<CrossingView['fee']>;
  data: Record<string, unknown>;
} {
  return {
    fee: { amountVnd: invoice.amountVnd, collector: invoice.collector, status: 'DUE' },
    data: { amountVnd: invoice.amountVnd, collector: invoice.collector },
  };
}

/** What the workflow writes for an invoice not yet issued; `withOutcomes` puts the issued one in its place. */
export const INVOICE_TO_COME: Pick<Invoice, 'amountVnd' | 'collector'> = { amountVnd: 0, collector: 'GATE_MANAGEMENT_CENTRE' };

/** The snapshot with what the work learned put in: the yard place, the invoice's fee and its line of history. */
export function withOutcomes(snapshot: CrossingSnapshot, outcomes: WorkOutcomes): CrossingSnapshot {
  const view: CrossingView = { ...snapshot.view };
  if (outcomes.yardCode) view.yardCode = outcomes.yardCode;
  let events = snapshot.events;
  if (outcomes.invoice) {
    const issued = invoiceIssued(outcomes.invoice);
    // The fee as the change left it (still DUE: nothing pays in the change that issues it), with the issued amount.
    view.fee = { ...issued.fee, ...view.fee, amountVnd: issued.fee.amountVnd, collector: issued.fee.collector };
    events = events.map((e) => (e.type === 'INVOICE_ISSUED' ? { ...e, data: issued.data } : e));
  }
  const policy = outcomes.armed && outcomes.policies?.steps[outcomes.armed];
  if (policy) {
    view.steps = view.steps.map((s) => (s.step === outcomes.armed && s.startedAt ? { ...s, ...deadlinesOf(s.startedAt, policy) } : s));
    const armed = view.steps.find((s) => s.step === outcomes.armed)!;
    events = events.map((e) => (e.type === 'DEADLINES_ARMED' && e.step === outcomes.armed ? { ...e, data: armedData(armed, policy) } : e));
  }
  return { ...snapshot, view, events };
}
