import type { EntityManager } from '@mikro-orm/postgresql';
import type { Category } from '../../../domain/category';
import type { CrossingEvent } from '../../../domain/crossing-events';
import type { CrossingSnapshot } from '../../../domain/crossing-snapshot';
import {
  bareView,
  ENDED_STATUSES,
  type BareCrossingView,
  type CrossingStatus,
  type CrossingView,
  type Incident,
} from '../../../domain/crossing-view';
import { DEFAULT_CUSTOMS_CHANNEL, type CustomsChannel } from '../../../domain/gate-points';
import { normalisePlate } from '../../../domain/identifiers';
import { driverMessage, type NotificationDraft } from '../../../domain/notifications';
import type { QueueStatus } from '../../../domain/queue';
import type { Role } from '../../../domain/roles';
import { auditEntriesJson, type AuditInput } from '../../audit';
import { isTransientDatabaseError } from '../errors';
import type { TokenGuard } from './request-opening';
import { sqlOf } from '../orm';
import { iso } from './timestamps';
import { POLICY_STAMP_SQL } from './deadline-policies';
import { Where } from './sql-where';
import { crossingEventsCtes } from './webhooks';

/** The columns of a crossing's row that decide who may see or act on it, and its last view (bare after an incident). */
export interface CrossingOwnership {
  id: string;
  gate_code: string;
  company_tax_code: string;
  view: CrossingView | BareCrossingView;
}

export interface ListItem {
  id: string;
  gate: string;
  direction: string;
  category: Category;
  status: CrossingStatus;
  currentStep: string | null;
  stepStartedAt: string | null;
  overdue: boolean;
  plate: string;
  declarationVersion: number;
  customsChannel: CustomsChannel;
  /** Its queue entry's status where the gate keeps a queue. */
  queueStatus: QueueStatus | null;
  createdAt: string;
  updatedAt: string;
  incident: Incident | null;
}

/** What a list may be narrowed to; `gates`, `company` and `steps` are the caller's scope, the rest its filters. */
export interface ListFilter {
  gates?: readonly string[];
  company?: string | null;
  steps?: readonly string[];
  statuses?: readonly CrossingStatus[];
  gate?: string;
  category?: Category;
  overdue?: boolean;
  plate?: string;
  incident?: boolean;
  /** A work queue (priority first, then the longest waiting) instead of newest first. */
  queue: boolean;
  /** The sort key of the last row of the previous page. */
  after?: unknown[];
  limit: number;
  /** Read only while the caller's token holds (a list read from the token's claims); the store sets `guard.held`. */
  guard?: TokenGuard;
}

interface Row {
  id: string;
  gate_code: string;
  direction: string;
  category: Category;
  status: CrossingStatus;
  current_step: string | null;
  step_started_at: Date | string | null;
  overdue: boolean;
  plate: string;
  declaration_version: number;
  customs_channel: CustomsChannel | null;
  created_at: Date | string;
  updated_at: Date | string;
  incident: Incident | null;
  at_gate: boolean;
  queue_status: QueueStatus | null;
}

/**
 * Derived bookkeeping (a step opening, its deadlines armed or re-armed after a policy change) is history, not an
 * action: it is not audited. The admin's policy change itself is audited once, where it is made.
 */
const NOT_AUDITED = new Set(['STEP_STARTED', 'DEADLINES_ARMED', 'DEADLINES_REARMED', 'RETURNED']);

function auditEntryOf(crossingId: string, e: CrossingEvent): AuditInput {
  return {
    at: new Date(e.at),
    // A device's read (ARRIVED) is the device's doing; a guard who linked it by hand is named in its data.
    actor: e.actor?.accountId ?? (typeof e.data?.device === 'string' ? `device:${e.data.device}` : 'system'),
    action: e.type === 'DECISION' ? `DECISION_${String(e.data?.outcome)}` : e.type,
    crossingId,
    details: { step: e.step, ...e.data },
    sourceKey: `crossing:${crossingId}:${e.seq}`,
  };
}

