import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  log,
  allHandlersFinished,
  condition,
  patched,
  proxyLocalActivities,
  setHandler,
  TimeoutFailure,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { DeadlinePolicies } from '../activities/deadline-policy';
import type { DeadlinePolicy } from '../domain/deadline-policy';
import { PERMANENT_FAILURE, TRANSIENT_FAILURE, TRANSIENT_RETRY, TRANSIENT_RETRY_WINDOW } from '../domain/failures';
import type { DecisionStep } from '../domain/steps';
import type { CrossingView } from '../domain/crossing-view';
import { POLICIES_TO_COME, type SideEffect, type WorkOutcomes } from '../domain/crossing-work';
import { CrossingState, Rejection, type CrossingStart, type Effect } from './crossing-state';
import { DeadlineAlarm } from './deadline-alarm';
import {
  approachingSignal,
  arrivalSignal,
  cancelUpdate,
  completeTransshipmentUpdate,
  confirmOnlinePaymentUpdate,
  deadlinePolicyChangedSignal,
  decideUpdate,
  queueSignal,
  registerTransshipmentUpdate,
  resubmitDeclarationUpdate,
  retryIncidentUpdate,
  setCustomsChannelUpdate,
  submitDeclarationUpdate,
  viewQuery,
} from './messages';
import {
  CROSSING_CATEGORY,
  CROSSING_STATUS,
  CROSSING_STEP,
  GATE_CODE,
  keyOfStartAttributes,
  searchAttributePairs,
  searchAttributesKey,
} from './search-attributes';
import { Serial } from './serial';

// Each of these is one or two short, idempotent PostgreSQL statements, or a PDF rendered in ~30 ms: run them as local
// activities, inside the workflow task, rather than as tasks of their own. A decision then costs one workflow task
// instead of a task per activity plus one to resume after it, which is most of what a decision's latency was and a
// fifth of the Temporal server's work per crossing (documents as regular activities: `npm run bench`, 80 crossings).
// Retries are local too, and after a worker crash the replay runs a local activity again only if its result was not
// yet recorded. A failure retrying cannot cure is not retried (activities/failures.ts): it becomes an incident.
//
// A transient failure (PostgreSQL unreachable, a statement cut by its timeout) is retried, but not for ever: an error
// of that class can also be for good (a full disk, a statement that always times out), and a crossing retrying it
// would never say so. Once the attempts of TRANSIENT_RETRY are spent (domain/failures.ts: about 14 minutes), the last
// failure becomes the crossing's incident, as a permanent one does, and an admin retries it.
// Backoffs over `localRetryThreshold` wait on a workflow timer rather than in the worker's memory, so the attempt count
// survives a worker restart (the bound holds) and no workflow task is held open through an outage.
const activities = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  // Idempotent, so retrying while PostgreSQL is away is safe; nothing is lost meanwhile.
  retry: { ...TRANSIENT_RETRY },
  localRetryThreshold: '5 seconds',
});

/** Since this patch a change's work is one local activity (`carryOutAtOnce`); before it, one per effect. */
const ONE_CALL_PER_CHANGE = 'one-call-per-change';
/**
 * Since this patch a crossing the API started with its search attributes upserts them only when one changes, and no
 * longer its step (workflows/search-attributes.ts). The start alone cannot say which path a history took: an old worker
 * may have run a crossing a new API started, upserting at every step, and a new worker must replay that the same way.
 */
const COARSE_SEARCH_ATTRIBUTES = 'coarse-search-attributes';

/**
 * One truck crossing one gate, durable from the declaration to the gate pass.
 *
 * The rules live in CrossingState; this function wires them up. Every message handler is registered before the first
 * await, each a one-line delegation to a transition. Handlers run inside `serial`, one at a time, because a
 * transition's work awaits activities and a second message must not see it half done. Validators call the same checks
 * as the transitions, so a message that does not fit is refused before it enters the history; one that became unfit
 * while it queued fails with the same sentence.
 *
 * A transition changes the state and queues its work (crossing-state.ts `queue`); `settle` carries the work out in
 * order, each piece dropped only once it succeeded. A failure that retrying cannot cure leaves the rest queued and
 * records an incident instead of failing the workflow, so cancellation and compensation still work and an admin's
 * retry resumes where it stopped.
 */
