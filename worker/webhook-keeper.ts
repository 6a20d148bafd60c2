import type { Client } from '@temporalio/client';
import type { Logger } from '../infra/logger';
import type { Services } from '../infra/db/orm';
import { wakeDeliveries } from '../infra/webhook-deliveries';
import { startKeeper } from './keeper';

/**
 * Wakes the delivery workflow of every subscription with an event due and no round running, at the worker's start
 * and every 10 s: a delivery workflow ends when idle, and the crossing write that gave it an event wakes it only as a
 * hint (and not at all while a round runs), so a wake lost or skipped in a race delays an event by 10 s at most.
 */
export function startWebhookKeeper(services: Services, client: Client, opts: { taskQueue: string; log: Logger }) {
  return startKeeper(
    { everyMs: 10_000, log: opts.log, failure: 'could not wake the webhook deliveries; trying again in 10 s' },
    async () => {
      const subscriptions = await services.stores().webhooks.needingWake();
      if (subscriptions.length) await wakeDeliveries(client, opts.taskQueue, subscriptions);
    },
  );
}
