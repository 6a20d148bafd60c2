import type { CrossingView } from '../domain/crossing-view';
import { normalisePlate } from '../domain/identifiers';
import type { Services } from '../infra/db/orm';

export interface CrossingSnapshot {
  view: CrossingView;
  declarantAccountId: string;
}

/**
 * The crossings read model. The workflow is the source of truth; these activities copy its state into PostgreSQL for
 * lists, queues and statistics. Every write is an idempotent upsert, so a retried activity writes once, and a stale
 * retry never overwrites a newer state (`updated_at` only moves forward).
 */
export function createCrossingStore({ em }: Services) {
  return {
    async recordCrossing({ view, declarantAccountId }: CrossingSnapshot): Promise<void> {
      const current = view.steps.find((s) => s.step === view.currentStep);
      await em.fork().transactional(async (tx) => {
        const conn = tx.getConnection();
        await conn.execute(
          `insert into crossing (id, gate_code, direction, category, status, current_step, step_started_at, overdue,
                                 plate, declarant_account_id, company_tax_code, declaration_version, created_at, updated_at)
           select ?, ?, ?, ?, ?, ?, ?, ?, ?, a.id, a.company_tax_code, ?, ?, ?
             from account a where a.id = ?
           on conflict (id) do update set
             status = excluded.status, category = excluded.category, current_step = excluded.current_step,
             step_started_at = excluded.step_started_at, overdue = excluded.overdue, plate = excluded.plate,
             declaration_version = excluded.declaration_version, updated_at = excluded.updated_at
           where crossing.updated_at <= excluded.updated_at`,
          [
            view.id,
            view.gate,
            view.direction,
            view.category,
            view.status,
            view.currentStep,
            current?.startedAt ?? null,
            current?.status === 'OVERDUE',
            normalisePlate(view.declaration.vehicle.plate),
            view.declarationVersion,
            view.createdAt,
            view.updatedAt,
            declarantAccountId,
          ],
        );
        await conn.execute(
          `insert into declaration_version (crossing_id, version, body, submitted_by, submitted_at)
           values (?, ?, ?, ?, ?) on conflict do nothing`,
          [view.id, view.declarationVersion, JSON.stringify(view.declaration), declarantAccountId, view.updatedAt],
        );
      });
    },
  };
}