/**
 * The upsert of a crossing's row from its view: the list columns and the view itself. It never moves `updated_at`
 * backwards, so a late or repeated write cannot undo a newer one.
 */
/**
 * The queue entry's part of a crossing's write: it joins with its declaration (as it stands by then, should the first
 * write come late), follows its priority and whether its form stands (`held` while a corrected form is awaited: it
 * keeps its place, uncalled), leaves the waiting line when it arrives (the queue then has no more say), and leaves the
 * queue when it ends (DONE), giving back the place a call reserved for it: its undos know only of places taken at
 * border entry.
 */
function queueParams(view: CrossingView, events: CrossingEvent[]): unknown[] {
  const joined = events.find((e) => e.type === 'QUEUE_JOINED');
  const queued = view.queue != null;
  const ended = queued && ENDED_STATUSES.includes(view.status);
  const arrived = view.queue?.status === 'ARRIVED';
  const priority = view.declaration.priority !== null;
  const held = view.status === 'AWAITING_CORRECTION';
  const entry = joined && {
    crossing_id: view.id,
    gate_code: view.gate,
    direction: view.direction,
    priority,
    held,
    plate: view.declaration.vehicle.plate,
    status: ended ? 'DONE' : arrived ? 'ARRIVED' : 'WAITING',
    joined_at: joined.at,
  };
  const sync = queued ? { crossing_id: view.id, ended, arrived, priority, held } : { crossing_id: null };
  return [JSON.stringify(entry ?? { crossing_id: null }), JSON.stringify(sync), view.id, ended];
}

/** The SMS a change sends from the crossing itself: a form returned to the declarant, the crossing cleared. */
function crossingMessages(view: CrossingView, events: CrossingEvent[]): NotificationDraft[] {
  const facts = { gate: view.gate, plate: view.declaration.vehicle.plate };
  return events.flatMap((e) => {
    const event = e.type === 'RETURNED' ? 'RETURNED' : e.type === 'ENDED' && e.data?.status === 'CLEARED' ? 'CLEARED' : undefined;
    if (!event) return [];
    const draft = driverMessage(event, { ...facts, step: e.step }, view.declaration.driver, {
      messageId: `crossing:${view.id}:${e.seq}`,
      crossingId: view.id,
    });
    return draft ? [draft] : [];
  });
}

const notificationRow = (d: NotificationDraft) => ({
  message_id: d.messageId,
  crossing_id: d.crossingId,
  gate_code: d.gate,
  event: d.event,
  phone: d.phone,
  language: d.language,
  body: d.body,
});

function crossingRowUpsert(view: CrossingView | BareCrossingView, declarantAccountId: string): { sql: string; params: unknown[] } {
  const current = view.steps.find((s) => s.step === view.currentStep);
  return {
    sql: `insert into crossing (id, gate_code, direction, category, status, current_step, step_started_at, overdue,
                               plate, declarant_account_id, company_tax_code, declaration_version, created_at, updated_at, view,
                               incident, customs_channel, at_gate, queue_status)
         select ?, ?, ?, ?, ?, ?, ?, ?, ?, a.id, a.company_tax_code, ?, ?, ?, ?, ?::jsonb, ?, ?, ?
           from account a where a.id = ?
         on conflict (id) do update set
           status = excluded.status, category = excluded.category, current_step = excluded.current_step,
           step_started_at = excluded.step_started_at, overdue = excluded.overdue, plate = excluded.plate,
           declaration_version = excluded.declaration_version, updated_at = excluded.updated_at, view = excluded.view,
           incident = excluded.incident, customs_channel = excluded.customs_channel, at_gate = excluded.at_gate,
           queue_status = excluded.queue_status
         where crossing.updated_at <= excluded.updated_at`,
    params: [
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
      view.customsChannel ?? null,
      !view.queue || view.queue.status === 'CALLED' || view.queue.status === 'ARRIVED',
      view.queue?.status ?? null,
      declarantAccountId,
    ],
  };
}

