import { categoryOf, type Category } from '../domain/category';
import type { Actor, CrossingStatus, CrossingView, FieldError, Incident, StepView } from '../domain/crossing-view';
import { ENDED_STATUSES } from '../domain/crossing-view';
import type { DeadlinePolicy } from '../domain/deadlines';
import type { Decision } from '../domain/decision';
import { changedPaths } from '../domain/declaration-diff';
import type { Declaration } from '../domain/declaration';
import type { DocumentKind } from '../domain/documents';
import type { Invoice } from '../domain/fee-tariff';
import { STEP_OWNER, STEPS, stepApplies, type DecisionStep, type Step } from '../domain/steps';

export interface CrossingStart {
  crossingId: string;
  declarantAccountId: string;
}

/** What a compensation undoes, newest first when a crossing ends early. */
export type UndoAction = 'RELEASE_YARD_PLACE' | 'ISSUE_TURN_BACK_ORDER' | 'CANCEL_TRANSSHIPMENT_BOOKING' | 'REFUND_FEE';

/** Where the undo of each action lands in the view: the step whose effect it reverses. */
const UNDO_STEP: Record<UndoAction, DecisionStep> = {
  RELEASE_YARD_PLACE: 'border-entry',
  ISSUE_TURN_BACK_ORDER: 'border-entry',
  CANCEL_TRANSSHIPMENT_BOOKING: 'transshipment',
  REFUND_FEE: 'fee-payment',
};

/** Side effects a transition asks the workflow to carry out (as activities), in order. */
export type Effect =
  | { kind: 'RESERVE_YARD_PLACE' }
  | { kind: 'RELEASE_YARD_PLACE' }
  | { kind: 'BOOK_TRANSSHIPMENT'; yardCode: string; toVehicle: TransferVehicle }
  | { kind: 'ESCALATE_OVERDUE'; step: DecisionStep; slaAt: string }
  | { kind: 'RECORD_DIRECT_PAYMENT'; receiptNo: string }
  | { kind: 'RECORD_ONLINE_PAYMENT' }
  | { kind: 'ISSUE_DOCUMENT'; document: DocumentKind; seq: number };

export interface TransferVehicle {
  plate: string;
  country: string;
}

/** One line of a crossing's history, written to PostgreSQL by the workflow's activity. */
export interface CrossingEvent {
  seq: number;
  at: string;
  type: string;
  step?: Step;
  actor?: Actor;
  data?: Record<string, unknown>;
}

/** Transshipment (sang tải) has three stages: the declarant registers, customs approves, the yard operator confirms. */
export type TransshipmentStage = 'REGISTRATION' | 'APPROVAL' | 'COMPLETION';

export interface TransshipmentState {
  stage: TransshipmentStage;
  yardCode?: string;
  toVehicle?: TransferVehicle;
  registeredAt?: string;
  approvedAt?: string;
  approvedBy?: string;
  completedAt?: string;
  completedBy?: string;
  note?: string;
}

/** A returned form: which step returned it and why; once resubmitted, the version that answered it and what changed. */
export interface ReturnRecord {
  step: Step;
  reason: string;
  fields: FieldError[];
  at: string;
  resolvedByVersion?: number;
  changed?: string[];
}

export type StepWait = StepView & { stage?: TransshipmentStage; receiptNo?: string; policyVersion?: number };

/** A request the crossing cannot take now; the message says what it is waiting for instead (the API's 409). */
export class Rejection extends Error {
  override name = 'Rejection';
}

/**
 * Where one crossing stands, and the rules that move it.
 *
 * Plain code with no Temporal import, so unit tests drive it without a server; the workflow function only wires
 * messages, timers and activities to it. Every public method either refuses (throws a Rejection, changing nothing)
 * or applies a whole transition: state, history events, and the effects the workflow must carry out. The `check*`
 * methods are the same refusals without the change, for the Update validators, so a refused message leaves no trace
 * in the workflow history.
 *
 * Deadlines are data: each waiting step holds absolute `slaAt`/`expiresAt` times, computed from when the wait began
 * and the policy in force; the workflow sleeps until the nearest one and calls `fireDeadlines`. A policy change
 * re-arms them (`rearm`) from the same start, so a deadline already past fires at once.
 */
