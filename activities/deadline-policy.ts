import { log } from '@temporalio/activity';
import type { Category } from '../domain/category';
import type { DeadlinePolicies } from '../domain/deadline-policy';
import type { Services } from '../infra/db/orm';
import type { Stores } from '../infra/db/stores';

/**
 * Kept for workflows/crossing.ts, which imports the type from here: it lives in domain/deadline-policy.ts, so the
 * workflow depends on domain code only (the import is type-only either way). Import it from domain/ elsewhere.
 */
export type { DeadlinePolicies } from '../domain/deadline-policy';

export function createDeadlinePolicies(services: Services) {
  return {
    /** Every step's deadline policy for a gate and category, with the stamp they were read under. */
    async loadDeadlinePolicies({ gate, category }: { gate: string; category: Category }): Promise<DeadlinePolicies> {
      return loadDeadlinePolicies(services.stores(), gate, category);
    },
  };
}

export function loadDeadlinePolicies(stores: Stores, gate: string, category: Category): Promise<DeadlinePolicies> {
  // Logged through the activity's logger: the worker's, at its configured level.
  return stores.deadlinePolicies.forCrossing(gate, category, (passedOver) =>
    log.warn('a stored deadline policy row is not valid; the next most specific row applies', passedOver),
  );
}