/**
 * The crossings read model: what lists, work queues, history and statistics read. The workflow is the source of truth;
 * its activity copies each change here before the change is answered, so a read after a 2xx shows it. Every write is
 * idempotent: the crossing row is an upsert that never moves `updated_at` backwards, versions and events are keyed,
 * and audit entries carry a source key.
 */
export class CrossingReadModel {
  constructor(private readonly em: EntityManager) {}

  /**
   * Writes a crossing's state, its new declaration version and history events, and their audit entries, in one
   * statement (one round trip, its own transaction: PostgreSQL runs every data-modifying part of a WITH to completion,
   * atomically with the audit append in the final select). Returns the deadline-policy stamp of the crossing's gate and
   * category as of this write, so the workflow learns in the same round trip whether the policies it keeps still hold.
   */
  /**
   * `driverLink`, with the declaration: the driver's link (its token's hash) and the SMS that carries it, written only
   * when the crossing has no link yet, so that a retried write neither replaces the link nor sends a second SMS.
   */
  async record(
    { view, declarantAccountId, submission, events }: CrossingSnapshot,
    driverLink?: { tokenHash: string; sms: NotificationDraft | undefined },
  ): Promise<{ policyStamp: string; webhookSubscriptions: string[] }> {
    const crossingRow = crossingRowUpsert(view, declarantAccountId);
    const webhooks = crossingEventsCtes(view, declarantAccountId, events);
    const [row] = await sqlOf(this.em)<{ policy_stamp: string; webhook_subscriptions: string[] }>(
      `with crossing_row as (${crossingRow.sql}
       ), version_row as (
         insert into declaration_version (crossing_id, version, body, submitted_by, submitted_at)
         values (?, ?, ?, ?, ?) on conflict do nothing
       ), event_rows as (
         insert into crossing_event (crossing_id, seq, at, type, step, actor_account_id, actor_role, data)
         select ?, e.seq, e.at, e.type, e.step, e.actor_account_id, e.actor_role, coalesce(e.data, '{}')
           from jsonb_to_recordset(?::jsonb)
                as e(seq integer, at timestamptz, type text, step text, actor_account_id uuid, actor_role text, data jsonb)
         on conflict do nothing
       ), queue_joined as (
         insert into queue_entry (crossing_id, gate_code, direction, priority, held, plate, status, joined_at, arrived_at, left_at)
         select q.crossing_id, q.gate_code, q.direction, q.priority, q.held, q.plate, q.status, q.joined_at,
                case when q.status = 'ARRIVED' then now() end, case when q.status = 'DONE' then now() end
           from jsonb_to_record(?::jsonb) as q(crossing_id uuid, gate_code text, direction text, priority boolean, held boolean,
                                               plate text, status text, joined_at timestamptz)
          where q.crossing_id is not null
         on conflict do nothing
       ), queue_synced as (
         update queue_entry e
            set status = case when q.ended then 'DONE'
                              when q.arrived and e.status in ('WAITING', 'CALLED', 'NO_SHOW', 'EXPIRING') then 'ARRIVED'
                              else e.status end,
                arrived_at = case when q.arrived and not q.ended then coalesce(e.arrived_at, now()) else e.arrived_at end,
                left_at = case when q.ended then coalesce(e.left_at, now()) else e.left_at end,
                priority = case when e.status in ('WAITING', 'NO_SHOW') then q.priority else e.priority end,
                held = q.held
           from jsonb_to_record(?::jsonb) as q(crossing_id uuid, ended boolean, arrived boolean, priority boolean, held boolean)
          where e.crossing_id = q.crossing_id and e.status <> 'DONE'
            and (q.ended or (q.arrived and e.status <> 'ARRIVED') or e.priority is distinct from q.priority or e.held is distinct from q.held)
       ), place_freed as (
         update yard_reservation set released_at = now() where crossing_id = ? and ?::boolean and released_at is null
       ), notified as (
         insert into notification (message_id, crossing_id, gate_code, event, phone, language, body)
         select n.message_id, n.crossing_id, n.gate_code, n.event, n.phone, n.language, n.body
           from jsonb_to_recordset(?::jsonb)
                as n(message_id text, crossing_id uuid, gate_code text, event text, phone text, language text, body text)
         on conflict do nothing
       ), link_issued as (
         insert into driver_link (crossing_id, token_hash, issued_at)
         select ?::uuid, ?::text, now() where ?::text is not null
         on conflict do nothing returning crossing_id
       ), link_sent as (
         insert into notification (message_id, crossing_id, gate_code, event, phone, language, body)
         select n.message_id, n.crossing_id, n.gate_code, n.event, n.phone, n.language, n.body
           from jsonb_to_recordset(?::jsonb)
                as n(message_id text, crossing_id uuid, gate_code text, event text, phone text, language text, body text)
          where exists (select 1 from link_issued)
         on conflict do nothing
       ), ${webhooks.sql}
       select append_audit(?::jsonb), ${POLICY_STAMP_SQL} as policy_stamp, ${webhooks.woken}`,
      [
        ...crossingRow.params,
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
        ...queueParams(view, events),
        JSON.stringify(crossingMessages(view, events).map(notificationRow)),
        view.id,
        driverLink?.tokenHash ?? null,
        driverLink?.tokenHash ?? null,
        JSON.stringify(driverLink?.sms ? [notificationRow(driverLink.sms)] : []),
        ...webhooks.params,
        JSON.stringify(auditEntriesJson(events.filter((e) => !NOT_AUDITED.has(e.type)).map((e) => auditEntryOf(view.id, e)))),
        view.gate,
        view.category,
      ],
    );
    return { policyStamp: row.policy_stamp, webhookSubscriptions: row.webhook_subscriptions };
  }

