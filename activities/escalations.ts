import { log } from '@temporalio/activity';
import type { DecisionStep } from '../domain/steps';
import type { Services } from '../infra/db/orm';
import type { CrossingRef } from './yard';

/** A step past its SLA: recorded once per (crossing, step, deadline) for the gate's managers, who list them. */
export function createEscalations({ em }: Services) {
  return {
    async recordEscalation({ crossingId, gate, step, slaAt }: CrossingRef & { step: DecisionStep; slaAt: string }): Promise<void> {
      const inserted = await em
        .getConnection()
        .execute(
          `insert into escalation (crossing_id, step, sla_at, gate_code) values (?, ?, ?, ?) on conflict do nothing`,
          [crossingId, step, slaAt, gate],
          'run',
        );
      if ((inserted as { affectedRows?: number }).affectedRows)
        log.warn('step overdue: escalated to the gate managers', { crossingId, gate, step, slaAt });
    },
  };
}
