import type { Client } from '@temporalio/client';
import type { Services } from '../infra/db/orm';
import type { GatePassSigner } from '../infra/gate-pass-signature';
import { createCrossingStore } from './crossing-store';
import { createCrossingWork } from './crossing-work';
import { createDocuments } from './documents/issue';
import { createFees } from './fees';
import { createDeadlinePolicies } from './deadline-policy';
import { createEscalations } from './escalations';
import { createDeadlinePolicyFanOut } from './deadline-policy-fanout';
import { createTransshipmentBookings } from './transshipment';
import { createQueueArrival, createQueueDispatch } from './queue';
import { createYard } from './yard';
import { withClassifiedFailures } from './failures';
import { createWebhookDelivery } from './webhooks';

/** Every activity the worker registers, bound to the services they use (the database; a Temporal client for signals). */
export function createActivities(services: Services, temporal: Client, opts: { publicUrl: string; signer: GatePassSigner }) {
  return {
    // A crossing's own side effects: a failure that retrying cannot cure becomes the crossing's incident.
    ...withClassifiedFailures({
      ...createCrossingWork(services, temporal, opts),
      ...createCrossingStore(services, temporal, opts.publicUrl),
      ...createDeadlinePolicies(services),
      ...createYard(services),
      ...createQueueArrival(services),
      ...createTransshipmentBookings(services),
      ...createEscalations(services),
      ...createFees(services),
      ...createDocuments(services, opts),
    }),
    // The queue's dispatcher rounds, retried by their workflow for as long as it takes.
    ...createQueueDispatch(services, temporal),
    // The deadline-policy fan-out heartbeats through a long pass and is retried as a whole.
    ...createDeadlinePolicyFanOut(services, temporal),
  };
}

/**
 * Every activity a workflow may call, by type: the crossings' worker registers `createActivities`; webhook rounds
 * (`createWebhookDelivery`) run on a worker of their own, on their own task queue (worker/main.ts), so receivers
 * that hang never take the slots crossings need.
 */
export type Activities = ReturnType<typeof createActivities> & ReturnType<typeof createWebhookDelivery>;
export { createWebhookDelivery };