  /**
   * A crossing's incident, written with the crossing's whole view so that lists, queues and `GET` show what the
   * Update answered: the crossing held at its step with the incident on it. Only the crossing row is written: when the
   * work that failed was the full read-model write itself, the incident must not depend on its other parts (history,
   * versions, audit follow with the next successful write). When PostgreSQL refuses the row itself (the failed write
   * was this same upsert, refused for a value in the view), the row is written with the bare view (domain
   * `bareView`): without any row the crossing would be 404 to everyone, missing from `?incident=true`, and no admin
   * could retry it. A transient failure is not a refusal: it is retried as it is.
   */
  async recordIncident({ view, declarantAccountId }: Pick<CrossingSnapshot, 'view' | 'declarantAccountId'>): Promise<void> {
    const sql = sqlOf(this.em);
    const whole = crossingRowUpsert(view, declarantAccountId);
    try {
      await sql(whole.sql, whole.params);
    } catch (err) {
      if (isTransientDatabaseError(err)) throw err;
      const bare = crossingRowUpsert(bareView(view), declarantAccountId);
      await sql(bare.sql, bare.params);
    }
  }

  async ownership(id: string): Promise<CrossingOwnership | undefined> {
    const [row] = await sqlOf(this.em)<CrossingOwnership>('select id, gate_code, company_tax_code, view from crossing where id = ?', [id]);
    return row;
  }

