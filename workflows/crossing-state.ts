import { categoryOf, type Category } from '../domain/category';
import { UNDO_STEP, type UndoAction } from '../domain/compensation';
import type { CrossingEvent } from '../domain/crossing-events';
import type { ApproachingSignal } from '../domain/crossing-messages';
import type { Actor, CrossingView, FieldError, Incident, ReturnRecord } from '../domain/crossing-view';
import { ENDED_STATUSES, type CrossingStatus } from '../domain/crossing-status';
import { armedData, type DeadlinePolicy } from '../domain/deadline-policy';
import type { Decision } from '../domain/decision';
import type { Arrival } from '../domain/gate-points';
import { DEFAULT_CUSTOMS_CHANNEL, type CustomsChannel } from '../domain/customs-channel';
import { decisionProblem } from '../domain/decision-rules';
import { changedPaths } from '../domain/declaration-diff';
import type { Declaration } from '../domain/declaration';
import { DOCUMENT_KINDS, type DocumentKind } from '../domain/documents';
import type { Invoice } from '../domain/fee-tariff';
import { STEP_OWNER, STEPS, stepApplies, type DecisionStep, type Step } from '../domain/steps';
import type { TransferVehicle } from '../domain/transshipment';
import { documentUrl, invoiceIssued, INVOICE_TO_COME, type SideEffect, type WorkOutcomes } from '../domain/crossing-work';
import { CompensationLedger } from './compensation-ledger';
import { arm, nextDeadline, passed, type StepWait } from './step-deadlines';
import { TransshipmentProgress } from './transshipment-progress';
import { describeWait } from '../domain/wait-sentence';
import type { QueueNotice, QueueStatus } from '../domain/queue';

export interface CrossingStart {
  crossingId: string;
  declarantAccountId: string;
  /** The gate keeps a queue: the crossing joins it when declared, and its step deadlines start at its call. */
  queued?: boolean;
}

/** The crossing's entry in its gate's queue, as the dispatcher last told it (`seq` numbers what it was told). */
export interface QueueEntry {
  status: QueueStatus;
  seq: number;
  calledAt: string | null;
  arriveBy: string | null;
  noShows: number;
}

/**
 * Work a transition asks the workflow to carry out (activities), in order. Transitions return their own side effects;
 * `queue` adds the follow-ups every change may need: the invoice of a fee step that opened, the deadlines of a step
 * that began to wait, the undos of an early end, and the read-model write.
 */
