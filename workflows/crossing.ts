import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  log,
  allHandlersFinished,
  condition,
  proxyLocalActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { DeadlinePolicies } from '../activities/deadline-policy';
import type { DeadlinePolicy } from '../domain/deadlines';
import { PERMANENT_FAILURE } from '../domain/failures';
import type { DecisionStep } from '../domain/steps';
import type { CrossingView } from '../domain/crossing-view';
import { CrossingState, Rejection, type CrossingStart, type Effect, type UndoAction } from './crossing-state';
import {
  cancelUpdate,
  completeTransshipmentUpdate,
  retryIncidentUpdate,
  confirmOnlinePaymentUpdate,
  deadlinePolicyChangedSignal,
  decideUpdate,
  registerTransshipmentUpdate,
  resubmitDeclarationUpdate,
  submitDeclarationUpdate,
  viewQuery,
} from './messages';
import { CROSSING_CATEGORY, CROSSING_STATUS, CROSSING_STEP, GATE_CODE } from './search-attributes';
import { Serial } from './serial';

// Each of these is one or two short, idempotent PostgreSQL statements, or a PDF rendered in ~30 ms: run them as local
// activities, inside the workflow task, rather than as tasks of their own. A decision then costs one workflow task
// instead of a task per activity plus one to resume after it, which is most of what a decision's latency was and a
// fifth of the Temporal server's work per crossing (documents as regular activities: `npm run bench`, 80 crossings).
// Retries are local too, and after a worker crash the replay runs a local activity again only if its result was not
// yet recorded.
const activities = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  // Idempotent, so retrying until PostgreSQL is back is safe; nothing is lost meanwhile.
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});
const { loadDeadlinePolicies, issueDocument } = activities;

/**
 * One truck crossing one gate, durable from the declaration to the gate pass.
 *
 * The rules live in CrossingState; this function wires them up. Every message handler is registered before the first
 * await. Handlers run their transition inside `serial`, one at a time, because a transition awaits activities (side
 * effects, deadline policy, the read model) and a second message must not see it half done. Validators call the same
 * checks as the transitions, so a message that does not fit is refused before it enters the history; one that became
 * unfit while it queued fails with the same sentence.
 */