  /** A page of crossings and the sort key of its last row when another page follows. */
  async list(filter: ListFilter): Promise<{ items: ListItem[]; nextKey?: unknown[] }> {
    const where = new Where();
    if (filter.company !== undefined) where.add('company_tax_code = ?', filter.company);
    if (filter.gates) where.in('gate_code', filter.gates);
    if (filter.steps) where.in('current_step', filter.steps);
    if (filter.statuses) where.in('status', filter.statuses);
    if (filter.gate) where.add('gate_code = ?', filter.gate);
    if (filter.category) where.add('category = ?', filter.category);
    if (filter.overdue !== undefined) where.add('overdue = ?', filter.overdue);
    if (filter.plate) where.add('plate = ?', normalisePlate(filter.plate));
    if (filter.incident !== undefined) where.add(filter.incident ? 'incident is not null' : 'incident is null');

    // Sort keys: a work queue by (called or arrived first, priority first, oldest wait, id); everything else by
    // (newest, id). The booleans sort true first, so a later page has a smaller one or the same and a later rest.
    const after = filter.after;
    let order: string;
    if (filter.queue) {
      order = `at_gate desc, (category = 'PRIORITY') desc, step_started_at asc, id asc`;
      if (after)
        where.add(
          `(at_gate < ? or (at_gate = ? and ((category = 'PRIORITY') < ? or ((category = 'PRIORITY') = ? and (step_started_at, id) > (?, ?)))))`,
          after[0],
          after[0],
          after[1],
          after[1],
          after[2],
          after[3],
        );
    } else {
      order = 'created_at desc, id desc';
      if (after) where.add('(created_at, id) < (?, ?)', after[0], after[1]);
    }
    const pageSql = `select id, gate_code, direction, category, status, current_step, step_started_at, overdue, plate, declaration_version,
              customs_channel, created_at, updated_at, incident, at_gate, queue_status
         from crossing where ${where.sql}
        order by ${order} limit ?`;
    const { guard } = filter;
    // With a token guard: no row at all when it does not hold; a row of nulls for an empty page when it does.
    const rows = guard
      ? await sqlOf(this.em)<Row>(
          `select c.* from (select 1 as one) one left join lateral (${pageSql}) c on true where ${guard.sql} order by ${order}`,
          [...where.params, filter.limit + 1, ...guard.params],
        )
      : await sqlOf(this.em)<Row>(pageSql, [...where.params, filter.limit + 1]);
    if (guard) {
      guard.held = rows.length > 0;
      if (rows.length === 1 && rows[0].id === null) rows.pop();
    }
    const page = rows.slice(0, filter.limit);
    const last = page[page.length - 1];
    const nextKey =
      rows.length > filter.limit && last
        ? filter.queue
          ? [last.at_gate, last.category === 'PRIORITY', last.step_started_at && iso(last.step_started_at), last.id]
          : [iso(last.created_at), last.id]
        : undefined;
    return {
      items: page.map((r) => ({
        id: r.id,
        gate: r.gate_code,
        direction: r.direction,
        category: r.category,
        status: r.status,
        currentStep: r.current_step,
        stepStartedAt: r.step_started_at ? iso(r.step_started_at) : null,
        overdue: r.overdue,
        plate: r.plate,
        declarationVersion: r.declaration_version,
        customsChannel: r.customs_channel ?? DEFAULT_CUSTOMS_CHANNEL,
        queueStatus: r.queue_status,
        createdAt: iso(r.created_at),
        updatedAt: iso(r.updated_at),
        incident: r.incident,
      })),
      nextKey,
    };
  }

  /** Every event of a crossing with its actor, and every declaration version with who submitted it. */
  async history(id: string) {
    const sql = sqlOf(this.em);
    const events = await sql<{
      seq: number;
      at: string;
      type: string;
      step: string | null;
      data: unknown;
      actor_account_id: string | null;
      actor_role: Role | null;
      actor_username: string | null;
    }>(
      `select e.seq, e.at, e.type, e.step, e.data, e.actor_account_id, e.actor_role, a.username as actor_username
         from crossing_event e left join account a on a.id = e.actor_account_id
        where e.crossing_id = ? order by e.seq`,
      [id],
    );
    const versions = await sql<{ version: number; submitted_at: string; body: unknown; account_id: string; username: string }>(
      `select v.version, v.submitted_at, v.body, a.id as account_id, a.username
         from declaration_version v join account a on a.id = v.submitted_by
        where v.crossing_id = ? order by v.version`,
      [id],
    );
    return {
      items: events.map((e) => ({
        seq: e.seq,
        at: iso(e.at),
        type: e.type,
        step: e.step ?? null,
        actor: e.actor_account_id ? { accountId: e.actor_account_id, username: e.actor_username, role: e.actor_role } : null,
        data: e.data,
      })),
      declarationVersions: versions.map((v) => ({
        version: v.version,
        submittedAt: iso(v.submitted_at),
        submittedBy: { accountId: v.account_id, username: v.username },
        declaration: v.body,
      })),
    };
  }
}
