import type { Client } from '@temporalio/client';
import { WEBHOOK_WAKE_SIGNAL, webhookTaskQueueOf, type WebhookDeliveryInput } from '../domain/webhooks';
import { webhookDeliveryIdOf } from '../domain/workflow-ids';

/**
 * Wakes the delivery workflows of subscriptions that were given events (starting any that does not run). A hint with
 * a short budget, never waited for by what caused it: the events are in PostgreSQL, and a workflow that missed a wake
 * finds them at its next round or when the worker's keeper wakes it.
 */
/** `taskQueue` is the system's (the crossings'); the deliveries run on the webhook queue beside it. */
export async function wakeDeliveries(client: Client, taskQueue: string, subscriptionIds: readonly string[]): Promise<void> {
  await client.withDeadline(Date.now() + WAKE_BUDGET_MS, () =>
    Promise.all(
      subscriptionIds.map((subscriptionId) =>
        client.workflow.signalWithStart('webhookDeliveryWorkflow', {
          workflowId: webhookDeliveryIdOf(subscriptionId),
          taskQueue: webhookTaskQueueOf(taskQueue),
          args: [{ subscriptionId } satisfies WebhookDeliveryInput],
          signal: WEBHOOK_WAKE_SIGNAL,
          signalArgs: [],
        }),
      ),
    ),
  );
}

const WAKE_BUDGET_MS = 3000;
