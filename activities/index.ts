import type { Client } from '@temporalio/client';
import type { Services } from '../infra/db/orm';
import { createCrossingStore } from './crossing-store';
import { createDocuments } from './documents/issue';
import { createFees } from './fees';
import { createDeadlinePolicies } from './deadline-policy';
import { createEscalations } from './escalations';
import { createPolicyFanOut } from './policy-fanout';
import { createTransshipmentBookings } from './transshipment';
import { createYard } from './yard';

/** Every activity the worker registers, bound to the services they use (the database; a Temporal client for signals). */
export function createActivities(services: Services, temporal: Client, opts: { publicUrl: string }) {
  return {
    ...createCrossingStore(services),
    ...createDeadlinePolicies(services),
    ...createYard(services),
    ...createTransshipmentBookings(services),
    ...createEscalations(services),
    ...createFees(services),
    ...createDocuments(services, opts),
    ...createPolicyFanOut(services, temporal),
  };
}

export type Activities = ReturnType<typeof createActivities>;