export async function crossingWorkflow(start: CrossingStart): Promise<void> {
  const crossing = new CrossingState(start);
  const serial = new Serial();
  let policyChanged = false;
  let policies: DeadlinePolicies | undefined;

  setHandler(viewQuery, () => crossing.view());
  setHandler(deadlinePolicyChangedSignal, () => {
    policyChanged = true;
  });
  setHandler(
    submitDeclarationUpdate,
    ({ declaration, actor }) => transition(() => crossing.submitDeclaration(declaration, actor, new Date())),
    {
      validator: (_submission) => refuse(() => crossing.checkSubmit()),
    },
  );
  setHandler(
    resubmitDeclarationUpdate,
    ({ declaration, actor }) => transition(() => crossing.resubmitDeclaration(declaration, actor, new Date())),
    {
      validator: ({ declaration }) => refuse(() => crossing.checkResubmit(declaration)),
    },
  );
  setHandler(decideUpdate, ({ step, decision, actor }) => transition(() => crossing.decide(step, decision, actor, new Date())), {
    validator: ({ step, decision, actor }) => refuse(() => crossing.checkDecision(step, decision, actor)),
  });
  setHandler(
    registerTransshipmentUpdate,
    ({ yardCode, toVehicle, actor }) => transition(() => crossing.registerTransshipment(yardCode, toVehicle, actor, new Date())),
    { validator: (_registration) => refuse(() => crossing.checkRegisterTransshipment()) },
  );
  setHandler(completeTransshipmentUpdate, ({ note, actor }) => transition(() => crossing.completeTransshipment(note, actor, new Date())), {
    validator: ({ actor }) => refuse(() => crossing.checkCompleteTransshipment(actor)),
  });
  setHandler(
    confirmOnlinePaymentUpdate,
    ({ providerRef, amountVnd, actor }) => transition(() => crossing.payOnline(providerRef, amountVnd, actor, new Date())),
    { validator: ({ amountVnd }) => refuse(() => crossing.checkOnlinePayment(amountVnd)) },
  );
  setHandler(cancelUpdate, ({ reason, actor }) => transition(() => crossing.cancel(reason, actor, new Date())), {
    validator: (_cancel) => refuse(() => crossing.checkCancel()),
  });
  setHandler(retryIncidentUpdate, ({ actor }) => transition(() => crossing.retryIncident(actor, new Date())), {
    validator: (_retry) => refuse(() => crossing.checkRetryIncident()),
  });

  /**
   * The one deadline timer. It is kept while the next deadline is no earlier than when it rings (ringing early only
   * re-arms it), so a crossing that moves faster than its SLAs starts one timer in all instead of cancelling and
   * starting one at every transition: two history events fewer per decision.
   */
  let alarm: { at: number; scope: CancellationScope; rang: boolean } | undefined;
  function setAlarm(at: number): void {
    if (alarm && !alarm.rang && alarm.at <= at) return;
    alarm?.scope.cancel();
    const next = { at, scope: new CancellationScope(), rang: false };
    next.scope
      .run(() => sleep(Math.max(1, at - Date.now())))
      .then(
        () => (next.rang = true),
        () => undefined, // cancelled: a nearer deadline replaced it
      );
    alarm = next;
  }

  /** Applies one transition and carries out what it asks for, then answers with the resulting view. */
  function transition(apply: () => Effect[]): Promise<CrossingView> {
    return serial.run(async () => {
      crossing.queue(refuse(apply));
      await settle();
      return crossing.view();
    });
  }

  /**
   * After a change: its side effects, the deadlines of a newly waiting step, the compensation of an early end, the
   * read model. Each piece of work is dropped from the crossing's list only once it has succeeded, so after a failure
   * that retrying cannot cure (an activity's `Permanent` failure) the crossing keeps its state and what is left to do,
   * and records an incident instead of failing: cancellation and compensation still work, and an admin's retry
   * resumes the work where it stopped.
   */
  async function settle(): Promise<void> {
    try {
      await work();
    } catch (err) {
      const failure = permanentFailure(err);
      if (failure === undefined) throw err;
      crossing.raiseIncident(failure, new Date());
      await recordIncident();
    }
  }

  async function work(): Promise<void> {
    for (let effect = crossing.nextEffect; effect; effect = crossing.nextEffect) {
      await carryOut(effect);
      crossing.effectDone();
    }
    if (crossing.needsInvoice) {
      const invoice = await activities.issueInvoice({
        crossingId: crossing.id,
        gate: crossing.gate,
        declaration: crossing.declaration!,
        category: crossing.category!,
      });
      crossing.setInvoice(invoice, new Date());
    }
    const needing = crossing.stepNeedingDeadlines;
    if (needing) crossing.armDeadlines(needing, await policyFor(needing), new Date());
    if (crossing.pendingUndos().length) await compensate();
    await publish();
  }

  async function carryOut(effect: Effect): Promise<void> {
    const ref = { crossingId: crossing.id, gate: crossing.gate };
    switch (effect.kind) {
      case 'RESERVE_YARD_PLACE':
        crossing.yardCode = (await activities.reserveYardPlace(ref)).yardCode;
        return;
      case 'RELEASE_YARD_PLACE':
        await activities.releaseYardPlace(ref);
        return;
      case 'BOOK_TRANSSHIPMENT':
        await activities.bookTransshipment({ ...ref, yardCode: effect.yardCode, toVehicle: effect.toVehicle });
        return;
      case 'ESCALATE_OVERDUE':
        await activities.recordEscalation({ ...ref, step: effect.step, slaAt: effect.slaAt });
        return;
      case 'RECORD_DIRECT_PAYMENT':
        await activities.recordDirectPayment({ ...ref, receiptNo: effect.receiptNo, paidAt: new Date().toISOString() });
        return;
      case 'RECORD_ONLINE_PAYMENT':
        await activities.recordOnlinePayment({ ...ref, paidAt: new Date().toISOString() });
        return;
      case 'ISSUE_DOCUMENT':
        crossing.recordDocument(await issueDocument({ kind: effect.document, view: crossing.view(), seq: effect.seq }));
        return;
    }
  }

  /**
   * Undoes what completed steps did, newest first, each undo recorded as it finishes. Not cancellable: once a
   * crossing has ended early its compensation always runs to the end, and after a crash the replay resumes it where
   * it stopped (undos already recorded are not run again; each activity is idempotent besides).
   */
  async function compensate(): Promise<void> {
    await CancellationScope.nonCancellable(async () => {
      for (const action of crossing.pendingUndos()) {
        const document = await undo(action);
        crossing.recordCompensation(action, new Date(), document);
      }
    });
  }

  async function undo(action: UndoAction): Promise<{ kind: string; url: string } | undefined> {
    const ref = { crossingId: crossing.id, gate: crossing.gate };
    switch (action) {
      case 'RELEASE_YARD_PLACE':
        await activities.releaseYardPlace(ref);
        return undefined;
      case 'CANCEL_TRANSSHIPMENT_BOOKING':
        await activities.cancelTransshipmentBooking(ref);
        return undefined;
      case 'REFUND_FEE':
        await activities.refundFee(ref);
        return undefined;
      case 'ISSUE_TURN_BACK_ORDER':
        return issueDocument({ kind: 'turn-back-order', view: crossing.view(), seq: 1 });
    }
  }

  /** Keeps the read model, the history and the operators' search attributes in step with the state. */
  async function publish(): Promise<void> {
    const view = crossing.view();
    upsertSearchAttributes([
      { key: CROSSING_STATUS, value: view.status },
      { key: CROSSING_STEP, value: view.currentStep ?? 'none' },
      { key: GATE_CODE, value: view.gate },
      { key: CROSSING_CATEGORY, value: view.category },
    ]);
    const events = crossing.unrecordedEvents();
    const { policyStamp } = await activities.recordCrossing({
      view,
      declarantAccountId: crossing.declarantAccountId,
      submission: crossing.lastSubmission!,
      events,
    });
    crossing.eventsRecorded(events.length);
    // A rule for this gate changed since the policies were read: read them again, and re-arm if the waiting step's did.
    if (policies && policyStamp !== policies.stamp) {
      policies = undefined;
      policyChanged = true;
    }
  }

  /**
   * The deadline policy for a step, from the gate's policies read once and kept: a decision then needs no read of its
   * own. They are read again after the category changes, after a policy-change signal, and when a read-model write
   * reports a different policy stamp (a rule changed while this crossing waited at an earlier step).
   */
  async function policyFor(step: DecisionStep): Promise<DeadlinePolicy> {
    if (!policies || policies.category !== crossing.category) {
      policies = await loadDeadlinePolicies({ gate: crossing.gate, category: crossing.category! });
    }
    const policy = policies.steps[step];
    if (!policy) throw new Error(`no deadline policy for ${step}; the migration seeds one for every step`);
    return policy;
  }

  /** Keeps the incident where lists and the read-model view show it, even when the full read-model write fails. */
  async function recordIncident(): Promise<void> {
    try {
      await activities.recordIncident({ view: crossing.view(), declarantAccountId: crossing.declarantAccountId });
    } catch (err) {
      // Still on the crossing itself (`?consistent=true`), and written with the next successful change.
      log.error('could not record an incident in the read model', { crossingId: crossing.id, error: String(permanentFailure(err)) });
    }
  }

  // The declaration arrives with the start (Update-with-Start); from then on the crossing waits for messages and
  // deadlines until it has ended, its compensation has run and no work or incident is left.
  await condition(() => crossing.submitted);
  while (!(crossing.ended && crossing.settled)) {
    if (policyChanged) {
      policyChanged = false;
      await serial.run(async () => {
        const step = crossing.current?.step;
        if (!step || step === 'declaration' || crossing.ended || crossing.incident) return;
        policies = undefined;
        try {
          if (crossing.armDeadlines(step, await policyFor(step), new Date(), 'POLICY_CHANGED')) await publish();
        } catch (err) {
          const failure = permanentFailure(err);
          if (failure === undefined) throw err;
          crossing.raiseIncident(failure, new Date());
          await recordIncident();
        }
      });
      continue;
    }
    const revision = crossing.revision;
    const next = crossing.nextDeadline();
    if (next !== undefined) setAlarm(next);
    // The deadline is data; any change (a decision, a re-armed policy) wakes the loop to re-read it, and so does the
    // end of the work of a crossing that has ended (its last transition changed the revision before that work ran).
    const ringing = alarm;
    await condition(
      () => crossing.revision !== revision || policyChanged || ringing?.rang === true || (crossing.ended && crossing.settled),
    );
    if (ringing?.rang) {
      alarm = undefined;
      const due = crossing.nextDeadline();
      if (due !== undefined && due <= Date.now()) {
        await serial.run(() => {
          crossing.queue(crossing.fireDeadlines(new Date()));
          return settle();
        });
      }
    }
  }
  // Let the handler that ended the crossing finish its answer before the workflow closes.
  await condition(allHandlersFinished);
}

/**
 * The sentence of an activity failure that retrying cannot cure (activities/failures.ts), or undefined for others. A
 * local activity's failure reaches the workflow as the activity's own ApplicationFailure; a regular one's inside an
 * ActivityFailure.
 */
function permanentFailure(err: unknown): string | undefined {
  const failure = err instanceof ActivityFailure ? err.cause : err;
  if (failure instanceof ApplicationFailure && failure.type === PERMANENT_FAILURE) return failure.message;
  return undefined;
}

/** Runs a check or a transition, turning a Rejection into the failure an Update caller receives. */
function refuse<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof Rejection) throw ApplicationFailure.create({ type: 'Rejection', message: err.message, nonRetryable: true });
    throw err;
  }
}
