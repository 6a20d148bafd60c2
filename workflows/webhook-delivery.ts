import { condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { WebhookDeliveryInput } from '../domain/webhooks';
import { webhookWakeSignal } from './messages';

// A round posts to a receiver that may be slow (each attempt is capped by WEBHOOK_ATTEMPT_TIMEOUT_MS): a regular
// activity, heartbeating, so a worker killed mid-round is noticed within the heartbeat timeout and the round is run
// again elsewhere. Retried for as long as it takes: the events wait in PostgreSQL meanwhile.
const { deliverWebhooks } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '15 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', backoffCoefficient: 2 },
});

/** With nothing pending and no wake for this long, the workflow ends; the next event's wake starts it again. */
const IDLE_MS = 5 * 60_000;
/** Rounds never come closer than this, however soon the next attempt is due. */
const MIN_ROUND_MS = 50;
/** Each run's history stays short (as the queue dispatcher's: workflows/queue-dispatcher.ts). */
const HISTORY_EVENTS_PER_RUN = 1_000;

/**
 * The deliveries of one subscription. It keeps nothing in memory: the events, their order and every attempt are in
 * PostgreSQL (infra/db/stores/webhooks.ts). Each round sends, of each crossing, its oldest undelivered event when that
 * one is due, so a crossing's later events wait behind one being retried, for this subscription only; other
 * crossings go on, and other subscriptions have workflows of their own. Between rounds it sleeps until the next
 * attempt is due or a crossing's write wakes it with a new event.
 */
export async function webhookDeliveryWorkflow(input: WebhookDeliveryInput): Promise<void> {
  let woken = false;
  setHandler(webhookWakeSignal, () => {
    woken = true;
  });
  while (workflowInfo().historyLength < HISTORY_EVENTS_PER_RUN && !workflowInfo().continueAsNewSuggested) {
    woken = false;
    const round = await deliverWebhooks(input);
    if (round.gone) return;
    // A round that ran out of time with events due: the next one at once, no timer (short timers are not short).
    if (round.dueInMs === 0) continue;
    // Due times come from PostgreSQL's clock, as a wait from now: no two clocks compared.
    const wait = round.dueInMs === null ? IDLE_MS : Math.min(IDLE_MS, Math.max(MIN_ROUND_MS, round.dueInMs + 20));
    const wakened = await condition(() => woken, wait);
    if (!wakened && round.dueInMs === null) return;
  }
  await continueAsNew<typeof webhookDeliveryWorkflow>(input);
}