export class CrossingState {
  readonly id: string;
  readonly declarantAccountId: string;
  status: CrossingStatus = 'IN_PROGRESS';
  declaration: Declaration | undefined;
  declarationVersion = 0;
  lastSubmission: { by: string; at: string } | undefined;
  category: Category | undefined;
  steps: StepWait[] = STEPS.map((step) => ({ step, status: 'PENDING' }));
  returns: ReturnRecord[] = [];
  transshipment: TransshipmentState | undefined;
  compensations: { action: UndoAction; status: 'DONE'; at: string }[] = [];
  documents: { kind: string; url: string }[] = [];
  fee: CrossingView['fee'] = null;
  createdAt: string | undefined;
  updatedAt: string | undefined;
  endedAt: string | undefined;
  /** Undo actions registered before their side effect, run newest first if the crossing ends early. */
  undoStack: UndoAction[] = [];
  compensated = false;
  /** The yard place reserved at border-entry approval. */
  yardCode: string | undefined;
  /** Grows with every change, so the workflow knows to re-read the nearest deadline. */
  revision = 0;
  /** A side effect that failed for good; until an admin retries it the crossing takes no new decision (cancel aside). */
  incident: Incident | null = null;
  private incidentRetries = 0;
  /** Side effects asked for by transitions and not yet carried out, oldest first; kept until each has succeeded. */
  private pendingEffects: Effect[] = [];
  private events: CrossingEvent[] = [];
  private nextSeq = 1;

  constructor(start: CrossingStart) {
    this.id = start.crossingId;
    this.declarantAccountId = start.declarantAccountId;
  }

  // ---- reading ---------------------------------------------------------------------------------------------

  /** The gate, known once the declaration is in (it never changes after). */
  get gate(): string {
    return this.declaration?.gate ?? '';
  }

  get submitted(): boolean {
    return this.declaration !== undefined;
  }

  get ended(): boolean {
    return ENDED_STATUSES.includes(this.status);
  }

  /** The step the crossing waits at (for an agency or, when RETURNED, for the declarant), or null once ended. */
  get current(): StepWait | undefined {
    if (this.ended) return undefined;
    return this.steps.find((s) => s.status === 'WAITING' || s.status === 'OVERDUE' || s.status === 'RETURNED');
  }

  /** The waiting step that still needs its deadline policy loaded. */
  get stepNeedingDeadlines(): DecisionStep | undefined {
    const current = this.current;
    return current && current.step !== 'declaration' && !current.expiresAt ? current.step : undefined;
  }

  /** The fee step has opened and its invoice is not computed yet. */
  get needsInvoice(): boolean {
    return this.current?.step === 'fee-payment' && this.fee === null;
  }

  setInvoice(invoice: Pick<Invoice, 'amountVnd' | 'collector'>, now: Date): void {
    this.fee = { amountVnd: invoice.amountVnd, collector: invoice.collector, status: 'DUE' };
    this.event(now, 'INVOICE_ISSUED', { step: 'fee-payment', data: { amountVnd: invoice.amountVnd, collector: invoice.collector } });
    this.touch(now);
  }

  /** A document issued for the crossing; a later one of the same kind replaces the earlier in the list. */
  recordDocument(document: { kind: string; url: string }): void {
    this.documents = [...this.documents.filter((d) => d.kind !== document.kind), document];
  }

  /** The nearest deadline not yet fired, as epoch milliseconds. */
  nextDeadline(): number | undefined {
    const current = this.current;
    if (!current?.expiresAt) return undefined;
    const expires = Date.parse(current.expiresAt);
    if (current.status === 'WAITING' && current.slaAt) return Math.min(Date.parse(current.slaAt), expires);
    return expires;
  }

  /** History events not yet in the read model, oldest first. */
  unrecordedEvents(): CrossingEvent[] {
    return [...this.events];
  }

  /** The first `count` events are in the read model now. */
  eventsRecorded(count: number): void {
    this.events = this.events.slice(count);
  }

  /** Queues a transition's side effects; the workflow carries them out in order (`nextEffect`, `effectDone`). */
  queue(effects: Effect[]): void {
    this.pendingEffects.push(...effects);
  }

  get nextEffect(): Effect | undefined {
    return this.pendingEffects[0];
  }

  effectDone(): void {
    this.pendingEffects.shift();
  }

