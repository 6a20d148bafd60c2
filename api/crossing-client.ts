import { createHash, randomUUID } from 'node:crypto';
import {
  isGrpcServiceError,
  WithStartWorkflowOperation,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { categoryOf } from '../domain/category';
import type { ApproachingSignal } from '../domain/crossing-messages';
import type { Actor, CrossingView } from '../domain/crossing-view';
import type { Decision } from '../domain/decision';
import type { Declaration } from '../domain/declaration';
import type { DecisionStep } from '../domain/steps';
import type { crossingWorkflow } from '../workflows/crossing';
import { searchAttributePairs } from '../workflows/search-attributes';
import type { TransferVehicle } from '../domain/transshipment';
import {
  approachingSignal,
  arrivalSignal,
  cancelUpdate,
  completeTransshipmentUpdate,
  confirmOnlinePaymentUpdate,
  decideUpdate,
  registerTransshipmentUpdate,
  resubmitDeclarationUpdate,
  retryIncidentUpdate,
  setCustomsChannelUpdate,
  submitDeclarationUpdate,
  viewQuery,
} from '../workflows/messages';
import type { Arrival, CustomsChannel } from '../domain/gate-points';
import { dependencyOf, timedOutInTemporal } from './dependencies';
import { CrossingBusy, CrossingEnded, CrossingRejected } from '../domain/errors';
import { Misconfigured, outcomeUnknown, Unavailable } from './problem';
import { currentRequest } from './request-deadline';
import { workflowIdOf } from '../domain/workflow-ids';

/** A UUID derived from the caller and its Idempotency-Key, so a repeated POST addresses the same crossing. */
export function idempotentUuid(accountId: string, key: string): string {
  const h = createHash('sha256').update(`${accountId}\u0000${key}`).digest();
  h[6] = (h[6] & 0x0f) | 0x50; // version 5-style
  h[8] = (h[8] & 0x3f) | 0x80; // RFC 4122 variant
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The Update id of a message: from the request's Idempotency-Key when there is one (a redelivery then reaches the
 * update Temporal already ran and gets its first answer), else unique.
 */
function updateId(kind: string, actor: Actor, idempotencyKey: string | undefined): string {
  if (!idempotencyKey) return `${kind}-${randomUUID()}`;
  return `${kind}-${createHash('sha256').update(`${actor.accountId}\u0000${idempotencyKey}`).digest('base64url').slice(0, 32)}`;
}

const failureType = (err: unknown) =>
  err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure ? err.cause.type : undefined;

/**
 * Temporal's answer when an Update reached the workflow in a task that completed without processing it (it arrived
 * while the workflow was busy with other messages). Nothing was applied: the Update is sent again, a few times within
 * the call's deadline, and contention that outlasts them is a 409, never a 500.
 */
const UNPROCESSED = 'UnprocessedUpdate';
const CONTENTION_RETRIES = 5;

/** The gRPC error inside a Temporal error, wrapped or not. */
function grpcError(err: unknown): { code: number; details?: string; message: string } | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if (isGrpcServiceError(e)) return e;
  }
  return undefined;
}

const grpcCode = (err: unknown) => grpcError(err)?.code;

/**
 * INVALID_ARGUMENT naming a search attribute ("Namespace default has no mapping defined for search attribute
 * CrossingStatus", or one registered with another type): the namespace refuses the attributes a crossing starts with.
 * The worker adds missing ones when it starts, or logs the command an operator must run where it may not. Nothing was
 * started; the fault is the deployment's.
 */
const INVALID_ARGUMENT = 3;
function refusedSearchAttribute(err: unknown): boolean {
  const grpc = grpcError(err);
  return grpc?.code === INVALID_ARGUMENT && /search attribute/i.test(`${grpc.details ?? ''} ${grpc.message}`);
}

/**
 * FAILED_PRECONDITION (WorkflowNotReady): the workflow's last task failed or timed out (its worker froze or crashed),
 * and Temporal takes no Update until a worker has run it again. Nothing was applied: Temporal answers so only for an
 * Update it has not accepted (an accepted one is durable and is answered with its outcome), and an Update that was not
 * accepted leaves no trace in the history. It passes once a worker runs.
 */
const NOT_READY = 9;
/** A Temporal call ends this long before its request's deadline, so that its own timeout is what the client hears. */
const BEFORE_REQUEST_DEADLINE_MS = 250;
const NOT_FOUND = 5;

/**
 * Turns what Temporal says about a refused or impossible message into the domain's errors (api/problem.ts maps them).
 * A call that ran out of time waiting for the workflow (Temporal took it, no answer came) says how long it waited, so
 * that the answer can name who really held it up: Temporal if it does not answer now, else the worker or a busy
 * crossing (DependencyHealth.diagnose).
 */
