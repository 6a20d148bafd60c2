import type { CrossingView } from '../domain/crossing-view';
import { normalisePlate } from '../domain/identifiers';
import { auditEntriesJson, type AuditInput } from '../infra/audit';
import { sqlOf, type Services } from '../infra/db/orm';
import { POLICY_STAMP_SQL } from './deadline-policy';
import type { CrossingEvent } from '../workflows/crossing-state';

export interface CrossingSnapshot {
  view: CrossingView;
  declarantAccountId: string;
  /** Who submitted the current declaration version, and when. */
  submission: { by: string; at: string };
  /** History events since the last snapshot. */
  events: CrossingEvent[];
}

/**
 * The crossings read model. The workflow is the source of truth; this activity copies its state into PostgreSQL for
 * lists, queues, history and statistics, in one transaction. Every write is idempotent: the crossing row is an upsert
 * that never moves `updated_at` backwards, and versions and events are keyed, so a retried activity writes once.
 */
export function createCrossingStore({ em }: Services) {
  return {
    /**
     * Returns the deadline-policy stamp of the crossing's gate and category as of this write, so the workflow learns
     * in the same round trip whether the policies it keeps are still the ones in force.
     */
    async recordCrossing({ view, declarantAccountId, submission, events }: CrossingSnapshot): Promise<{ policyStamp: string }> {
      const current = view.steps.find((s) => s.step === view.currentStep);
      // One statement, so one round trip and its own transaction: PostgreSQL runs every data-modifying part of a WITH
      // to completion, atomically with the audit append in the final select.
      const [row] = await sqlOf(em.fork())<{ policy_stamp: string }>(
        `with crossing_row as (
           insert into crossing (id, gate_code, direction, category, status, current_step, step_started_at, overdue,
                                 plate, declarant_account_id, company_tax_code, declaration_version, created_at, updated_at, view,
                                 incident)
           select ?, ?, ?, ?, ?, ?, ?, ?, ?, a.id, a.company_tax_code, ?, ?, ?, ?, ?::jsonb
             from account a where a.id = ?
           on conflict (id) do update set
             status = excluded.status, category = excluded.category, current_step = excluded.current_step,
             step_started_at = excluded.step_started_at, overdue = excluded.overdue, plate = excluded.plate,
             declaration_version = excluded.declaration_version, updated_at = excluded.updated_at, view = excluded.view,
             incident = excluded.incident
           where crossing.updated_at <= excluded.updated_at
         ), version_row as (
           insert into declaration_version (crossing_id, version, body, submitted_by, submitted_at)
           values (?, ?, ?, ?, ?) on conflict do nothing
         ), event_rows as (
           insert into crossing_event (crossing_id, seq, at, type, step, actor_account_id, actor_role, data)
           select ?, e.seq, e.at, e.type, e.step, e.actor_account_id, e.actor_role, coalesce(e.data, '{}')
             from jsonb_to_recordset(?::jsonb)
                  as e(seq integer, at timestamptz, type text, step text, actor_account_id uuid, actor_role text, data jsonb)
           on conflict do nothing
         )
         select append_audit(?::jsonb), ${POLICY_STAMP_SQL} as policy_stamp`,
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
          JSON.stringify(view),
          view.incident ? JSON.stringify(view.incident) : null,
          declarantAccountId,
          view.id,
          view.declarationVersion,
          JSON.stringify(view.declaration),
          submission.by,
          submission.at,
          view.id,
          JSON.stringify(
            events.map((e) => ({
              seq: e.seq,
              at: e.at,
              type: e.type,
              step: e.step ?? null,
              actor_account_id: e.actor?.accountId ?? null,
              actor_role: e.actor?.role ?? null,
              data: e.data ?? {},
            })),
          ),
          JSON.stringify(auditEntriesJson(events.filter(isAudited).map((e) => auditEntryOf(view.id, e)))),
          view.gate,
          view.category,
        ],
      );
      return { policyStamp: row.policy_stamp };
    },

    /**
     * The crossing's incident, where managers list it and the read-model view shows it, written on its own: when the
     * work that failed was the read-model write itself, the incident must not depend on it.
     */
    async recordIncident({ view, declarantAccountId }: Pick<CrossingSnapshot, 'view' | 'declarantAccountId'>): Promise<void> {
      const incident = JSON.stringify(view.incident);
      await sqlOf(em.fork())(
        `insert into crossing (id, gate_code, direction, category, status, current_step, plate, declarant_account_id,
                               company_tax_code, declaration_version, created_at, updated_at, view, incident)
         select ?, ?, ?, ?, ?, ?, ?, a.id, a.company_tax_code, ?, ?, ?, ?, ?::jsonb from account a where a.id = ?
         on conflict (id) do update set incident = excluded.incident,
           view = jsonb_set(coalesce(crossing.view, excluded.view), '{incident}', excluded.incident)`,
        [
          view.id,
          view.gate,
          view.direction,
          view.category,
          view.status,
          view.currentStep,
          normalisePlate(view.declaration.vehicle.plate),
          view.declarationVersion,
          view.createdAt,
          view.updatedAt,
          JSON.stringify(view),
          incident,
          declarantAccountId,
        ],
      );
    },
  };
}

/**
 * Derived bookkeeping (a step opening, its deadlines armed or re-armed after a policy change) is history, not an
 * action: it is not audited. The admin's policy change itself is audited once, where it is made.
 */
const NOT_AUDITED = new Set(['STEP_STARTED', 'DEADLINES_ARMED', 'DEADLINES_REARMED', 'RETURNED']);
const isAudited = (e: CrossingEvent) => !NOT_AUDITED.has(e.type);

function auditEntryOf(crossingId: string, e: CrossingEvent): AuditInput {
  return {
    at: new Date(e.at),
    actor: e.actor?.accountId ?? 'system',
    action: e.type === 'DECISION' ? `DECISION_${String(e.data?.outcome)}` : e.type,
    crossingId,
    details: { step: e.step, ...e.data },
    sourceKey: `crossing:${crossingId}:${e.seq}`,
  };
}