  // ---- incidents -------------------------------------------------------------------------------------------

  /** A side effect failed for good: the crossing keeps its state and the work still to do, and says what failed. */
  raiseIncident(message: string, now: Date): void {
    this.incident = { at: now.toISOString(), step: this.current?.step ?? null, message, retries: this.incidentRetries };
    this.event(now, 'INCIDENT', { step: this.current?.step, data: { message } });
    this.touch(now);
  }

  checkRetryIncident(): void {
    if (!this.incident) throw new Rejection('The crossing has no incident to retry.');
  }

  /** An admin fixed the cause: the crossing tries its pending work again (and raises a new incident if it fails). */
  retryIncident(actor: Actor, now: Date): Effect[] {
    this.checkRetryIncident();
    this.incidentRetries += 1;
    this.event(now, 'INCIDENT_RETRIED', { step: this.incident!.step ?? undefined, actor, data: { retries: this.incidentRetries } });
    this.incident = null;
    this.touch(now);
    return [];
  }

  /** Nothing left to do: no side effect pending, no undo to run, no incident waiting for an admin. */
  get settled(): boolean {
    return this.pendingEffects.length === 0 && this.pendingUndos().length === 0 && this.incident === null;
  }

  view(): CrossingView & { transshipment?: TransshipmentState; yardCode?: string } {
    if (!this.declaration || !this.category || !this.createdAt || !this.updatedAt) {
      throw new Error('a crossing has no view before its declaration');
    }
    return {
      id: this.id,
      gate: this.declaration.gate,
      direction: this.declaration.direction,
      category: this.category,
      status: this.status,
      currentStep: this.current?.step ?? null,
      steps: this.steps.map(({ policyVersion: _policyVersion, ...s }) => ({ ...s })),
      declarationVersion: this.declarationVersion,
      declaration: this.declaration,
      returns: this.returns.map((r) => ({ ...r })),
      fee: this.fee,
      // Undos still to run show as PENDING, so nobody mistakes an ended crossing for a compensated one.
      compensations: [
        ...this.compensations.map((c) => ({ ...c })),
        ...this.pendingUndos().map((action) => ({ action, status: 'PENDING', at: this.endedAt! })),
      ],
      documents: this.documents.map((d) => ({ ...d })),
      incident: this.incident && { ...this.incident },
      ...(this.transshipment ? { transshipment: { ...this.transshipment } } : {}),
      ...(this.yardCode ? { yardCode: this.yardCode } : {}),
      createdAt: this.createdAt,
      updatedAt: this.updatedAt,
    };
  }

  // ---- declaring -------------------------------------------------------------------------------------------

  checkSubmit(): void {
    if (this.submitted) throw new Rejection('The declaration was already submitted; resubmit a returned form with PUT.');
  }

  /** The first submission: decides which steps apply and opens the first agency step. */
  submitDeclaration(declaration: Declaration, actor: Actor, now: Date): Effect[] {
    this.checkSubmit();
    const at = now.toISOString();
    this.declaration = declaration;
    this.declarationVersion = 1;
    this.lastSubmission = { by: actor.accountId, at };
    this.category = categoryOf(declaration);
    this.createdAt = at;
    const first = this.step('declaration');
    Object.assign(first, { status: 'APPROVED', startedAt: at, decidedAt: at, decidedBy: actor.accountId });
    this.event(now, 'DECLARATION_SUBMITTED', { step: 'declaration', actor, data: { version: 1, category: this.category } });
    this.applicability();
    if (declaration.transshipment) this.transshipment = { stage: 'REGISTRATION' };
    this.openNextStep(now);
    return [];
  }

  checkResubmit(declaration: Declaration): void {
    this.checkNotEnded();
    this.checkNoIncident();
    if (this.status !== 'AWAITING_CORRECTION') {
      throw new Rejection(`No form was returned: the crossing is ${this.describeWait()}.`);
    }
    if (declaration.gate !== this.declaration?.gate) {
      throw new Rejection(`A resubmitted form keeps its gate (${this.declaration?.gate}); cancel and declare again to change it.`);
    }
  }

