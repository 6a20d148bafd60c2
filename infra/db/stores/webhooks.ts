import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { CrossingEvent } from '../../../domain/crossing-events';
import { ENDED_STATUSES, type BareCrossingView, type CrossingView } from '../../../domain/crossing-view';
import type { Role } from '../../../domain/roles';
import { orderKeyOfCrossing, orderKeyOfGate, webhookEventOf, type DeliveryStatus, type WebhookEvent } from '../../../domain/webhooks';
import { sqlOf } from '../orm';
import { iso } from './timestamps';

/** A subscription as its owner and admins see it: never its secret. */
export interface SubscriptionRow {
  id: string;
  accountId: string;
  role: Role;
  url: string;
  events: WebhookEvent[];
  gates: string[] | null;
  createdAt: string;
}

/** What a delivery needs of its subscription: the sealed secret it signs with. */
export interface SubscriptionCredential extends SubscriptionRow {
  secretSealed: string;
  /** Its owner's account is disabled: nothing is sent until it is enabled again. */
  ownerDisabled: boolean;
}

export interface AttemptRow {
  at: string;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

export interface DeliveryRow {
  eventId: string;
  event: WebhookEvent;
  at: string;
  crossingId: string | null;
  gate: string;
  status: DeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  /** When the next attempt is due; null once delivered or failed, or while an earlier event of its crossing is pending. */
  nextAttemptAt: string | null;
  /** Pending behind an earlier event of the same crossing (or gate), which goes first. */
  waitingBehind: boolean;
  deliveredAt: string | null;
  attemptLog: AttemptRow[];
}

/** A subscription's oldest undelivered event of one crossing (or gate), due now: what a delivery round sends. */
export interface DueDelivery {
  deliveryId: string;
  eventId: string;
  event: WebhookEvent;
  at: string;
  crossingId: string | null;
  gate: string;
  view: CrossingView | BareCrossingView | null;
  data: unknown;
  /** Attempts made in its current window (since the event, or since it was last retried by hand). */
  attempts: number;
}

interface SubscriptionDbRow {
  id: string;
  owner_account_id: string;
  owner_role: Role;
  url: string;
  events: WebhookEvent[];
  gates: string[] | null;
  created_at: Date | string;
  secret_sealed: string;
  owner_disabled: boolean;
}

const SUBSCRIPTION_COLUMNS = `id, owner_account_id, owner_role, url, events, gates, created_at, secret_sealed,
  (select disabled from account where account.id = owner_account_id) as owner_disabled`;

function subscriptionOf(r: SubscriptionDbRow): SubscriptionCredential {
  return {
    id: r.id,
    accountId: r.owner_account_id,
    role: r.owner_role,
    url: r.url,
    events: r.events,
    gates: r.gates,
    createdAt: iso(r.created_at),
    secretSealed: r.secret_sealed,
    ownerDisabled: r.owner_disabled,
  };
}

export function publicSubscription({
  secretSealed: _secret,
  ownerDisabled: _disabled,
  ...subscription
}: SubscriptionCredential): SubscriptionRow {
  return subscription;
}

/**
 * An event's id is the same for every subscription and every write of it: a crossing's from the crossing and its
 * history line (a retried read-model write makes no new event), a gate's from the closure it tells. A receiver
 * de-duplicates by it.
 */
export function eventIdOf(source: string): string {
  const h = createHash('sha256').update(`webhook-event\u0000${source}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Which subscriptions an event at a gate goes to, given `w.event`, `t.gate` and `t.company` (the crossing's company,
 * null for a gate's own event) in scope, and `s`/`o` the subscription and its owner: it asks for the event, names the
 * gate or names none, and its owner may see the crossing as the API would let it: at a gate the account serves, and,
 * for a declarant, of its own company. A gate's event goes to a declarant naming no gate only while its company has a
 * crossing open there: those are the trucks the closure concerns.
 */
const SUBSCRIPTION_MATCH = `
  s.deleted_at is null and not o.disabled and w.event = any(s.events)
  and (s.gates is null or t.gate = any(s.gates))
  and t.gate = any(o.gates)
  and (s.owner_role <> 'DECLARANT'
       or (t.company is not null and s.company_tax_code = t.company)
       or (t.company is null and (s.gates is not null or exists (
             select 1 from crossing c where c.gate_code = t.gate and c.company_tax_code = s.company_tax_code
                and c.status not in (${ENDED_STATUSES.map((s) => `'${s}'`).join(', ')})))))`;

/**
 * A subscription whose round is not running (its lease, `round_until`, absent or run out): only such a one needs a
 * wake. A running round sends every event that becomes due while it lasts (activities/webhooks.ts), and looks once
 * more after giving its lease back.
 */
const NOT_IN_ROUND = `(s.round_until is null or s.round_until < now())`;

/**
 * The part of a crossing's read-model write (one statement: infra/db/stores/read-model.ts) that sends its news out:
 * each history line that is an event becomes one `webhook_event` with the view as it stands, and one delivery per
 * subscription that wants it, only when some subscription does. Written in the same statement as the change, so an
 * event is never lost nor written for a change that did not happen; a repeated write adds nothing (keyed by id).
 * The statement's last select names the subscriptions given work, so their delivery workflows can be woken.
 */
export function crossingEventsCtes(view: CrossingView | BareCrossingView, declarantAccountId: string, events: CrossingEvent[]) {
  const out = events.flatMap((e) => {
    const event = webhookEventOf(e);
    return event ? [{ id: eventIdOf(`crossing:${view.id}:${e.seq}`), event, at: e.at, position: e.seq }] : [];
  });
  return {
    sql: `webhook_target as (
         select ?::text as gate, (select company_tax_code from account where id = ?::uuid) as company
       ), webhook_events as (
         insert into webhook_event (id, event, at, crossing_id, gate_code, view)
         select w.id, w.event, w.at, ?::uuid, t.gate, ?::jsonb
           from jsonb_to_recordset(?::jsonb) as w(id uuid, event text, at timestamptz, position bigint), webhook_target t
          where exists (select 1 from webhook_subscription s join account o on o.id = s.owner_account_id where ${SUBSCRIPTION_MATCH})
         on conflict do nothing
         returning id, event
       ), webhook_queued as (
         insert into webhook_delivery (subscription_id, event_id, order_key, position)
         select s.id, w.id, ?::text, r.position
           from webhook_events w
           join jsonb_to_recordset(?::jsonb) as r(id uuid, position bigint) on r.id = w.id
           cross join webhook_target t
           join webhook_subscription s on true
           join account o on o.id = s.owner_account_id
          where ${SUBSCRIPTION_MATCH}
         on conflict do nothing
         returning subscription_id
       )`,
    params: [
      view.gate,
      declarantAccountId,
      view.id,
      out.length ? JSON.stringify(view) : null,
      JSON.stringify(out),
      orderKeyOfCrossing(view.id),
      JSON.stringify(out),
    ],
    /** The select-list item naming the subscriptions given work that are not in a round (a round finds it itself). */
    woken: `(select coalesce(array_agg(distinct q.subscription_id::text), '{}') from webhook_queued q
              join webhook_subscription s on s.id = q.subscription_id where ${NOT_IN_ROUND}) as webhook_subscriptions`,
  };
}

/** The event's columns a delivery row is read with, in the log and in a round. */
interface EventDbColumns {
  id: string;
  event_id: string;
  event: WebhookEvent;
  at: Date | string;
  crossing_id: string | null;
  gate_code: string;
}

interface DeliveryDbRow extends EventDbColumns {
  status: DeliveryStatus;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: Date | string;
  delivered_at: Date | string | null;
  behind: boolean;
  attempt_log: { at: string; status_code: number | null; error: string | null; duration_ms: number }[] | null;
}

/** Subscriptions, the events written for them and every delivery attempt (API.md "Events out (webhooks)"). */
export class WebhookStore {
  constructor(private readonly em: EntityManager) {}

  async create(s: {
    id: string;
    accountId: string;
    role: Role;
    companyTaxCode: string | null;
    url: string;
    events: readonly WebhookEvent[];
    gates: readonly string[] | null;
    secretSealed: string;
    createdBy: string;
  }): Promise<SubscriptionCredential> {
    const [row] = await sqlOf(this.em)<SubscriptionDbRow>(
      `insert into webhook_subscription (id, owner_account_id, owner_role, company_tax_code, url, events, gates, secret_sealed, created_by)
       select ?, ?, ?, ?, ?, array(select jsonb_array_elements_text(?::jsonb)),
              case when ?::jsonb is null then null else array(select jsonb_array_elements_text(?::jsonb)) end, ?, ?
       returning ${SUBSCRIPTION_COLUMNS}`,
      [
        s.id,
        s.accountId,
        s.role,
        s.companyTaxCode,
        s.url,
        JSON.stringify(s.events),
        s.gates && JSON.stringify(s.gates),
        s.gates && JSON.stringify(s.gates),
        s.secretSealed,
        s.createdBy,
      ],
    );
    return subscriptionOf(row!);
  }

  /** Inside the creating transaction: the owner's lock is taken first, so two requests at once cannot both pass the limit. */
  async countOwned(accountId: string): Promise<number> {
    const [row] = await sqlOf(this.em)<{ n: number }>(
      `select count(*)::int as n from webhook_subscription, (select pg_advisory_xact_lock(hashtext('webhook-owner:' || ?::text))) lock
        where owner_account_id = ? and deleted_at is null`,
      [accountId, accountId],
    );
    return row!.n;
  }

  /** A live subscription, with its sealed secret; undefined when there is none (or it was deleted). */
  async find(id: string): Promise<SubscriptionCredential | undefined> {
    const [row] = await sqlOf(this.em)<SubscriptionDbRow>(
      `select ${SUBSCRIPTION_COLUMNS} from webhook_subscription where id = ? and deleted_at is null`,
      [id],
    );
    return row && subscriptionOf(row);
  }

  /** Live subscriptions, newest first: one owner's, or every one (an admin's list). */
  async list(ownerAccountId?: string): Promise<SubscriptionRow[]> {
    const rows = await sqlOf(this.em)<SubscriptionDbRow>(
      `select ${SUBSCRIPTION_COLUMNS} from webhook_subscription
        where deleted_at is null and (?::uuid is null or owner_account_id = ?::uuid) order by created_at desc, id`,
      [ownerAccountId ?? null, ownerAccountId ?? null],
    );
    return rows.map((r) => publicSubscription(subscriptionOf(r)));
  }

  /** Deletes a subscription: nothing more is sent to it, and its delivery workflow ends at its next round. */
  async remove(id: string, by: string): Promise<boolean> {
    const rows = await sqlOf(this.em)<{ id: string }>(
      'update webhook_subscription set deleted_at = now(), deleted_by = ? where id = ? and deleted_at is null returning id',
      [by, id],
    );
    return rows.length > 0;
  }

  /** The delivery log of a subscription, newest first, each with its attempts. */
  async deliveries(subscriptionId: string, opts: { status?: DeliveryStatus; limit: number; eventId?: string }): Promise<DeliveryRow[]> {
    const rows = await sqlOf(this.em)<DeliveryDbRow>(
      `select d.id, d.event_id, e.event, e.at, e.crossing_id, e.gate_code, d.status, d.attempts, d.last_status_code, d.last_error,
              d.next_attempt_at, d.delivered_at,
              d.status = 'PENDING' and exists (select 1 from webhook_delivery p where p.subscription_id = d.subscription_id
                 and p.order_key = d.order_key and p.status = 'PENDING' and p.position < d.position) as behind,
              (select jsonb_agg(jsonb_build_object('at', a.at, 'status_code', a.status_code, 'error', a.error, 'duration_ms', a.duration_ms)
                                order by a.at)
                 from webhook_attempt a where a.delivery_id = d.id) as attempt_log
         from webhook_delivery d join webhook_event e on e.id = d.event_id
        where d.subscription_id = ? and (?::text is null or d.status = ?::text) and (?::uuid is null or d.event_id = ?::uuid)
        order by d.id desc limit ?`,
      [subscriptionId, opts.status ?? null, opts.status ?? null, opts.eventId ?? null, opts.eventId ?? null, opts.limit],
    );
    return rows.map((r) => ({
      eventId: r.event_id,
      event: r.event,
      at: iso(r.at),
      crossingId: r.crossing_id,
      gate: r.gate_code,
      status: r.status,
      attempts: r.attempts,
      lastStatusCode: r.last_status_code,
      lastError: r.last_error,
      nextAttemptAt: r.status === 'PENDING' && !r.behind ? iso(r.next_attempt_at) : null,
      waitingBehind: r.behind,
      deliveredAt: r.delivered_at === null ? null : iso(r.delivered_at),
      attemptLog: (r.attempt_log ?? []).map((a) => ({
        at: iso(a.at),
        statusCode: a.status_code,
        error: a.error,
        durationMs: a.duration_ms,
      })),
    }));
  }

  /**
   * A failed event is tried again by hand: pending now, with a new retry window from now and its back-off anew. It then waits
   * its turn among its crossing's events still pending (none is, usually: they went on when it failed).
   * 'not-found' when the subscription has no such event, 'not-failed' when it is pending or delivered.
   */
  async retry(subscriptionId: string, eventId: string): Promise<'retried' | 'not-found' | 'not-failed'> {
    const [row] = await sqlOf(this.em)<{ status: DeliveryStatus; retried: boolean }>(
      `with target as (select id, status from webhook_delivery where subscription_id = ? and event_id = ?),
       retried as (
         update webhook_delivery d set status = 'PENDING', next_attempt_at = now(), window_started_at = now(), window_attempts = 0,
                failed_at = null
           from target where d.id = target.id and target.status = 'FAILED' returning d.id)
       select target.status, exists (select 1 from retried) as retried from target`,
      [subscriptionId, eventId],
    );
    if (!row) return 'not-found';
    return row.retried ? 'retried' : 'not-failed';
  }

  /**
   * What a round sends: of each crossing (or gate) with pending events, the oldest, when its next attempt is due.
   * The later ones of that crossing wait behind it, whether it is due or backing off.
   */
  async dueHeads(subscriptionId: string, limit: number): Promise<DueDelivery[]> {
    const rows = await sqlOf(this.em)<EventDbColumns & { view: CrossingView | null; data: unknown; attempts: number }>(
      `select h.id, e.id as event_id, e.event, e.at, e.crossing_id, e.gate_code, e.view, e.data, h.window_attempts as attempts
         from (select distinct on (order_key) id, event_id, next_attempt_at, window_attempts from webhook_delivery
                where subscription_id = ? and status = 'PENDING' order by order_key, position) h
         join webhook_event e on e.id = h.event_id
        where h.next_attempt_at <= now()
        order by h.next_attempt_at, h.id limit ?`,
      [subscriptionId, limit],
    );
    return rows.map((r) => ({
      deliveryId: String(r.id),
      eventId: r.event_id,
      event: r.event,
      at: iso(r.at),
      crossingId: r.crossing_id,
      gate: r.gate_code,
      view: r.view,
      data: r.data,
      attempts: r.attempts,
    }));
  }

  /**
   * One attempt's outcome, in one statement: the delivery DELIVERED on a 2xx; otherwise its next attempt set after
   * `retryInMs`, unless that would fall after its window (from the event, or from a retry by hand), when it is FAILED
   * and its crossing's later events go on; and the attempt logged. A delivery already settled (the attempt of a round
   * that outlived its activity) is left as it is and logs nothing.
   */
  async recordAttempt(
    deliveryId: string,
    outcome: {
      delivered: boolean;
      statusCode: number | null;
      error: string | null;
      durationMs: number;
      retryInMs: number;
      windowMs: number;
    },
  ): Promise<void> {
    await sqlOf(this.em)(
      `with o as (select ?::boolean as delivered, ?::integer as status_code, ?::text as error, ?::integer as duration_ms,
                         make_interval(secs => ?::double precision / 1000) as retry_in,
                         make_interval(secs => ?::double precision / 1000) as win),
       settled as (
         update webhook_delivery d set
           attempts = d.attempts + 1,
           window_attempts = d.window_attempts + 1,
           last_status_code = o.status_code,
           last_error = o.error,
           status = case when o.delivered then 'DELIVERED'
                         when now() + o.retry_in > coalesce(d.window_started_at, d.created_at) + o.win then 'FAILED'
                         else 'PENDING' end,
           delivered_at = case when o.delivered then now() end,
           failed_at = case when not o.delivered and now() + o.retry_in > coalesce(d.window_started_at, d.created_at) + o.win
                            then now() end,
           next_attempt_at = now() + o.retry_in
         from o where d.id = ? and d.status = 'PENDING'
         returning d.id
       )
       insert into webhook_attempt (delivery_id, at, status_code, error, duration_ms)
       select settled.id, now() - make_interval(secs => o.duration_ms::double precision / 1000), o.status_code, o.error, o.duration_ms
         from settled, o`,
      [outcome.delivered, outcome.statusCode, outcome.error, outcome.durationMs, outcome.retryInMs, outcome.windowMs, deliveryId],
    );
  }

  /** How long until the subscription's next head is due (0 when one is due now); null when nothing is pending. */
  async nextDueInMs(subscriptionId: string): Promise<number | null> {
    const [row] = await sqlOf(this.em)<{ due_in_ms: number | null }>(
      `select greatest(0, extract(epoch from min(h.next_attempt_at) - now()) * 1000)::float8 as due_in_ms
         from (select distinct on (order_key) next_attempt_at from webhook_delivery
                where subscription_id = ? and status = 'PENDING' order by order_key, position) h`,
      [subscriptionId],
    );
    return row?.due_in_ms ?? null;
  }

  /**
   * Subscriptions with an event due now and no round running: a wake was lost (Temporal away at that moment, or a write
   * that saw a round's lease as it was being given back). The worker's keeper wakes them.
   */
  async needingWake(): Promise<string[]> {
    const rows = await sqlOf(this.em)<{ id: string }>(
      `select s.id from webhook_subscription s join account o on o.id = s.owner_account_id
        where s.deleted_at is null and not o.disabled and ${NOT_IN_ROUND}
          and exists (select 1 from webhook_delivery d
                       where d.subscription_id = s.id and d.status = 'PENDING' and d.next_attempt_at <= now()
                         and not exists (select 1 from webhook_delivery p where p.subscription_id = s.id and p.order_key = d.order_key
                                            and p.status = 'PENDING' and p.position < d.position))`,
    );
    return rows.map((r) => r.id);
  }

  /** A round takes the subscription's lease for `ms`, or gives it back (null). */
  async leaseRound(subscriptionId: string, ms: number | null): Promise<void> {
    await sqlOf(this.em)(
      `update webhook_subscription set round_until = case when ?::double precision is null then null
                                                        else now() + make_interval(secs => ?::double precision / 1000) end
        where id = ?`,
      [ms, ms, subscriptionId],
    );
  }

  /**
   * A gate's own event (closed, reopened), written in the closure's transaction to every subscription that wants it;
   * returns the subscriptions given work.
   */
  async enqueueGateEvent(e: { source: string; event: WebhookEvent; gate: string; at: Date; data: unknown }): Promise<string[]> {
    const id = eventIdOf(e.source);
    const [row] = await sqlOf(this.em)<{ subscriptions: string[] }>(
      `with t as (select ?::text as gate, null::text as company), w as (select ?::text as event),
       event_row as (
         insert into webhook_event (id, event, at, gate_code, data)
         select ?::uuid, w.event, ?, t.gate, ?::jsonb from t, w
          where exists (select 1 from webhook_subscription s join account o on o.id = s.owner_account_id where ${SUBSCRIPTION_MATCH})
         on conflict do nothing returning id
       ), queued as (
         insert into webhook_delivery (subscription_id, event_id, order_key, position)
         select s.id, event_row.id, ?, nextval('webhook_gate_event_seq')
           from event_row cross join t cross join w
           join webhook_subscription s on true join account o on o.id = s.owner_account_id
          where ${SUBSCRIPTION_MATCH}
         returning subscription_id
       )
       select coalesce(array_agg(q.subscription_id::text), '{}') as subscriptions
         from queued q join webhook_subscription s on s.id = q.subscription_id where ${NOT_IN_ROUND}`,
      [e.gate, e.event, id, e.at, JSON.stringify(e.data), orderKeyOfGate(e.gate)],
    );
    return row?.subscriptions ?? [];
  }
}