export async function crossingWorkflow(start: CrossingStart): Promise<void> {
  const crossing = new CrossingState(start);
  const serial = new Serial();
  const alarm = new DeadlineAlarm();
  let policyChanged = false;
  let policies: DeadlinePolicies | undefined;
  /**
   * The search attributes the API set with the start, or undefined for a crossing started before it did so: that one
   * upserts its step too, at every change, as it was recorded doing (replay needs the same commands).
   */
  const setAtStart = keyOfStartAttributes(workflowInfo().typedSearchAttributes);
  /** The search-attribute values last upserted. Those set at the start count only on the patch's path. */
  let upserted: string | undefined;
  /**
   * Whether this crossing keeps to status, gate and category: decided once, at its first upsert, and kept. A crossing
   * an old worker began upserting at every step replays that first upsert without the patch's marker, so it stays on
   * that path to its end instead of leaving a stale step behind (`patched()` alone would say yes once it runs live).
   */
  let coarse: boolean | undefined;

  const now = () => new Date();
  setHandler(viewQuery, () => crossing.view());
  setHandler(deadlinePolicyChangedSignal, () => {
    policyChanged = true;
  });
  setHandler(submitDeclarationUpdate, ({ declaration, actor }) => transition(() => crossing.submitDeclaration(declaration, actor, now())), {
    validator: (_message) => refuse(() => crossing.checkSubmit()),
  });
  setHandler(
    resubmitDeclarationUpdate,
    ({ declaration, actor }) => transition(() => crossing.resubmitDeclaration(declaration, actor, now())),
    { validator: ({ declaration }) => refuse(() => crossing.checkResubmit(declaration)) },
  );
  setHandler(decideUpdate, ({ step, decision, actor }) => transition(() => crossing.decide(step, decision, actor, now())), {
    validator: ({ step, decision, actor }) => refuse(() => crossing.checkDecision(step, decision, actor)),
  });
  setHandler(
    registerTransshipmentUpdate,
    ({ yardCode, toVehicle, actor }) => transition(() => crossing.registerTransshipment(yardCode, toVehicle, actor, now())),
    { validator: (_message) => refuse(() => crossing.checkRegisterTransshipment()) },
  );
  setHandler(completeTransshipmentUpdate, ({ note, actor }) => transition(() => crossing.completeTransshipment(note, actor, now())), {
    validator: ({ actor }) => refuse(() => crossing.checkCompleteTransshipment(actor)),
  });
  setHandler(
    confirmOnlinePaymentUpdate,
    ({ providerRef, amountVnd, actor }) => transition(() => crossing.payOnline(providerRef, amountVnd, actor, now())),
    { validator: ({ amountVnd }) => refuse(() => crossing.checkOnlinePayment(amountVnd)) },
  );
  setHandler(cancelUpdate, ({ reason, actor }) => transition(() => crossing.cancel(reason, actor, now())), {
    validator: (_message) => refuse(() => crossing.checkCancel()),
  });
  setHandler(retryIncidentUpdate, ({ actor }) => transition(() => crossing.retryIncident(actor, now())), {
    validator: (_message) => refuse(() => crossing.checkRetryIncident()),
  });
  setHandler(
    setCustomsChannelUpdate,
    ({ channel, source, actor }) => transition(() => crossing.setCustomsChannel(channel, source, actor, now())),
    { validator: ({ actor }) => refuse(() => crossing.checkCustomsChannel(actor)) },
  );
  // Facts, not requests: nothing refuses them, and a repeat of one already kept changes nothing. An arrival (a plate
  // read); the truck's first position in the corridor (the positions themselves never reach the workflow); the
  // queue's word (numbered by the dispatcher: the crossing keeps only what is newer).
  setHandler(arrivalSignal, (arrival) => recordFact(() => crossing.recordArrival(arrival, now())));
  setHandler(approachingSignal, (approach) => recordFact(() => crossing.recordApproaching(approach, now())));
  setHandler(queueSignal, (notice) => recordFact(() => crossing.applyQueueNotice(notice, now())));

  /**
   * Keeps a fact, if new, and writes it. Held by an incident, the crossing's pending work waits for the admin's retry:
   * the fact is written with the incident's row now, and to the history with the next successful write.
   */
  function recordFact(kept: () => boolean): Promise<void> {
    return serial.run(async () => {
      if (!kept()) return;
      if (crossing.incident) return recordIncident();
      crossing.queue([]);
      await settle();
    });
  }

  /** Applies one transition and carries out the work it queued, then answers with the resulting view. */
  function transition(apply: () => Effect[]): Promise<CrossingView> {
    return serial.run(async () => {
      crossing.queue(refuse(apply));
      await settle();
      return crossing.view();
    });
  }

  async function settle(): Promise<void> {
    try {
      // Crossings begun before one call per change carry on as they were recorded, a local activity per effect.
      if (patched(ONE_CALL_PER_CHANGE)) await carryOutAtOnce();
      else
        for (let effect = crossing.nextEffect; effect; effect = crossing.nextEffect) {
          await carryOut(effect);
          crossing.effectDone();
        }
    } catch (err) {
      const failure = incidentOf(err);
      if (failure === undefined) throw err;
      crossing.raiseIncident(failure, now());
      await recordIncident();
    }
  }

  /**
   * The pending work of a change in one local activity: its side effects and the read-model write, in one transaction
   * (activities/crossing-work.ts). The view written is the one the crossing will have once the work is done, tried on
   * a preview first; what only the work can tell (the yard place, the invoice) the activity puts in and hands back.
   * The crossing itself changes only once the call succeeded, with the same time, so it ends with the view written.
   * A failure leaves all of the work pending (the transaction wrote none of it): the incident's retry does it all
   * again, each part idempotent. The policies a deadline needs, when not kept yet, are read first (a call of their own).
   */
  async function carryOutAtOnce(): Promise<void> {
    const work = crossing.pendingWork();
    if (work.length === 0) return;
    const at = now();
    if (work.some((e) => e.kind === 'ARM_DEADLINES' && e.reason === 'POLICY_CHANGED')) policies = undefined;
    // A crossing's first deadlines (its policies not read yet) are armed by the policies its call reads; any other
    // arming by those kept, read first when the category changed or a rule did.
    const arming = work.filter((e) => e.kind === 'ARM_DEADLINES');
    const unread = !policies || policies.category !== crossing.category;
    const readPoliciesFor = unread && arming.length === 1 && arming[0].reason === 'STARTED' ? arming[0].step : undefined;
    if (!readPoliciesFor) for (const e of arming) await policyFor(e.step);
    const policyOf = (step: DecisionStep) => (readPoliciesFor ? POLICIES_TO_COME : policies!.steps[step]!);
    const preview = crossing.preview();
    let write = readPoliciesFor !== undefined;
    const effects: SideEffect[] = [];
    for (const effect of work) {
      const changed = preview.carriedOut(effect, {}, at, policyOf);
      if (effect.kind === 'PUBLISH') write = true;
      else if (effect.kind === 'ARM_DEADLINES') write ||= changed && effect.reason === 'POLICY_CHANGED';
      else effects.push(effect);
    }
    let outcomes: WorkOutcomes = {};
    let policyStamp: string | undefined;
    if (write || effects.length > 0) {
      const view = preview.view();
      upsertChangedSearchAttributes(view);
      const events = preview.unrecordedEvents();
      ({ outcomes, policyStamp } = await activities.settleCrossing({
        crossingId: crossing.id,
        gate: crossing.gate,
        at: at.toISOString(),
        effects,
        snapshot: { view, declarantAccountId: crossing.declarantAccountId, submission: crossing.lastSubmission!, events },
        ...(readPoliciesFor ? { readPoliciesFor } : {}),
      }));
      if (readPoliciesFor) policies = outcomes.policies!;
      const kept = (step: DecisionStep) => policies!.steps[step]!;
      for (const effect of work) crossing.carriedOut(effect, outcomes, at, kept);
      crossing.eventsRecorded(events.length);
    } else {
      for (const effect of work) crossing.carriedOut(effect, outcomes, at, policyOf);
    }
    crossing.workDone(work.length);
    // A rule for this gate changed since the policies were read: read them again, and re-arm if the waiting step's did.
    if (policies && policyStamp !== undefined && policyStamp !== policies.stamp) {
      policies = undefined;
      policyChanged = true;
    }
  }

  /**
   * The operators' search attributes, upserted only when one changed: each upsert is an event of the history and a
   * write to Temporal's visibility store. A crossing started with them (workflows/search-attributes.ts) keeps status,
   * gate and category, so it upserts at its end and when a resubmission changes its category; an older one also kept
   * its step, and goes on upserting at every step.
   */
  function upsertChangedSearchAttributes(view: CrossingView): void {
    coarse ??= setAtStart !== undefined && patched(COARSE_SEARCH_ATTRIBUTES);
    if (coarse) {
      upserted ??= setAtStart;
      const key = searchAttributesKey(view);
      if (key === upserted) return;
      upserted = key;
      upsertSearchAttributes(searchAttributePairs(view));
      return;
    }
    const values = [view.status, view.currentStep ?? 'none', view.gate, view.category] as const;
    const key = values.join('|');
    if (key === upserted) return;
    upserted = key;
    upsertSearchAttributes([
      { key: CROSSING_STATUS, value: values[0] },
      { key: CROSSING_STEP, value: values[1] },
      { key: GATE_CODE, value: values[2] },
      { key: CROSSING_CATEGORY, value: values[3] },
    ]);
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
        await activities.recordDirectPayment({ ...ref, receiptNo: effect.receiptNo, paidAt: now().toISOString() });
        return;
      case 'RECORD_ONLINE_PAYMENT':
        await activities.recordOnlinePayment({ ...ref, paidAt: now().toISOString() });
        return;
      case 'ISSUE_DOCUMENT':
        crossing.recordDocument(await activities.issueDocument({ kind: effect.document, view: crossing.view(), seq: effect.seq }));
        return;
      case 'ISSUE_INVOICE':
        crossing.setInvoice(
          await activities.issueInvoice({ ...ref, declaration: crossing.declaration!, category: crossing.category! }),
          now(),
        );
        return;
      case 'ARM_DEADLINES': {
        if (effect.reason === 'POLICY_CHANGED') policies = undefined;
        const policy = await policyFor(effect.step);
        // A re-arming that changed nothing is not worth a read-model write; a first arming is written with the rest.
        if (crossing.armDeadlines(effect.step, policy, now(), effect.reason) && effect.reason === 'POLICY_CHANGED') crossing.queue([]);
        return;
      }
      case 'UNDO':
        // Not cancellable: once a crossing has ended early its compensation always runs to the end.
        await CancellationScope.nonCancellable(async () => {
          const document =
            effect.action === 'RELEASE_YARD_PLACE'
              ? void (await activities.releaseYardPlace(ref))
              : effect.action === 'CANCEL_TRANSSHIPMENT_BOOKING'
                ? void (await activities.cancelTransshipmentBooking(ref))
                : effect.action === 'REFUND_FEE'
                  ? void (await activities.refundFee(ref))
                  : await activities.issueDocument({ kind: 'turn-back-order', view: crossing.view(), seq: 1 });
          crossing.recordCompensation(effect.action, now(), document);
        });
        return;
      case 'RECORD_QUEUE_ARRIVAL':
        await activities.recordQueueArrival(ref);
        return;
      case 'PUBLISH':
        await publish();
        return;
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
      policies = await activities.loadDeadlinePolicies({ gate: crossing.gate, category: crossing.category! });
    }
    const policy = policies.steps[step];
    if (!policy) throw new Error(`no deadline policy for ${step}; every step has a built-in default`);
    return policy;
  }

  /** Keeps the incident where lists and the read-model view show it, even when the full read-model write fails. */
  async function recordIncident(): Promise<void> {
    try {
      await activities.recordIncident({ view: crossing.view(), declarantAccountId: crossing.declarantAccountId });
    } catch (err) {
      // Still on the crossing itself (`?consistent=true`), and written with the next successful change.
      log.error('could not record an incident in the read model', { crossingId: crossing.id, error: String(incidentOf(err)) });
    }
  }

  // The declaration arrives with the start (Update-with-Start); from then on the crossing waits for messages and
  // deadlines until it has ended, its compensation has run and no work or incident is left.
  await condition(() => crossing.submitted);
  while (!(crossing.ended && crossing.settled)) {
    if (policyChanged) {
      policyChanged = false;
      await serial.run(() => {
        const step = crossing.current?.step;
        if (!step || step === 'declaration' || crossing.ended || crossing.incident) return Promise.resolve();
        crossing.queue([{ kind: 'ARM_DEADLINES', step, reason: 'POLICY_CHANGED' }], { publish: false });
        return settle();
      });
      continue;
    }
    const revision = crossing.revision;
    const next = crossing.nextDeadline();
    if (next !== undefined) alarm.set(next);
    // The deadline is data; any change (a decision, a re-armed policy) wakes the loop to re-read it, and so does the
    // end of the work of a crossing that has ended (its last transition changed the revision before that work ran).
    await condition(() => crossing.revision !== revision || policyChanged || alarm.rang || (crossing.ended && crossing.settled));
    if (alarm.rang) {
      alarm.reset();
      const due = crossing.nextDeadline();
      if (due !== undefined && due <= Date.now()) {
        await serial.run(() => {
          crossing.queue(crossing.fireDeadlines(now()));
          return settle();
        });
      }
    }
  }
  // Let the handler that ended the crossing finish its answer before the workflow closes.
  await condition(allHandlersFinished);
}

/**
 * The incident's sentence for an activity failure the crossing stops at (activities/failures.ts), or undefined for
 * others (a bug in the workflow itself fails its task, to be fixed and replayed). A permanent failure at once; a
 * transient one, or an activity that kept outliving its timeout, once TRANSIENT_RETRY ran out: one of them reaching
 * this point means every retry was spent. A local activity's failure reaches the workflow as the activity's own
 * failure; a regular one's inside an ActivityFailure.
 */
function incidentOf(err: unknown): string | undefined {
  const failure = err instanceof ActivityFailure ? err.cause : err;
  const spent = `still failing after ${TRANSIENT_RETRY.maximumAttempts} attempts over ${TRANSIENT_RETRY_WINDOW}`;
  if (failure instanceof ApplicationFailure && failure.type === PERMANENT_FAILURE) return failure.message;
  if (failure instanceof ApplicationFailure && failure.type === TRANSIENT_FAILURE) return `${failure.message}, ${spent}`;
  if (failure instanceof TimeoutFailure) return `An activity kept running past its time limit, ${spent}`;
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