  /**
   * A corrected form after a RETURN: a new version (the old ones are kept by the read model), and the step that
   * returned it waits again. Earlier approvals stand; steps not yet reached are re-evaluated against the new form.
   */
  resubmitDeclaration(declaration: Declaration, actor: Actor, now: Date): Effect[] {
    this.checkResubmit(declaration);
    const at = now.toISOString();
    const changed = changedPaths(this.declaration, declaration);
    this.declaration = declaration;
    this.declarationVersion += 1;
    this.lastSubmission = { by: actor.accountId, at };
    this.category = categoryOf(declaration);
    const open = this.returns[this.returns.length - 1];
    open.resolvedByVersion = this.declarationVersion;
    open.changed = changed;
    this.applicability();
    const returned = this.steps.find((s) => s.status === 'RETURNED')!;
    this.status = 'IN_PROGRESS';
    this.startWait(returned, now);
    this.event(now, 'DECLARATION_RESUBMITTED', { step: returned.step, actor, data: { version: this.declarationVersion, changed } });
    return [];
  }

  // ---- deciding --------------------------------------------------------------------------------------------

  /** Refuses a decision that does not fit now: wrong role, a step not waiting, a second decision, an ended crossing. */
  checkDecision(step: DecisionStep, decision: Decision, actor: Actor): void {
    this.checkNotEnded();
    this.checkNoIncident();
    const owner = STEP_OWNER[step];
    if (actor.role !== owner) throw new Rejection(`The ${step} step is decided by ${owner}, not ${actor.role}.`);
    const view = this.step(step);
    const current = this.current;
    if (current?.step !== step || view.status === 'RETURNED') {
      const already = view.status === 'APPROVED' || view.status === 'DENIED' || view.status === 'SKIPPED';
      throw new Rejection(
        already
          ? `The ${step} step is already ${view.status}; the crossing is ${this.describeWait()}.`
          : `The ${step} step is not waiting for a decision; the crossing is ${this.describeWait()}.`,
      );
    }
    if (step === 'transshipment' && this.transshipment?.stage !== 'APPROVAL') {
      throw new Rejection(`The transshipment is not waiting for customs approval; the crossing is ${this.describeWait()}.`);
    }
    if (step === 'fee-payment' && decision.outcome === 'APPROVE' && !decision.receiptNo) {
      throw new Rejection('A direct payment is confirmed with its receipt number (receiptNo).');
    }
  }

  decide(step: DecisionStep, decision: Decision, actor: Actor, now: Date): Effect[] {
    this.checkDecision(step, decision, actor);
    const view = this.step(step);
    const at = now.toISOString();
    this.event(now, 'DECISION', {
      step,
      actor,
      data: { outcome: decision.outcome, reason: decision.reason, fields: decision.fields, receiptNo: decision.receiptNo },
    });

    if (decision.outcome === 'DENY') {
      Object.assign(view, { status: 'DENIED', decidedAt: at, decidedBy: actor.accountId, reason: decision.reason });
      this.end('DENIED', now);
      return [];
    }

    if (decision.outcome === 'RETURN') {
      const fields: FieldError[] = decision.fields ?? [];
      Object.assign(view, { status: 'RETURNED', decidedAt: at, decidedBy: actor.accountId, reason: decision.reason, fields });
      this.returns.push({ step, reason: decision.reason!, fields, at });
      this.status = 'AWAITING_CORRECTION';
      // The declarant's wait has its own clock: abandoned corrections end the crossing at `expireAfter`.
      this.startWait(view, now, 'RETURNED');
      return [{ kind: 'ISSUE_DOCUMENT', document: 'return-notice', seq: this.returns.length }];
    }

    // APPROVE
    Object.assign(view, { decidedAt: at, decidedBy: actor.accountId, reason: decision.reason, fields: undefined });
    if (step === 'transshipment') {
      // Customs approved the transfer; the step completes when the yard operator confirms it was carried out.
      Object.assign(this.transshipment!, { stage: 'COMPLETION', approvedAt: at, approvedBy: actor.accountId });
      view.stage = 'COMPLETION';
      this.touch(now);
      return [];
    }
    view.status = 'APPROVED';
    if (step === 'fee-payment') {
      // A direct payment, confirmed by the collector with its receipt number.
      const effects = this.paid(decision.receiptNo!, now);
      return [{ kind: 'RECORD_DIRECT_PAYMENT', receiptNo: decision.receiptNo! }, ...effects];
    }
    if (step === 'border-entry') {
      // Registered before the reservation runs: a crash between the two still releases whatever was reserved.
      this.undoStack.push('RELEASE_YARD_PLACE', 'ISSUE_TURN_BACK_ORDER');
      const effects: Effect[] = [{ kind: 'RESERVE_YARD_PLACE' }];
      this.openNextStep(now);
      return effects;
    }
    if (step === 'border-exit') {
      // The truck has left: nothing to turn back, and its yard place is free again.
      this.undoStack = [];
      this.end('CLEARED', now);
      return [{ kind: 'RELEASE_YARD_PLACE' }, { kind: 'ISSUE_DOCUMENT', document: 'gate-pass', seq: 1 }];
    }
    this.openNextStep(now);
    return [];
  }