function translate(err: unknown, changes: boolean, startedAt: number): never {
  // The routes check the read model first, so a crossing they reach exists: a missing workflow has closed.
  if (err instanceof WorkflowNotFoundError || grpcCode(err) === NOT_FOUND) throw new CrossingEnded();
  if (failureType(err) === 'Rejection') throw new CrossingRejected((err as WorkflowUpdateFailedError & { cause: Error }).cause.message);
  if (grpcCode(err) === NOT_READY) throw new Unavailable('worker', changes ? 'NOT_CHANGED' : undefined, err);
  if (refusedSearchAttribute(err)) {
    const why = 'its namespace refuses the crossing search attributes: missing, or registered with another type; the worker adds missing ones when it starts, or logs the command an operator must run';
    throw new Misconfigured('temporal', why, changes ? 'NOT_CHANGED' : undefined, err);
  }
  if (failureType(err) === UNPROCESSED) throw new CrossingBusy();
  if (timedOutInTemporal(err)) throw new Unavailable('temporal', changes ? 'UNKNOWN' : undefined, err, Date.now() - startedAt);
  if (dependencyOf(err)) throw changes ? outcomeUnknown(err) : new Unavailable(dependencyOf(err), undefined, err);
  throw err;
}

export class CrossingClient {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    /** Each call is given up after this long (TEMPORAL_CALL_TIMEOUT_MS): a change then has an unknown outcome. */
    private readonly timeoutMs: number,
  ) {}

  /**
   * One call to Temporal within its deadline. An Update Temporal took but did not finish in time (no worker running
   * it, Temporal unreachable) is reported as "outcome unknown": it may still be applied, and a retry with the same
   * Idempotency-Key (the same Update id) returns the real outcome.
   */
  private async call<T>(request: () => Promise<T>, opts: { changes: boolean } = { changes: true }): Promise<T> {
    const startedAt = Date.now();
    const deadline = this.deadlineFrom(startedAt);
    const scope = currentRequest();
    if (scope) scope.temporalSince = startedAt;
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          return await this.client.withDeadline(deadline, request);
        } catch (err) {
          const pause = 50 * 2 ** attempt;
          const transient = failureType(err) === UNPROCESSED || grpcCode(err) === NOT_READY;
          if (transient && attempt < CONTENTION_RETRIES && Date.now() + pause < deadline) {
            await new Promise((r) => setTimeout(r, pause * (0.5 + Math.random())));
            continue;
          }
          return translate(err, opts.changes, startedAt);
        }
      }
    } catch (err) {
      if (scope && err instanceof Unavailable && err.notProcessedInMs !== undefined) scope.notProcessedInMs = err.notProcessedInMs;
      throw err;
    } finally {
      if (scope) scope.temporalSince = undefined;
    }
  }

  /** TEMPORAL_CALL_TIMEOUT_MS from now, or sooner when the request's own deadline comes first (api/request-deadline.ts). */
  private deadlineFrom(startedAt: number): number {
    return Math.min(startedAt + this.timeoutMs, (currentRequest()?.deadline ?? Number.POSITIVE_INFINITY) - BEFORE_REQUEST_DEADLINE_MS);
  }

  private handle(crossingId: string): WorkflowHandle<typeof crossingWorkflow> {
    return this.client.workflow.getHandle(workflowIdOf(crossingId));
  }

  /**
   * Starts a crossing and submits its declaration in one Update-with-Start, so the answer is the validated state.
   * With an Idempotency-Key the crossing id and the update id come from it: a repeat reaches the same workflow and
   * Temporal returns the first update's result instead of running it again.
   */
  async start(declaration: Declaration, actor: Actor, idempotencyKey?: string, opts: { queued?: boolean } = {}): Promise<CrossingView> {
    const crossingId = idempotencyKey ? idempotentUuid(actor.accountId, idempotencyKey) : randomUUID();
    // A new start operation per attempt: `call` sends the request again after a transient refusal, and the SDK runs
    // a WithStartWorkflowOperation once only (a second use throws, which answered 500 after a worker kill -9).
    return this.call(() =>
      this.client.workflow.executeUpdateWithStart(submitDeclarationUpdate, {
        args: [{ declaration, actor }],
        updateId: `submit-1-${crossingId}`,
        startWorkflowOperation: new WithStartWorkflowOperation<typeof crossingWorkflow>('crossingWorkflow', {
          workflowId: workflowIdOf(crossingId),
          taskQueue: this.taskQueue,
          args: [{ crossingId, declarantAccountId: actor.accountId, ...(opts.queued ? { queued: true } : {}) }],
          // Set here, the crossing upserts them only when one changes (workflows/search-attributes.ts): at its end.
          typedSearchAttributes: searchAttributePairs({ status: 'IN_PROGRESS', gate: declaration.gate, category: categoryOf(declaration) }),
          workflowIdConflictPolicy: 'USE_EXISTING',
        }),
      }),
    );
  }

  /** The live view, or undefined when the workflow is gone (closed and past the namespace's retention). */
  async view(crossingId: string): Promise<CrossingView | undefined> {
    const startedAt = Date.now();
    const scope = currentRequest();
    if (scope) scope.workflowQueries = (scope.workflowQueries ?? 0) + 1;
    try {
      return await this.client.withDeadline(this.deadlineFrom(startedAt), () => this.handle(crossingId).query(viewQuery));
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      return translate(err, false, startedAt);
    }
  }

  async decide(crossingId: string, step: DecisionStep, decision: Decision, actor: Actor, key?: string): Promise<CrossingView> {
    return this.call(() =>
      this.handle(crossingId).executeUpdate(decideUpdate, {
        args: [{ step, decision, actor }],
        updateId: updateId(`decide-${step}`, actor, key),
      }),
    );
  }

  async resubmit(crossingId: string, declaration: Declaration, actor: Actor, key?: string): Promise<CrossingView> {
    return this.call(() =>
      this.handle(crossingId).executeUpdate(resubmitDeclarationUpdate, {
        args: [{ declaration, actor }],
        updateId: updateId('resubmit', actor, key),
      }),
    );
  }

  async registerTransshipment(
    crossingId: string,
    yardCode: string,
    toVehicle: TransferVehicle,
    actor: Actor,
    key?: string,
  ): Promise<CrossingView> {
    return this.call(() =>
      this.handle(crossingId).executeUpdate(registerTransshipmentUpdate, {
        args: [{ yardCode, toVehicle, actor }],
        updateId: updateId('register-transshipment', actor, key),
      }),
    );
  }

  async completeTransshipment(crossingId: string, note: string | undefined, actor: Actor, key?: string): Promise<CrossingView> {
    return this.call(() =>
      this.handle(crossingId).executeUpdate(completeTransshipmentUpdate, {
        args: [{ note, actor }],
        updateId: updateId('complete-transshipment', actor, key),
      }),
    );
  }

  async cancel(crossingId: string, reason: string, actor: Actor, key?: string): Promise<CrossingView> {
    return this.call(() =>
      this.handle(crossingId).executeUpdate(cancelUpdate, { args: [{ reason, actor }], updateId: updateId('cancel', actor, key) }),
    );
  }

  /** An admin's retry of a crossing's incident, once its cause is fixed. */
  async retryIncident(crossingId: string, actor: Actor, key?: string): Promise<CrossingView> {
    return this.call(() =>
      this.handle(crossingId).executeUpdate(retryIncidentUpdate, { args: [{ actor }], updateId: updateId('retry-incident', actor, key) }),
    );
  }

  /** The provider's confirmation of an online payment; the payment id is the Update id, so a repeat is one effect. */
  async confirmPayment(crossingId: string, paymentId: string, providerRef: string, amountVnd: number, actor: Actor): Promise<CrossingView> {
    return this.call(() =>
      this.handle(crossingId).executeUpdate(confirmOnlinePaymentUpdate, {
        args: [{ paymentId, providerRef, amountVnd, actor }],
        updateId: `payment-${paymentId}`,
      }),
    );
  }

  /** Customs' channel for the declaration; GREEN passes customs-inspection as a system decision. */
  async setCustomsChannel(
    crossingId: string,
    channel: CustomsChannel,
    source: string | undefined,
    actor: Actor,
    key?: string,
  ): Promise<CrossingView> {
    return this.call(() =>
      this.handle(crossingId).executeUpdate(setCustomsChannelUpdate, {
        args: [{ channel, source, actor }],
        updateId: updateId('customs-channel', actor, key),
      }),
    );
  }

  /**
   * Tells a crossing's workflow of an arrival (the device had its answer already). False when the workflow has closed:
   * the caller then writes the arrival to the read model itself.
   */
  async signalArrival(crossingId: string, arrival: Arrival): Promise<boolean> {
    return this.signalFact(crossingId, () => this.handle(crossingId).signal(arrivalSignal, arrival));
  }

  /** Tells a crossing's workflow of its first position in the corridor. False when the workflow has closed. */
  async signalApproaching(crossingId: string, approach: ApproachingSignal): Promise<boolean> {
    return this.signalFact(crossingId, () => this.handle(crossingId).signal(approachingSignal, approach));
  }

  private async signalFact(crossingId: string, send: () => Promise<void>): Promise<boolean> {
    try {
      await this.client.withDeadline(Date.now() + this.timeoutMs, send);
      return true;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError || grpcCode(err) === NOT_FOUND) return false;
      throw err;
    }
  }
}
