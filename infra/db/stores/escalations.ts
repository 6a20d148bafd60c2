import type { EntityManager } from '@mikro-orm/postgresql';
import type { DecisionStep } from '../../../domain/steps';
import { sqlOf } from '../orm';

/** Steps past their SLA, for the gate's managers: one row per (crossing, step, deadline). */
export class EscalationStore {
  constructor(private readonly em: EntityManager) {}

  /** Records the escalation; answers whether it is new (a retry or a repeat records nothing more). */
  async record(escalation: { crossingId: string; gate: string; step: DecisionStep; slaAt: string }): Promise<boolean> {
    const inserted = await sqlOf(this.em)(
      'insert into escalation (crossing_id, step, sla_at, gate_code) values (?, ?, ?, ?) on conflict do nothing returning 1',
      [escalation.crossingId, escalation.step, escalation.slaAt, escalation.gate],
    );
    return inserted.length > 0;
  }
}
