import type { Services } from '../infra/db/orm';
import { createCrossingStore } from './crossing-store';

/** Every activity the worker registers, bound to the services (database) they use. */
export function createActivities(services: Services) {
  return {
    ...createCrossingStore(services),
  };
}

export type Activities = ReturnType<typeof createActivities>;
