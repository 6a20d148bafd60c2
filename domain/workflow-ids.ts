/**
 * A crossing's workflow id: opaque (no plate or company in it, since Temporal stores ids unencrypted), and the same for
 * everyone who reaches the workflow (the API's client, the deadline-policy fan-out).
 */
export const workflowIdOf = (crossingId: string) => `crossing-${crossingId}`;

/** A gate's queue dispatcher for one direction: one per gate and direction (gate codes are public, like the gates). */
export const dispatcherIdOf = (gate: string, direction: string) => `queue-dispatcher-${gate}-${direction}`;

/** One subscription's delivery workflow: its id is the subscription's random id, which names no one. */
export const webhookDeliveryIdOf = (subscriptionId: string) => `webhook-delivery-${subscriptionId}`;
