import type { Services } from '../infra/db/orm';
import { createCompensations } from './compensations';
import { createCrossingStore } from './crossing-store';
import { createDeadlinePolicies } from './deadline-policy';
import { createEscalations } from './escalations';
import { createTransshipmentBookings } from './transshipment';
import { createYard } from './yard';

/** Every activity the worker registers, bound to the services (database) they use. */
export function createActivities(services: Services) {
  return {
    ...createCrossingStore(services),
    ...createDeadlinePolicies(services),
    ...createYard(services),
    ...createTransshipmentBookings(services),
    ...createEscalations(services),
    ...createCompensations(services),
  };
}

export type Activities = ReturnType<typeof createActivities>;
