import type { Category } from '../domain/category';
import type { Services } from '../infra/db/orm';
import { createLogger } from '../infra/logger';
import type { DeadlinePolicies } from '../infra/db/stores/deadline-policies';

export type { DeadlinePolicies } from '../infra/db/stores/deadline-policies';

const log = createLogger('activities');

export function createDeadlinePolicies(services: Services) {
  return {
    /** Every step's deadline policy for a gate and category, with the stamp they were read under. */
    async loadDeadlinePolicies({ gate, category }: { gate: string; category: Category }): Promise<DeadlinePolicies> {
      return services.stores().deadlinePolicies.forCrossing(gate, category, log);
    },
  };
}
