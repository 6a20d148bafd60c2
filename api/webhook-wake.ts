import { wakeDeliveries } from '../infra/webhook-deliveries';
import type { ApiContext } from './context';

/**
 * Wakes the delivery workflows of subscriptions the API gave an event (a gate closed or reopened, a failed event
 * retried by hand). Never fails the request: the event is stored, and the worker's keeper wakes every subscription
 * with something pending each minute.
 */
export async function wakeSubscribers(ctx: ApiContext, subscriptionIds: readonly string[]): Promise<void> {
  if (subscriptionIds.length === 0) return;
  try {
    await wakeDeliveries(ctx.temporal, ctx.config.taskQueue, subscriptionIds);
  } catch (err) {
    ctx.log.warn(
      { subscriptions: subscriptionIds.length, error: String(err) },
      'could not wake webhook deliveries; the worker keeper will',
    );
  }
}
