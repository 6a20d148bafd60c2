import type { Services } from '../infra/db/orm';
import type { CrossingSnapshot } from '../domain/crossing-snapshot';

/** The crossing's read model, history and audit (infra/db/stores/read-model.ts), written after every change. */
export function createCrossingStore(services: Services) {
  return {
    /** Returns the deadline-policy stamp as of this write, so the crossing learns of a rule change in the same round trip. */
    async recordCrossing(snapshot: CrossingSnapshot): Promise<{ policyStamp: string }> {
      return services.stores().readModel.record(snapshot);
    },

    async recordIncident(snapshot: Pick<CrossingSnapshot, 'view' | 'declarantAccountId'>): Promise<void> {
      await services.stores().readModel.recordIncident(snapshot);
    },
  };
}
