import { log } from '@temporalio/activity';
import type { DecisionStep } from '../domain/steps';
import type { Services } from '../infra/db/orm';
import type { Stores } from '../infra/db/stores';
import type { CrossingRef } from './crossing-ref';

type Escalation = CrossingRef & { step: DecisionStep; slaAt: string };

/** A step past its SLA: recorded once per (crossing, step, deadline) for the gate's managers, who list them. */
export function createEscalations(services: Services) {
  return {
    async recordEscalation(escalation: Escalation): Promise<void> {
      await recordEscalation(services.stores(), escalation);
    },
  };
}

export async function recordEscalation(stores: Stores, { crossingId, gate, step, slaAt }: Escalation): Promise<void> {
  const recorded = await stores.escalations.record({ crossingId, gate, step, slaAt });
  if (recorded) log.warn('step overdue: escalated to the gate managers', { crossingId, gate, step, slaAt });
}
