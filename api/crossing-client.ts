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
import type { Actor, CrossingView } from '../domain/crossing-view';
import type { Decision } from '../domain/decision';
import type { Declaration } from '../domain/declaration';
import type { DecisionStep } from '../domain/steps';
import type { crossingWorkflow } from '../workflows/crossing';
import type { TransferVehicle } from '../workflows/crossing-state';
import {
  cancelUpdate,
  completeTransshipmentUpdate,
  confirmOnlinePaymentUpdate,
  deadlinePolicyChangedSignal,
  decideUpdate,
  registerTransshipmentUpdate,
  resubmitDeclarationUpdate,
  submitDeclarationUpdate,
  viewQuery,
} from '../workflows/messages';
import { conflict } from './problem';

/**
 * The API's only way to a crossing: through its workflow. Workflow ids are opaque (`crossing-<uuid>`): no plate or
 * company in them, because Temporal stores ids in clear.
 */
export const workflowIdOf = (crossingId: string) => `crossing-${crossingId}`;

/** A UUID derived from the caller and its Idempotency-Key, so a repeated POST addresses the same crossing. */
function idempotentUuid(accountId: string, key: string): string {
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

/** Turns what Temporal says about a refused or impossible message into the API's answer. */
function translate(err: unknown): never {
  // The routes check the read model first, so a crossing they reach exists: a missing workflow has closed.
  if (err instanceof WorkflowNotFoundError) throw conflict('The crossing has ended; nothing more can be done to it.');
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === 'Rejection') {
    throw conflict(err.cause.message);
  }
  // An Update sent to a crossing whose workflow has already closed.
  if (isGrpcServiceError(err) && err.code === 5 /* NOT_FOUND */ && /completed/i.test(err.details ?? err.message)) {
    throw conflict('The crossing has ended; nothing more can be done to it.');
  }
  throw err;
}

async function call<T>(request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (err) {
    return translate(err);
  }
}

export class CrossingClient {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
  ) {}

  private handle(crossingId: string): WorkflowHandle<typeof crossingWorkflow> {
    return this.client.workflow.getHandle(workflowIdOf(crossingId));
  }

  /**
   * Starts a crossing and submits its declaration in one Update-with-Start, so the answer is the validated state.
   * With an Idempotency-Key the crossing id and the update id come from it: a repeat reaches the same workflow and
   * Temporal returns the first update's result instead of running it again.
   */
  async start(declaration: Declaration, actor: Actor, idempotencyKey?: string): Promise<CrossingView> {
    const crossingId = idempotencyKey ? idempotentUuid(actor.accountId, idempotencyKey) : randomUUID();
    const startWorkflowOperation = new WithStartWorkflowOperation<typeof crossingWorkflow>('crossingWorkflow', {
      workflowId: workflowIdOf(crossingId),
      taskQueue: this.taskQueue,
      args: [{ crossingId, declarantAccountId: actor.accountId }],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    return call(() =>
      this.client.workflow.executeUpdateWithStart(submitDeclarationUpdate, {
        args: [{ declaration, actor }],
        updateId: `submit-1-${crossingId}`,
        startWorkflowOperation,
      }),
    );
  }

  /** The live view, or undefined when the workflow is gone (closed and past the namespace's retention). */
  async view(crossingId: string): Promise<CrossingView | undefined> {
    try {
      return await this.handle(crossingId).query(viewQuery);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      return translate(err);
    }
  }

  async decide(crossingId: string, step: DecisionStep, decision: Decision, actor: Actor, key?: string): Promise<CrossingView> {
    return call(() =>
      this.handle(crossingId).executeUpdate(decideUpdate, {
        args: [{ step, decision, actor }],
        updateId: updateId(`decide-${step}`, actor, key),
      }),
    );
  }

  async resubmit(crossingId: string, declaration: Declaration, actor: Actor, key?: string): Promise<CrossingView> {
    return call(() =>
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
    return call(() =>
      this.handle(crossingId).executeUpdate(registerTransshipmentUpdate, {
        args: [{ yardCode, toVehicle, actor }],
        updateId: updateId('register-transshipment', actor, key),
      }),
    );
  }

  async completeTransshipment(crossingId: string, note: string | undefined, actor: Actor, key?: string): Promise<CrossingView> {
    return call(() =>
      this.handle(crossingId).executeUpdate(completeTransshipmentUpdate, {
        args: [{ note, actor }],
        updateId: updateId('complete-transshipment', actor, key),
      }),
    );
  }

  async cancel(crossingId: string, reason: string, actor: Actor, key?: string): Promise<CrossingView> {
    return call(() =>
      this.handle(crossingId).executeUpdate(cancelUpdate, { args: [{ reason, actor }], updateId: updateId('cancel', actor, key) }),
    );
  }

  /** The provider's confirmation of an online payment; the payment id is the Update id, so a repeat is one effect. */
  async confirmPayment(crossingId: string, paymentId: string, providerRef: string, amountVnd: number, actor: Actor): Promise<CrossingView> {
    return call(() =>
      this.handle(crossingId).executeUpdate(confirmOnlinePaymentUpdate, {
        args: [{ paymentId, providerRef, amountVnd, actor }],
        updateId: `payment-${paymentId}`,
      }),
    );
  }

  /** Tells a running crossing that a deadline policy changed; it reloads its own policy. */
  async policyChanged(crossingId: string, policyVersion: number, changedBy: string): Promise<void> {
    await this.handle(crossingId).signal(deadlinePolicyChangedSignal, { policyVersion, changedBy });
  }
}
