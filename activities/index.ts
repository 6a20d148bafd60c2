import type { Client } from '@temporalio/client';
import type { Services } from '../infra/db/orm';
import { createCompensations } from './compensations';
import { createCrossingStore } from './crossing-store';
import { createDeadlinePolicies } from './deadline-policy';
import { createEscalations } from './escalations';
import { createPolicyFanOut } from './policy-fanout';
import { createTransshipmentBookings } from './transshipment';
import { createYard } from './yard';

/** Every activity the worker registers, bound to the services they use (the database; a Temporal client for signals). */
export function createActivities(services: Services, temporal: Client) {
  return {
    ...createCrossingStore(services),
    ...createDeadlinePolicies(services),
    ...createYard(services),
    ...createTransshipmentBookings(services),
    ...createEscalations(services),
    ...createCompensations(services),
    ...createPolicyFanOut(services, temporal),
  };
}

export type Activities = ReturnType<typeof createActivities>;