  // ---- online payment ---------------------------------------------------------------------------------------

  // Not refused during an incident: the money has moved at the provider, and refusing would refund it.
  checkOnlinePayment(amountVnd: number): void {
    this.checkNotEnded();
    if (this.current?.step !== 'fee-payment' || this.current.status === 'RETURNED') {
      throw new Rejection(`The fee is not waiting for payment; the crossing is ${this.describeWait()}.`);
    }
    if (!this.fee || this.fee.status !== 'DUE') throw new Rejection('There is no fee due.');
    if (amountVnd !== this.fee.amountVnd)
      throw new Rejection(`The payment of ${amountVnd} VND does not match the fee of ${this.fee.amountVnd} VND.`);
  }

  /** The payment provider confirmed an online payment of the whole fee. */
  payOnline(providerRef: string, amountVnd: number, actor: Actor, now: Date): Effect[] {
    this.checkOnlinePayment(amountVnd);
    const view = this.step('fee-payment');
    Object.assign(view, { status: 'APPROVED', decidedAt: now.toISOString(), decidedBy: actor.accountId, receiptNo: providerRef });
    this.event(now, 'PAYMENT', { step: 'fee-payment', actor, data: { method: 'ONLINE', providerRef, amountVnd } });
    return [{ kind: 'RECORD_ONLINE_PAYMENT' }, ...this.paid(providerRef, now)];
  }

  /** The fee is paid: a refund is owed if the crossing ends early, a receipt is issued, the next step opens. */
  private paid(receiptNo: string, now: Date): Effect[] {
    this.step('fee-payment').receiptNo = receiptNo;
    if (this.fee) this.fee = { ...this.fee, status: 'PAID', receiptNo };
    this.undoStack.push('REFUND_FEE');
    this.openNextStep(now);
    return [{ kind: 'ISSUE_DOCUMENT', document: 'fee-receipt', seq: 1 }];
  }

  // ---- transshipment ---------------------------------------------------------------------------------------

  checkRegisterTransshipment(): void {
    this.checkNotEnded();
    this.checkNoIncident();
    if (this.current?.step !== 'transshipment' || this.transshipment?.stage !== 'REGISTRATION') {
      throw new Rejection(`The transshipment is not waiting for registration; the crossing is ${this.describeWait()}.`);
    }
  }

  registerTransshipment(yardCode: string, toVehicle: TransferVehicle, actor: Actor, now: Date): Effect[] {
    this.checkRegisterTransshipment();
    const at = now.toISOString();
    Object.assign(this.transshipment!, { stage: 'APPROVAL', yardCode, toVehicle, registeredAt: at });
    this.step('transshipment').stage = 'APPROVAL';
    this.undoStack.push('CANCEL_TRANSSHIPMENT_BOOKING');
    this.event(now, 'TRANSSHIPMENT_REGISTERED', { step: 'transshipment', actor, data: { yardCode } });
    this.touch(now);
    return [{ kind: 'BOOK_TRANSSHIPMENT', yardCode, toVehicle }];
  }

  checkCompleteTransshipment(actor: Actor): void {
    this.checkNotEnded();
    this.checkNoIncident();
    if (actor.role !== 'YARD_OPERATOR') throw new Rejection(`A transshipment is confirmed by YARD_OPERATOR, not ${actor.role}.`);
    if (this.current?.step !== 'transshipment' || this.transshipment?.stage !== 'COMPLETION') {
      throw new Rejection(`The transshipment is not waiting for the yard's confirmation; the crossing is ${this.describeWait()}.`);
    }
  }

