import { log } from '@temporalio/activity';
import type { DecisionStep } from '../domain/steps';
import { sqlOf, type Services } from '../infra/db/orm';
import type { CrossingRef } from './crossing-ref';

/** A step past its SLA: recorded once per (crossing, step, deadline) for the gate's managers, who list them. */
export function createEscalations(services: Services) {
  return {
    async recordEscalation({ crossingId, gate, step, slaAt }: CrossingRef & { step: DecisionStep; slaAt: string }): Promise<void> {
      const inserted = await sqlOf(services.em.fork())(
        `insert into escalation (crossing_id, step, sla_at, gate_code) values (?, ?, ?, ?) on conflict do nothing returning 1`,
        [crossingId, step, slaAt, gate],
      );
      if (inserted.length) log.warn('step overdue: escalated to the gate managers', { crossingId, gate, step, slaAt });
    },
  };
}
