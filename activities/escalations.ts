import { log } from '@temporalio/activity';
import type { DecisionStep } from '../domain/steps';
import type { Services } from '../infra/db/orm';
import type { CrossingRef } from './crossing-ref';

/** A step past its SLA: recorded once per (crossing, step, deadline) for the gate's managers, who list them. */
export function createEscalations(services: Services) {
  return {
    async recordEscalation({ crossingId, gate, step, slaAt }: CrossingRef & { step: DecisionStep; slaAt: string }): Promise<void> {
      const recorded = await services.stores().escalations.record({ crossingId, gate, step, slaAt });
      if (recorded) log.warn('step overdue: escalated to the gate managers', { crossingId, gate, step, slaAt });
    },
  };
}