  completeTransshipment(note: string | undefined, actor: Actor, now: Date): Effect[] {
    this.checkCompleteTransshipment(actor);
    const at = now.toISOString();
    Object.assign(this.transshipment!, { completedAt: at, completedBy: actor.accountId, note });
    const view = this.step('transshipment');
    Object.assign(view, { status: 'APPROVED', decidedAt: at, decidedBy: actor.accountId });
    delete view.stage;
    this.event(now, 'TRANSSHIPMENT_COMPLETED', { step: 'transshipment', actor, data: { note } });
    this.openNextStep(now);
    return [];
  }

  // ---- ending early ----------------------------------------------------------------------------------------

  checkCancel(): void {
    this.checkNotEnded();
  }

  cancel(reason: string, actor: Actor, now: Date): Effect[] {
    this.checkCancel();
    this.event(now, 'CANCEL_REQUESTED', { step: this.current?.step, actor, data: { reason } });
    this.end('CANCELLED', now);
    return [];
  }

  /** The undo actions still to run, newest first; empty for a crossing that cleared or has nothing to undo. */
  pendingUndos(): UndoAction[] {
    if (this.compensated || this.status === 'CLEARED' || !this.ended) return [];
    const done = new Set(this.compensations.map((c) => c.action));
    return [...this.undoStack].reverse().filter((a) => !done.has(a));
  }

  /** Records one undo as carried out; its step becomes COMPENSATED once all of that step's undos ran. */
  recordCompensation(action: UndoAction, now: Date, document?: { kind: string; url: string }): void {
    const at = now.toISOString();
    this.compensations.push({ action, status: 'DONE', at });
    if (document) this.recordDocument(document);
    if (action === 'REFUND_FEE' && this.fee) this.fee = { ...this.fee, status: 'REFUNDED' };
    const step = UNDO_STEP[action];
    const open = this.undoStack.filter((a) => UNDO_STEP[a] === step && !this.compensations.some((c) => c.action === a));
    if (open.length === 0) this.step(step).status = 'COMPENSATED';
    this.event(now, 'COMPENSATION', { step, data: { action } });
    if (this.pendingUndos().length === 0) this.compensated = true;
    this.touch(now);
  }

  // ---- deadlines -------------------------------------------------------------------------------------------

  /** Sets the waiting step's deadlines from the policy in force, counted from when its wait began. */
  armDeadlines(step: DecisionStep, policy: DeadlinePolicy, now: Date, reason: 'STARTED' | 'POLICY_CHANGED' = 'STARTED'): boolean {
    const view = this.current;
    if (!view || view.step !== step || !view.startedAt) return false;
    const start = Date.parse(view.startedAt);
    const unchanged =
      view.policyVersion === policy.version &&
      view.slaAt === new Date(start + policy.slaMs).toISOString() &&
      view.expiresAt === new Date(start + policy.expireAfterMs).toISOString();
    if (unchanged) return false;
    view.slaAt = new Date(start + policy.slaMs).toISOString();
    view.expiresAt = new Date(start + policy.expireAfterMs).toISOString();
    view.policyVersion = policy.version;
    // A longer SLA lifts an OVERDUE mark that no longer holds.
    if (view.status === 'OVERDUE' && Date.parse(view.slaAt) > now.getTime()) view.status = 'WAITING';
    this.event(now, reason === 'STARTED' ? 'DEADLINES_ARMED' : 'DEADLINES_REARMED', {
      step,
      data: { slaAt: view.slaAt, expiresAt: view.expiresAt, policyVersion: policy.version },
    });
    this.touch(now);
    return true;
  }

  /** Applies every deadline that has passed by `now`: OVERDUE (an escalation), or EXPIRED (the crossing ends). */
  fireDeadlines(now: Date): Effect[] {
    const view = this.current;
    if (!view?.expiresAt) return [];
    const t = now.getTime();
    if (t >= Date.parse(view.expiresAt)) {
      this.event(now, 'DEADLINE_EXPIRED', { step: view.step, data: { expiresAt: view.expiresAt } });
      this.end('EXPIRED', now);
      return [];
    }
    if (view.status === 'WAITING' && view.slaAt && t >= Date.parse(view.slaAt)) {
      view.status = 'OVERDUE';
      this.event(now, 'OVERDUE', { step: view.step, data: { slaAt: view.slaAt } });
      this.touch(now);
      return [{ kind: 'ESCALATE_OVERDUE', step: view.step as DecisionStep, slaAt: view.slaAt }];
    }
    return [];
  }

