import { createHash, randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Actor, CrossingView } from '../domain/crossing-view';
import type { Declaration } from '../domain/declaration';
import type { crossingWorkflow } from '../workflows/crossing';
import { submitDeclarationUpdate, viewQuery } from '../workflows/messages';
import { notFound } from './problem';

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

export class CrossingClient {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
  ) {}

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
    return this.client.workflow.executeUpdateWithStart(submitDeclarationUpdate, {
      args: [{ declaration, actor }],
      updateId: `submit-1-${crossingId}`,
      startWorkflowOperation,
    });
  }

  async view(crossingId: string): Promise<CrossingView> {
    try {
      return await this.client.workflow.getHandle(workflowIdOf(crossingId)).query(viewQuery);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw notFound('There is no crossing with this id.');
      throw err;
    }
  }
}
