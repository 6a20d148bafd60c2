import type { Client } from '@temporalio/client';
import type { Logger } from '../infra/logger';
import type { Services } from '../infra/db/orm';
import { wakeDeliveries } from '../infra/webhook-deliveries';
import { startKeeper } from './keeper';

/**
 * Wakes the delivery workflow of every subscription with events pending, at the worker's start and every minute: a
 * delivery workflow ends when idle, and the crossing write that gave it an event wakes it only as a hint.
 */
export function startWebhookKeeper(services: Services, client: Client, opts: { taskQueue: string; log: Logger }) {
  return startKeeper(
    { everyMs: 60_000, log: opts.log, failure: 'could not wake the webhook deliveries; trying again in a minute' },
    async () => {
      const subscriptions = await services.stores().webhooks.withPending();
      if (subscriptions.length) await wakeDeliveries(client, opts.taskQueue, subscriptions);
    },
  );
}
