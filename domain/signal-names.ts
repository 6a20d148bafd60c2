/**
 * The names of the signals other processes send to workflows (workflows/messages.ts defines them by these). Kept apart
 * from the queue's and the webhooks' schemas (queue.ts and webhooks.ts re-export them) so the workflow imports no
 * zod: its bundle's modules are evaluated once per workflow.
 */

/** The signal a dispatcher tells a crossing by (workflows/messages.ts `queueSignal`). */
export const QUEUE_SIGNAL = 'queue.v1';
/** The signal that wakes a gate's dispatcher (workflows/messages.ts `dispatcherWakeSignal`). */
export const DISPATCHER_WAKE_SIGNAL = 'queueWake.v1';
/** The delivery workflow of one subscription is woken by this signal (workflows/messages.ts). */
export const WEBHOOK_WAKE_SIGNAL = 'webhook-wake.v1';