export type Effect = SideEffect | { kind: 'ARM_DEADLINES'; step: DecisionStep; reason: 'STARTED' | 'POLICY_CHANGED' } | { kind: 'PUBLISH' };

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
 * in the workflow history. Its parts live beside it: the transfer's stages (transshipment-progress.ts), the undos
 * (compensation-ledger.ts), the deadlines as data (step-deadlines.ts), the sentences of a 409 (domain/wait-sentence.ts).
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
  transshipment: TransshipmentProgress | undefined;
  readonly compensation = new CompensationLedger();
  documents: { kind: DocumentKind; url: string }[] = [];
  fee: CrossingView['fee'] = null;
  createdAt: string | undefined;
  updatedAt: string | undefined;
  endedAt: string | undefined;
  /** The yard place reserved at border-entry approval. */
  yardCode: string | undefined;
  /** Customs' channel and who set it; undefined is RED (physical inspection) until customs says otherwise. */
  customsChannel: { channel: CustomsChannel; setBy: string } | undefined;
  /** Where the gate's devices saw the truck, one entry per arrival (the API collapses repeated reads). */
  arrivals: Arrival[] = [];
  /** When the truck first entered its gate's approach corridor (its driver's phone said so). */
  approachedAt: string | undefined;
  /** Its place in the gate's queue; undefined where the gate keeps none. */
  queueEntry: QueueEntry | undefined;
  private readonly queued: boolean;
  /** Grows with every change, so the workflow knows to re-read the nearest deadline. */
  revision = 0;
  /** A side effect that failed for good; until an admin retries it the crossing takes no new decision (cancel aside). */
  incident: Incident | null = null;
  private incidentRetries = 0;
  /** Work asked for and not yet carried out, oldest first; each is dropped only once it has succeeded. */
  private pendingEffects: Effect[] = [];
  private events: CrossingEvent[] = [];
  private nextSeq = 1;

  constructor(start: CrossingStart) {
    this.id = start.crossingId;
    this.declarantAccountId = start.declarantAccountId;
    this.queued = start.queued === true;
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

  private get endedEarly(): boolean {
    return this.ended && this.status !== 'CLEARED';
  }

  /** The step the crossing waits at (for an agency or, when RETURNED, for the declarant), or undefined once ended. */
  get current(): StepWait | undefined {
    if (this.ended) return undefined;
    return this.steps.find((s) => s.status === 'WAITING' || s.status === 'OVERDUE' || s.status === 'RETURNED');
  }

  /** The registered undos, in the order registered. */
  get undoStack(): readonly UndoAction[] {
    return this.compensation.actions;
  }

  /** The undos still to run, newest first; empty for a crossing that cleared or has nothing to undo. */
  pendingUndos(): UndoAction[] {
    return this.compensation.pending(this.endedEarly);
  }

  /**
   * Whether the steps' clocks run: always where the gate keeps no queue; from its call (or its arrival, when an
   * officer admitted it uncalled) where it does. A truck waiting for its call is never overdue.
   */
  get clockRunning(): boolean {
    return !this.queueEntry || this.queueEntry.status === 'CALLED' || this.queueEntry.status === 'ARRIVED';
  }

  /** The nearest deadline not yet fired, as epoch milliseconds. */
  nextDeadline(): number | undefined {
    return nextDeadline(this.current);
  }

  /** A sentence for 409 answers: what the crossing waits for now. */
  describeWait(): string {
    return describeWait({ status: this.status, current: this.current, transshipmentStage: this.transshipment?.stage });
  }

  view(): CrossingView {
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
      compensations: this.compensation.entries(this.endedEarly, this.endedAt),
      documents: this.documents.map((d) => ({ ...d })),
      ...(this.transshipment ? { transshipment: this.transshipment.view() } : {}),
      ...(this.yardCode ? { yardCode: this.yardCode } : {}),
      customsChannel: this.customsChannel?.channel ?? DEFAULT_CUSTOMS_CHANNEL,
      arrivals: this.arrivals.map((a) => ({ ...a })),
      // Its position and estimated call are the queue's, not the crossing's: the API adds them (api/routes/queue.ts).
      queue: this.queueEntry
        ? {
            status: this.queueEntry.status,
            position: null,
            estimatedCallAt: null,
            arriveBy: this.queueEntry.status === 'CALLED' ? this.queueEntry.arriveBy : null,
          }
        : null,
      incident: this.incident && { ...this.incident },
      createdAt: this.createdAt,
      updatedAt: this.updatedAt,
    };
  }

  // ---- the work a change asks for ----------------------------------------------------------------------------

  /**
   * Queues a transition's side effects, then the follow-ups the crossing now needs, each once: the invoice of a fee
   * step that opened, the deadlines of a step that began to wait, the undos of an early end (newest first), and the
   * read-model write last (unless `publish` is false: a re-arming asks for it only if it changed something). The
   * workflow carries them out in this order (`nextEffect`, `effectDone`).
   */
  queue(effects: Effect[], opts: { publish: boolean } = { publish: true }): void {
    const queued = (kind: Effect['kind'], match: (e: Effect) => boolean = () => true) =>
      this.pendingEffects.some((e) => e.kind === kind && match(e));
    // The read-model write goes last, after all the work there is, wherever an earlier one was waiting.
    const publish = opts.publish || queued('PUBLISH');
    this.pendingEffects = [...this.pendingEffects.filter((e) => e.kind !== 'PUBLISH'), ...effects];
    if (this.current?.step === 'fee-payment' && this.fee === null && !queued('ISSUE_INVOICE')) {
      this.pendingEffects.push({ kind: 'ISSUE_INVOICE' });
    }
    const current = this.current;
    const armingQueued = queued('ARM_DEADLINES', (e) => e.kind === 'ARM_DEADLINES' && e.step === current?.step);
    if (current && current.step !== 'declaration' && !current.expiresAt && !armingQueued && this.clockRunning) {
      this.pendingEffects.push({ kind: 'ARM_DEADLINES', step: current.step, reason: 'STARTED' });
    }
    for (const action of this.pendingUndos()) {
      if (!queued('UNDO', (e) => e.kind === 'UNDO' && e.action === action)) this.pendingEffects.push({ kind: 'UNDO', action });
    }
    if (publish) this.pendingEffects.push({ kind: 'PUBLISH' });
  }

  get nextEffect(): Effect | undefined {
    return this.pendingEffects[0];
  }

  effectDone(): void {
    this.pendingEffects.shift();
  }

  /** Nothing left to do: no work pending, no undo to run, no incident waiting for an admin. */
  get settled(): boolean {
    return this.pendingEffects.length === 0 && this.pendingUndos().length === 0 && this.incident === null;
  }

  /** History events not yet in the read model, oldest first. */
  unrecordedEvents(): CrossingEvent[] {
    return [...this.events];
  }

  /** The first `count` events are in the read model now. */
  eventsRecorded(count: number): void {
    this.events = this.events.slice(count);
  }

  setInvoice(invoice: Pick<Invoice, 'amountVnd' | 'collector'>, now: Date): void {
    const issued = invoiceIssued(invoice);
    this.fee = issued.fee;
    this.event(now, 'INVOICE_ISSUED', { step: 'fee-payment', data: issued.data });
    this.touch(now);
  }

  /** The work asked for and not yet carried out, oldest first. */
  pendingWork(): Effect[] {
    return [...this.pendingEffects];
  }

  /** The first `count` pieces of work are carried out. */
  workDone(count: number): void {
    this.pendingEffects = this.pendingEffects.slice(count);
  }

  /**
   * A copy to try the pending work on: the view and history the crossing will have once it succeeded, computed before
   * it runs, for the one call that carries it out and writes them (workflows/crossing.ts `settle`).
   */
  preview(): CrossingState {
    return copyOf(this);
  }

  /**
   * What carrying out one piece of work changes here: on a preview before the work runs (with outcomes not yet known:
   * the write puts them in, domain/crossing-work.ts `withOutcomes`), and on the crossing itself once it succeeded,
   * with the same `now`, so both end with the same view. Answers whether the view changed (a re-arming may not).
   */
  carriedOut(effect: Effect, outcomes: WorkOutcomes, now: Date, policyFor: (step: DecisionStep) => DeadlinePolicy): boolean {
    switch (effect.kind) {
      case 'RESERVE_YARD_PLACE':
        this.yardCode = outcomes.yardCode;
        return true;
      case 'ISSUE_INVOICE':
        this.setInvoice(outcomes.invoice ?? INVOICE_TO_COME, now);
        return true;
      case 'ISSUE_DOCUMENT':
        this.recordDocument({ kind: effect.document, url: documentUrl(this.id, effect.document) });
        return true;
      case 'ARM_DEADLINES':
        return this.armDeadlines(effect.step, policyFor(effect.step), now, effect.reason);
      case 'UNDO':
        this.recordCompensation(
          effect.action,
          now,
          effect.action === 'ISSUE_TURN_BACK_ORDER' ? { kind: 'turn-back-order', url: documentUrl(this.id, 'turn-back-order') } : undefined,
        );
        return true;
      default:
        return true;
    }
  }

  /** A document issued for the crossing; a later one of the same kind replaces the earlier in the list. */
  recordDocument(document: { kind: string; url: string }): void {
    const kind = DOCUMENT_KINDS.find((k) => k === document.kind);
    if (!kind) throw new Error(`not a document kind: ${document.kind}`);
    this.documents = [...this.documents.filter((d) => d.kind !== kind), { kind, url: document.url }];
  }

  // ---- incidents -------------------------------------------------------------------------------------------

  /**
   * A side effect failed for good: the crossing keeps its state and the work still to do, and says what failed. It is
   * held where it stands: no decision is taken until an admin retries, and the work still queued (a step's deadlines
   * among it) is carried out then, so a held truck does not run out of time for a fault that is not its own.
   */
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
    if (this.queued) {
      this.queueEntry = { status: 'WAITING', seq: 1, calledAt: null, arriveBy: null, noShows: 0 };
      this.event(now, 'QUEUE_JOINED', { data: { direction: declaration.direction, priority: declaration.priority !== null } });
    }
    this.applicability();
    if (declaration.transshipment) this.transshipment = new TransshipmentProgress();
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
    // Recorded before the step waits again: a green channel passes customs-inspection at once, after the resubmission.
    this.event(now, 'DECLARATION_RESUBMITTED', { step: returned.step, actor, data: { version: this.declarationVersion, changed } });
    this.startWait(returned, now);
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
    if (this.current?.step !== step || view.status === 'RETURNED') {
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
    const problem = decisionProblem(step, decision);
    if (problem) throw new Rejection(problem.sentence);
  }

  decide(step: DecisionStep, decision: Decision, actor: Actor, now: Date): Effect[] {
    const effects = this.applyDecision(step, decision, actor, now);
    // The guard decided the truck at the border entry, whatever the outcome: it stands there, called or not, and the
    // queue has no further say. The queue hears it before the read-model write, so no no-show can follow.
    if (step === 'border-entry' && this.queueArrived(now, 'border-entry')) return [{ kind: 'RECORD_QUEUE_ARRIVAL' }, ...effects];
    return effects;
  }

  private applyDecision(step: DecisionStep, decision: Decision, actor: Actor, now: Date): Effect[] {
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
      this.transshipment!.approve(actor, at);
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
      this.compensation.register('RELEASE_YARD_PLACE', 'ISSUE_TURN_BACK_ORDER');
      this.openNextStep(now);
      return [{ kind: 'RESERVE_YARD_PLACE' }];
    }
    if (step === 'border-exit') {
      // The truck has left: nothing to turn back, and its yard place is free again.
      this.compensation.forgetAll();
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
    this.compensation.register('REFUND_FEE');
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
    this.transshipment!.register(yardCode, toVehicle, now.toISOString());
    this.step('transshipment').stage = 'APPROVAL';
    this.compensation.register('CANCEL_TRANSSHIPMENT_BOOKING');
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
    this.transshipment!.complete(note, actor, at);
    const view = this.step('transshipment');
    Object.assign(view, { status: 'APPROVED', decidedAt: at, decidedBy: actor.accountId });
    delete view.stage;
    this.event(now, 'TRANSSHIPMENT_COMPLETED', { step: 'transshipment', actor, data: { note } });
    this.openNextStep(now);
    return [];
  }

  // ---- the gate floor -------------------------------------------------------------------------------------

  /** Customs sets the channel while its inspection is still ahead or waiting; once decided the channel is history. */
  checkCustomsChannel(actor: Actor): void {
    this.checkNotEnded();
    this.checkNoIncident();
    if (actor.role !== 'CUSTOMS_OFFICER') throw new Rejection(`The customs channel is set by CUSTOMS_OFFICER, not ${actor.role}.`);
    const inspection = this.step('customs-inspection');
    if (
      inspection.status !== 'PENDING' &&
      inspection.status !== 'WAITING' &&
      inspection.status !== 'OVERDUE' &&
      inspection.status !== 'RETURNED'
    ) {
      throw new Rejection(`The customs-inspection step is already ${inspection.status}; the channel can no longer change.`);
    }
  }

  /**
   * GREEN: customs-inspection passes as a system decision when the crossing reaches it (at once, if it waits there
   * now). YELLOW and RED: the step waits for an officer. The history names the account that set the channel.
   */
  setCustomsChannel(channel: CustomsChannel, source: string | undefined, actor: Actor, now: Date): Effect[] {
    this.checkCustomsChannel(actor);
    this.customsChannel = { channel, setBy: actor.accountId };
    this.event(now, 'CUSTOMS_CHANNEL_SET', { step: 'customs-inspection', actor, data: { channel, source } });
    this.touch(now);
    this.passGreenChannel(now);
    return [];
  }

  /**
   * A plate read matched to this crossing: the truck was seen at a point of the gate. Kept once per read (the API may
   * deliver a read twice), and kept after the crossing ended too: the exit barrier reads a cleared truck.
   */
  recordArrival(arrival: Arrival, now: Date): boolean {
    if (!this.submitted || this.arrivals.some((a) => a.eventId === arrival.eventId)) return false;
    this.arrivals.push({ ...arrival });
    this.event(now, 'ARRIVED', {
      step: this.current?.step,
      data: { point: arrival.point, at: arrival.at, device: arrival.device, eventId: arrival.eventId, confirmedBy: arrival.confirmedBy },
    });
    // A called truck read entering the gate has arrived; one not called is held at the barrier until the guard admits it.
    if (this.queueEntry?.status === 'CALLED' && (arrival.point === 'YARD_ENTRY' || arrival.point === 'BARRIER_ENTRY')) {
      this.queueArrived(now, arrival.point);
    }
    this.touch(now);
    return true;
  }

  /**
   * The truck's first position in the approach corridor: one history line, `APPROACHING`, however many positions
   * follow. It changes nothing else: the queue and the steps go by calls and arrivals at the gate. Answers whether
   * anything changed.
   */
  recordApproaching(approach: ApproachingSignal, now: Date): boolean {
    if (!this.submitted || this.ended || this.approachedAt !== undefined) return false;
    this.approachedAt = approach.at;
    this.event(now, 'APPROACHING', { step: this.current?.step, data: { at: approach.at, segment: approach.segment } });
    this.touch(now);
    return true;
  }

  // ---- the queue ------------------------------------------------------------------------------------------------

  /**
   * The dispatcher's word on the crossing's queue entry (a numbered state; an older or repeated one is ignored, and so
   * is everything once the truck has arrived: from then on the queue has no say). Called: the truck has until
   * `arriveBy`, and the waiting step's clock starts now. A no-show waits at the back again, its clock stopped.
   * Expired: it missed its last call, or waited past the gate's longest wait; the crossing ends and compensation runs.
   * Answers whether anything changed.
   */
  applyQueueNotice(notice: QueueNotice, now: Date): boolean {
    const entry = this.queueEntry;
    if (!entry || this.ended || notice.seq <= entry.seq) return false;
    entry.seq = notice.seq;
    if (entry.status === 'ARRIVED') return false;
    const current = this.current;
    switch (notice.status) {
      case 'CALLED': {
        if (entry.status === 'CALLED' && entry.calledAt === notice.calledAt) {
          // The same call with a new deadline to arrive (the gate reopened after a closure).
          entry.arriveBy = notice.arriveBy;
          this.event(now, 'QUEUE_ARRIVE_BY_CHANGED', { step: current?.step, data: { arriveBy: notice.arriveBy } });
          break;
        }
        Object.assign(entry, { status: 'CALLED', calledAt: notice.calledAt, arriveBy: notice.arriveBy, noShows: notice.noShows });
        this.event(now, 'QUEUE_CALLED', { step: current?.step, data: { calledAt: notice.calledAt, arriveBy: notice.arriveBy } });
        // The waiting step's clock starts at the call (or when the step began, if later: the notice may come late);
        // its deadlines are armed from then (`queue`). A returned form's clock is the declarant's, and stays as it is.
        if (current && current.status !== 'RETURNED' && notice.calledAt) {
          if (!current.startedAt || Date.parse(current.startedAt) < Date.parse(notice.calledAt)) current.startedAt = notice.calledAt;
          this.stopClock(current);
        }
        break;
      }
      case 'WAITING':
        // The gate closed before the truck came: its call is withdrawn, and it waits in its place, its clock stopped.
        if (entry.status !== 'CALLED') return false;
        Object.assign(entry, { status: 'WAITING', arriveBy: null });
        this.event(now, 'QUEUE_CALL_WITHDRAWN', { step: current?.step });
        if (current && current.status !== 'RETURNED') this.stopClock(current);
        break;
      case 'NO_SHOW':
        Object.assign(entry, { status: 'NO_SHOW', arriveBy: null, noShows: notice.noShows });
        this.event(now, 'QUEUE_NO_SHOW', { step: current?.step, data: { noShows: notice.noShows } });
        if (current) this.stopClock(current);
        break;
      case 'EXPIRED':
        this.event(now, 'QUEUE_EXPIRED', { step: current?.step, data: { reason: notice.reason, noShows: notice.noShows } });
        this.end('EXPIRED', now);
        break;
      case 'ARRIVED':
        this.queueArrived(now, 'gate');
        break;
    }
    this.touch(now);
    return true;
  }

  /**
   * The truck is at the gate: the queue has no further say, and the steps' clocks run from now if not already.
   * Answers whether it had not arrived before.
   */
  private queueArrived(now: Date, by: string): boolean {
    const entry = this.queueEntry;
    if (!entry || entry.status === 'ARRIVED') return false;
    const called = entry.status === 'CALLED';
    Object.assign(entry, { status: 'ARRIVED', arriveBy: null });
    this.event(now, 'QUEUE_ARRIVED', { step: this.current?.step, data: { by, called } });
    const current = this.current;
    if (!called && current && current.status !== 'RETURNED') {
      current.startedAt = now.toISOString();
      this.stopClock(current);
    }
    return true;
  }

  /** Takes a waiting step's deadlines off, to be armed again when its clock (re)starts. */
  private stopClock(view: StepWait): void {
    delete view.slaAt;
    delete view.expiresAt;
    delete view.policyVersion;
    if (view.status === 'OVERDUE') view.status = 'WAITING';
  }

  /** A green-channel crossing waiting at customs-inspection passes it: a system decision, no officer. */
  private passGreenChannel(now: Date): void {
    const view = this.current;
    if (this.customsChannel?.channel !== 'GREEN' || view?.step !== 'customs-inspection' || view.status === 'RETURNED') return;
    const at = now.toISOString();
    const reason = 'Green channel: no inspection.';
    Object.assign(view, { status: 'APPROVED', decidedAt: at, decidedBy: 'system', reason });
    delete view.slaAt;
    delete view.expiresAt;
    this.event(now, 'DECISION', {
      step: 'customs-inspection',
      data: { outcome: 'APPROVE', reason, channel: 'GREEN', channelSetBy: this.customsChannel.setBy },
    });
    this.openNextStep(now);
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

  /** Records one undo as carried out; its step becomes COMPENSATED once all of that step's undos ran. */
  recordCompensation(action: UndoAction, now: Date, document?: { kind: string; url: string }): void {
    const completed = this.compensation.record(action, now.toISOString());
    if (document) this.recordDocument(document);
    if (action === 'REFUND_FEE' && this.fee) this.fee = { ...this.fee, status: 'REFUNDED' };
    if (completed) this.step(completed).status = 'COMPENSATED';
    this.event(now, 'COMPENSATION', { step: UNDO_STEP[action], data: { action } });
    this.touch(now);
  }

  // ---- deadlines -------------------------------------------------------------------------------------------

  /** Sets the waiting step's deadlines from the policy in force, counted from when its wait began. */
  armDeadlines(step: DecisionStep, policy: DeadlinePolicy, now: Date, reason: 'STARTED' | 'POLICY_CHANGED' = 'STARTED'): boolean {
    const view = this.current;
    if (!view || view.step !== step || !view.startedAt || !this.clockRunning) return false;
    if (!arm(view, policy, now)) return false;
    this.event(now, reason === 'STARTED' ? 'DEADLINES_ARMED' : 'DEADLINES_REARMED', { step, data: armedData(view, policy) });
    this.touch(now);
    return true;
  }

  /** Applies every deadline that has passed by `now`: OVERDUE (an escalation), or EXPIRED (the crossing ends). */
  fireDeadlines(now: Date): Effect[] {
    const view = this.current;
    const deadline = passed(view, now);
    if (!view || !deadline) return [];
    if (deadline === 'EXPIRED') {
      this.event(now, 'DEADLINE_EXPIRED', { step: view.step, data: { expiresAt: view.expiresAt } });
      this.end('EXPIRED', now);
      return [];
    }
    view.status = 'OVERDUE';
    this.event(now, 'OVERDUE', { step: view.step, data: { slaAt: view.slaAt } });
    this.touch(now);
    return [{ kind: 'ESCALATE_OVERDUE', step: view.step as DecisionStep, slaAt: view.slaAt! }];
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
    if (status === 'WAITING') this.passGreenChannel(now);
  }

  private end(status: CrossingStatus, now: Date): void {
    this.status = status;
    this.endedAt = now.toISOString();
    if (status === 'CLEARED') this.compensation.close();
    // Ended early, the work still pending for going forward is moot: each such effect registered its undo before it
    // was queued, and compensation undoes what did happen (undos are no-ops for what did not). An incident about that
    // work is closed with it; compensation raises its own if it fails.
    if (status !== 'CLEARED') {
      this.pendingEffects = [];
      if (this.incident) this.event(now, 'INCIDENT_CLOSED', { data: { reason: `the crossing ended ${status}` } });
      this.incident = null;
    }
    // Every step of an ended crossing is final, in the contract's words: those never reached, and the one it waited
    // at, are SKIPPED; the one it waited at says why.
    for (const view of this.steps) {
      if (view.status === 'PENDING') view.status = 'SKIPPED';
      else if (view.status === 'WAITING' || view.status === 'OVERDUE' || view.status === 'RETURNED') {
        view.status = 'SKIPPED';
        view.reason = status === 'EXPIRED' ? 'The crossing expired at this step.' : 'The crossing was cancelled at this step.';
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

/** A deep copy that keeps each object's class (the ledger, the transfer's progress); the state holds no other kind. */
function copyOf<T>(value: T): T {
  if (Array.isArray(value)) return value.map(copyOf) as T;
  if (value === null || typeof value !== 'object') return value;
  const copy = Object.create(Object.getPrototypeOf(value) as object) as Record<string, unknown>;
  for (const [key, v] of Object.entries(value)) copy[key] = copyOf(v);
  return copy as T;
}