  // ---- internals -------------------------------------------------------------------------------------------

  private step(step: Step): StepWait {
    return this.steps.find((s) => s.step === step)!;
  }

  private checkNotEnded(): void {
    if (!this.submitted) throw new Rejection('The crossing has no declaration yet.');
    if (this.ended) throw new Rejection(`The crossing has ended: it is ${this.status}.`);
  }

  /** No new decision while a side effect waits for an admin's retry: it would build on work not done. */
  private checkNoIncident(): void {
    if (this.incident) {
      throw new Rejection(`The crossing has an incident (${this.incident.message}); an admin retries it once its cause is fixed.`);
    }
  }

  /** A sentence for 409 answers: what the crossing waits for now. */
  describeWait(): string {
    if (this.ended) return this.status;
    const current = this.current;
    if (!current) return 'not waiting for anything';
    if (current.status === 'RETURNED') return `waiting for the declarant to correct the form returned at ${current.step}`;
    if (current.step === 'transshipment' && this.transshipment) {
      const who = {
        REGISTRATION: 'the declarant to register the transfer',
        APPROVAL: 'customs to approve the transfer',
        COMPLETION: "the yard operator's confirmation",
      };
      return `waiting at transshipment for ${who[this.transshipment.stage]}`;
    }
    return `waiting at ${current.step} for ${STEP_OWNER[current.step as DecisionStep]}`;
  }

  /** Steps not yet reached follow the current form: quarantine and transshipment apply or not. */
  private applicability(): void {
    for (const view of this.steps) {
      if (view.status !== 'PENDING' && view.status !== 'SKIPPED') continue;
      view.status = stepApplies(view.step, this.declaration!) ? 'PENDING' : 'SKIPPED';
    }
  }

  private openNextStep(now: Date): void {
    const next = this.steps.find((s) => s.status === 'PENDING');
    if (next) {
      this.startWait(next, now);
      if (next.step === 'transshipment') next.stage = this.transshipment?.stage;
    }
    this.touch(now);
  }

  /** A step starts (or restarts) a wait: its clock begins now and its deadlines are loaded afresh. */
  private startWait(view: StepWait, now: Date, status: 'WAITING' | 'RETURNED' = 'WAITING'): void {
    view.status = status;
    view.startedAt = now.toISOString();
    delete view.slaAt;
    delete view.expiresAt;
    if (status === 'WAITING') {
      delete view.decidedAt;
      delete view.decidedBy;
      delete view.reason;
      delete view.fields;
    }
    this.event(now, status === 'WAITING' ? 'STEP_STARTED' : 'RETURNED', { step: view.step });
    this.touch(now);
  }

  private end(status: CrossingStatus, now: Date): void {
    this.status = status;
    this.endedAt = now.toISOString();
    if (status === 'CLEARED') this.compensated = true;
    // Ended early, the work still pending for going forward is moot: each such effect registered its undo before it
    // was queued, and compensation undoes what did happen (undos are no-ops for what did not). An incident about that
    // work is closed with it; compensation raises its own if it fails.
    if (status !== 'CLEARED') {
      this.pendingEffects = [];
      if (this.incident) this.event(now, 'INCIDENT_CLOSED', { data: { reason: `the crossing ended ${status}` } });
      this.incident = null;
    }
    // Every step of an ended crossing is final: the one it waited at ends with it, those never reached are skipped.
    for (const view of this.steps) {
      if (view.status === 'PENDING') view.status = 'SKIPPED';
      else if (view.status === 'WAITING' || view.status === 'OVERDUE' || view.status === 'RETURNED') {
        view.status = status === 'EXPIRED' ? 'EXPIRED' : 'CANCELLED';
      }
    }
    this.event(now, 'ENDED', { data: { status } });
    this.touch(now);
  }

  private touch(now: Date): void {
    this.revision++;
    this.updatedAt = now.toISOString();
  }

  private event(now: Date, type: string, rest: Omit<CrossingEvent, 'seq' | 'at' | 'type'>): void {
    this.events.push({ seq: this.nextSeq++, at: now.toISOString(), type, ...rest });
  }
}
