import type { EntityManager } from '@mikro-orm/postgresql';
import type { Category } from '../../../domain/category';
import { DIRECTIONS, type Direction } from '../../../domain/declaration';
import { driverMessage, type NotificationDraft, type NotificationEvent } from '../../../domain/notifications';
import {
  callOrder,
  estimatedCallAt,
  pickCalls,
  positionOf,
  QUEUE_EXPIRY_REASONS,
  type QueueExpiryReason,
  type QueueNotice,
  type QueuePlace,
  type QueueSettings,
  type QueueSettingsText,
  type QueueStatus,
} from '../../../domain/queue';
import { parseDuration } from '../../../domain/durations';
import type { Sql } from '../../audit';
import { sqlOf } from '../orm';
import { enqueueNotifications } from './notifications';

/** An open closure of a gate: why, until when it is expected, and who closed it. */
export interface Closure {
  id: string;
  reason: string;
  expectedReopenAt: string | null;
  closedAt: string;
  closedBy: string;
}

/** A gate's queue as its settings and closure say: `settings` null where the gate keeps no queue. */
export interface GateQueue {
  gate: string;
  name: string;
  settings: QueueSettings | null;
  closure: Closure | null;
}

/** One entry of `GET /v1/gates/{code}/queue`. */
export interface QueueListEntry {
  crossingId: string;
  direction: Direction;
  plate: string;
  category: Category;
  priority: boolean;
  status: QueueStatus;
  position: number | null;
  joinedAt: string;
  calledAt: string | null;
  arriveBy: string | null;
  estimatedCallAt: string | null;
  noShows: number;
  /** Whose crossing it is, for the declarant's filter (not answered). */
  companyTaxCode: string;
}

/** What one dispatch round did, and when the next thing falls due (a called truck's arrival deadline, a longest wait). */
export interface DispatchRound {
  keepsQueue: boolean;
  called: string[];
  noShows: string[];
  expired: string[];
  /** How long until the next thing falls due, by PostgreSQL's clock (the one `arriveBy` is set by); null: nothing. */
  dueInMs: number | null;
}

/** The facts a message to a driver is made of, read from the crossing's view. */
interface DriverFacts {
  crossing_id: string;
  seq: number;
  arrive_by: string | null;
  no_shows: number;
  plate: string;
  phone: string | null;
  nationality: string;
}

const DRIVER_FACTS = `c.view->'declaration'->'vehicle'->>'plate' as plate,
                      c.view->'declaration'->'driver'->>'phone' as phone,
                      c.view->'declaration'->'driver'->>'nationality' as nationality`;

const WAITING = `('WAITING', 'NO_SHOW')`;
const lockOf = (gate: string) => `queue:${gate}`;
const iso = (value: string | Date | null): string | null => (value === null ? null : new Date(value).toISOString());

/**
 * The virtual queue's order and what happens to it, in PostgreSQL (the technical note in the README says why here
 * and not in a workflow). Each gate's changes are serialised by one advisory lock per gate (its two directions share
 * the yards), and every change the crossing must hear of raises the entry's `seq`: the dispatcher tells the crossing
 * afterwards (`undelivered`, `delivered`), so a change committed and not yet told is told after a crash.
 */
export class QueueStore {
  constructor(private readonly em: EntityManager) {}

  async gateQueue(gate: string): Promise<GateQueue | undefined> {
    return gateQueueOf(sqlOf(this.em), gate);
  }

  /** Turns the gate's queue on with these settings (or off, with null: refused by the caller while trucks wait). */
  async setSettings(gate: string, settings: QueueSettingsText | null): Promise<void> {
    // Under the gate's lock (inside the caller's transaction), so no round runs on half-changed settings.
    await sqlOf(this.em)('select pg_advisory_xact_lock(hashtext(?))', [lockOf(gate)]);
    await sqlOf(this.em)(
      `update gate set queue_arrive_within = ?::interval,
                       queue_priority_per_regular = coalesce(?, queue_priority_per_regular),
                       queue_no_show_requeues = coalesce(?, queue_no_show_requeues),
                       queue_max_wait = coalesce(?::interval, queue_max_wait)
        where code = ?`,
      [
        settings && `${parseDuration(settings.arriveWithin)} milliseconds`,
        settings?.priorityPerRegular ?? null,
        settings?.noShowRequeues ?? null,
        settings && `${parseDuration(settings.maxWait)} milliseconds`,
        gate,
      ],
    );
  }

  /** Trucks in the gate's queue now (not yet arrived), for refusing to turn a queue off under them. */
  async openCount(gate: string): Promise<number> {
    const [row] = await sqlOf(this.em)<{ n: number }>(
      `select count(*)::int as n from queue_entry where gate_code = ? and status in ('WAITING', 'CALLED', 'NO_SHOW', 'EXPIRING')`,
      [gate],
    );
    return row.n;
  }

  /**
   * One round of a gate's dispatcher for one direction, in one transaction: called trucks past their arrival
   * deadline are no-shows (sent to the back, or, past the gate's requeues, expiring), trucks past the longest wait
   * expire, and while the gate is open and its yards have room the next trucks are called, each with a yard place
   * reserved. Every change and its SMS commit together; the crossings are told afterwards.
   */
  async dispatch(gate: string, direction: Direction): Promise<DispatchRound> {
    return this.em.transactional(async (tx) => {
      const sql = sqlOf(tx);
      await sql('select pg_advisory_xact_lock(hashtext(?))', [lockOf(gate)]);
      const queue = await gateQueueOf(sql, gate);
      const round: DispatchRound = { keepsQueue: false, called: [], noShows: [], expired: [], dueInMs: null };
      if (!queue?.settings) return round;
      round.keepsQueue = true;
      const { settings, closure } = queue;
      const drafts: NotificationDraft[] = [];
      const tell = (event: NotificationEvent, rows: DriverFacts[], facts: { requeued?: boolean; reason?: string } = {}) => {
        for (const row of rows) {
          const draft = driverMessage(
            event,
            { gate, gateName: queue.name, plate: row.plate, arriveBy: iso(row.arrive_by) ?? undefined, ...facts },
            { phone: row.phone, nationality: row.nationality },
            { messageId: `queue:${row.crossing_id}:${row.seq}`, crossingId: row.crossing_id },
          );
          if (draft) drafts.push(draft);
        }
      };

      // No-shows are counted only while the gate is open: a closed gate is no truck's fault.
      if (!closure) {
        const missed = await sql<DriverFacts & { status: string }>(
          `with due as (
             select crossing_id from queue_entry
              where gate_code = ? and direction = ? and status = 'CALLED' and arrive_by <= now() for update
           ), changed as (
             update queue_entry q set
                    status = case when q.no_shows < ? then 'NO_SHOW' else 'EXPIRING' end,
                    order_key = case when q.no_shows < ? then nextval('queue_order_seq') else q.order_key end,
                    expire_reason = case when q.no_shows < ? then null else 'NO_SHOW_LIMIT' end,
                    no_shows = q.no_shows + 1, arrive_by = null, seq = q.seq + 1
               from due where q.crossing_id = due.crossing_id
             returning q.crossing_id, q.status, q.seq, q.arrive_by, q.no_shows
           ), released as (
             update yard_reservation r set released_at = now()
               from changed where r.crossing_id = changed.crossing_id and r.released_at is null
           )
           select ch.crossing_id, ch.status, ch.seq, ch.arrive_by, ch.no_shows, ${DRIVER_FACTS}
             from changed ch join crossing c on c.id = ch.crossing_id`,
          [gate, direction, settings.noShowRequeues, settings.noShowRequeues, settings.noShowRequeues],
        );
        const requeued = missed.filter((r) => r.status === 'NO_SHOW');
        const ending = missed.filter((r) => r.status === 'EXPIRING');
        tell('NO_SHOW', requeued, { requeued: true });
        tell('EXPIRED', ending, { reason: QUEUE_EXPIRY_REASONS.NO_SHOW_LIMIT });
        round.noShows.push(...requeued.map((r) => r.crossing_id));
        round.expired.push(...ending.map((r) => r.crossing_id));
      }

      const waitedTooLong = await sql<DriverFacts>(
        `with changed as (
           update queue_entry q set status = 'EXPIRING', expire_reason = 'MAX_WAIT', seq = q.seq + 1
            where q.gate_code = ? and q.direction = ? and q.status = 'WAITING' and q.first_called_at is null
              and q.joined_at <= now() - ? * interval '1 millisecond'
           returning q.crossing_id, q.seq, q.arrive_by, q.no_shows
         )
         select ch.*, ${DRIVER_FACTS} from changed ch join crossing c on c.id = ch.crossing_id`,
        [gate, direction, settings.maxWaitMs],
      );
      tell('EXPIRED', waitedTooLong, { reason: QUEUE_EXPIRY_REASONS.MAX_WAIT });
      round.expired.push(...waitedTooLong.map((r) => r.crossing_id));

      // A truck sent to the back this round is not called again in it: it is told first, and its next call, if the
      // places allow, comes with the next round.
      if (!closure) round.called = await this.callNext(sql, gate, direction, settings, round.noShows, (rows) => tell('CALLED', rows));

      await enqueueNotifications(sql, drafts);
      // The next arrival deadline (while open) and the next longest wait, as milliseconds from now on this clock.
      const [due] = await sql<{ due_in_ms: number | null }>(
        `select (extract(epoch from least(
                   case when ?::boolean then (select min(arrive_by) from queue_entry
                                               where gate_code = ? and direction = ? and status = 'CALLED') end,
                   (select min(joined_at) from queue_entry where gate_code = ? and direction = ? and status = 'WAITING'
                       and first_called_at is null) + ? * interval '1 millisecond') - now()) * 1000)::bigint as due_in_ms`,
        [!closure, gate, direction, gate, direction, settings.maxWaitMs],
      );
      round.dueInMs = due.due_in_ms === null ? null : Number(due.due_in_ms);
      return round;
    });
  }

  /** Calls as many trucks as the yards have free places, in call order, each with its place reserved. */
  private async callNext(
    sql: Sql,
    gate: string,
    direction: Direction,
    settings: QueueSettings,
    passedOver: string[],
    tell: (rows: DriverFacts[]) => void,
  ): Promise<string[]> {
    const [{ room }] = await sql<{ room: number }>(
      `select coalesce(sum(greatest(capacity - occupied - reserved, 0)), 0)::int as room from yard_load where gate_code = ?`,
      [gate],
    );
    if (room <= 0) return [];
    // Only a crossing whose declaration stands is called; one waiting for a corrected form keeps its place.
    const waiting = (priority: boolean) =>
      sql<{ crossing_id: string }>(
        `select q.crossing_id from queue_entry q join crossing c on c.id = q.crossing_id
          where q.gate_code = ? and q.direction = ? and q.status in ${WAITING} and not q.held and q.priority = ?
            and c.status = 'IN_PROGRESS' and q.crossing_id not in (select value::uuid from jsonb_array_elements_text(?::jsonb))
          order by q.order_key limit ?`,
        [gate, direction, priority, JSON.stringify(passedOver), room],
      );
    const [priority, regular] = [await waiting(true), await waiting(false)];
    const isPriority = new Set(priority.map((r) => r.crossing_id));
    if (!priority.length && !regular.length) return [];
    await sql('insert into queue_state (gate_code, direction) values (?, ?) on conflict do nothing', [gate, direction]);
    const [state] = await sql<{ priority_streak: number }>(
      'select priority_streak from queue_state where gate_code = ? and direction = ? for update',
      [gate, direction],
    );
    const picked = pickCalls(priority, regular, state.priority_streak, settings.priorityPerRegular, room);
    const ids = picked.calls.map((c) => c.entry.crossing_id);
    const called = await sql<DriverFacts>(
      `with called as (
         update queue_entry q set status = 'CALLED', called_at = now(), first_called_at = coalesce(q.first_called_at, now()),
                arrive_by = now() + ? * interval '1 millisecond', seq = q.seq + 1
          where q.crossing_id in (select value::uuid from jsonb_array_elements_text(?::jsonb)) and q.status in ${WAITING}
         returning q.crossing_id, q.seq, q.arrive_by, q.no_shows
       )
       select ch.*, ${DRIVER_FACTS} from called ch join crossing c on c.id = ch.crossing_id`,
      [settings.arriveWithinMs, JSON.stringify(ids)],
    );
    // Only those the update did call (one that left the queue meanwhile is not), in call order, each in the yard with
    // the most room left (a no-show's released place is taken again); the fairness counter follows those calls.
    const calledIds = new Set(called.map((r) => r.crossing_id));
    const done = ids.filter((id) => calledIds.has(id));
    let streak = state.priority_streak;
    for (const id of done) streak = isPriority.has(id) ? streak + 1 : 0;
    for (const id of done) {
      await sql(
        `insert into yard_reservation (crossing_id, gate_code, yard_code, reserved_at)
         select ?, y.gate_code, y.yard_code, now() from yard_load y where y.gate_code = ?
          order by y.capacity - y.occupied - y.reserved desc, y.yard_code limit 1
         on conflict (crossing_id) do update
           set yard_code = excluded.yard_code, reserved_at = excluded.reserved_at, released_at = null
           where yard_reservation.released_at is not null`,
        [id, gate],
      );
    }
    await sql('update queue_state set priority_streak = ? where gate_code = ? and direction = ?', [streak, gate, direction]);
    tell(called);
    return done;
  }

  /**
   * Changes committed and not yet told to their crossings, oldest change first. An entry that has left the queue
   * (DONE) needs telling nothing: `notice` is undefined, and it is marked told as it is.
   */
  async undelivered(
    gate: string,
    direction: Direction,
    limit: number,
  ): Promise<{ crossingId: string; seq: number; notice?: QueueNotice }[]> {
    const rows = await sqlOf(this.em)<{
      crossing_id: string;
      seq: number;
      status: QueueStatus | 'EXPIRING' | 'DONE';
      called_at: string | null;
      arrive_by: string | null;
      no_shows: number;
      expire_reason: QueueExpiryReason | null;
    }>(
      `select crossing_id, seq, status, called_at, arrive_by, no_shows, expire_reason from queue_entry
        where gate_code = ? and direction = ? and delivered_seq < seq order by seq, crossing_id limit ?`,
      [gate, direction, limit],
    );
    return rows.map((r) => ({
      crossingId: r.crossing_id,
      seq: r.seq,
      ...(r.status === 'DONE'
        ? {}
        : {
            notice: {
              seq: r.seq,
              status: r.status === 'EXPIRING' ? 'EXPIRED' : r.status,
              calledAt: iso(r.called_at),
              arriveBy: iso(r.arrive_by),
              noShows: r.no_shows,
              ...(r.expire_reason ? { reason: QUEUE_EXPIRY_REASONS[r.expire_reason] } : {}),
            },
          }),
    }));
  }

  /** These crossings were told their entries' state up to these numbers. */
  async delivered(told: { crossingId: string; seq: number }[]): Promise<void> {
    if (!told.length) return;
    await sqlOf(this.em)(
      `update queue_entry q set delivered_seq = greatest(q.delivered_seq, t.seq)
         from jsonb_to_recordset(?::jsonb) as t(crossing_id uuid, seq integer) where q.crossing_id = t.crossing_id`,
      [JSON.stringify(told.map((t) => ({ crossing_id: t.crossingId, seq: t.seq })))],
    );
  }

  /** Crossings whose workflows are gone (closed and past retention) leave the queue: no one is left to call. */
  async leave(crossingIds: string[]): Promise<void> {
    if (!crossingIds.length) return;
    await sqlOf(this.em)(
      `update queue_entry set status = 'DONE', left_at = coalesce(left_at, now()), delivered_seq = seq
        where crossing_id in (select value::uuid from jsonb_array_elements_text(?::jsonb)) and status <> 'DONE'`,
      [JSON.stringify(crossingIds)],
    );
  }

  /**
   * The guard decided a truck at the border entry: it is there, called or not, and the queue has no further say. Under
   * the gate's lock, so a round deciding at that moment that the truck is a no-show waits, and then finds it arrived.
   */
  async arrived(crossingId: string, gate: string): Promise<void> {
    await this.em.transactional(async (tx) => {
      const sql = sqlOf(tx);
      await sql('select pg_advisory_xact_lock(hashtext(?))', [lockOf(gate)]);
      await sql(
        `update queue_entry set status = 'ARRIVED', arrived_at = coalesce(arrived_at, now())
          where crossing_id = ? and status in ('WAITING', 'CALLED', 'NO_SHOW', 'EXPIRING')`,
        [crossingId],
      );
    });
  }

  /**
   * The gate's queue (one direction, or both), in call order: arrived and called trucks first (earliest call first),
   * then the waiting ones by position with their estimated call, then those held for a corrected form (no position:
   * they are called once their form stands, in their place). Positions count per direction, from 1.
   */
  async list(gate: string, direction?: Direction): Promise<{ queue: GateQueue; entries: QueueListEntry[] } | undefined> {
    const sql = sqlOf(this.em);
    const queue = await gateQueueOf(sql, gate);
    if (!queue) return undefined;
    const rows = await sql<{
      crossing_id: string;
      direction: Direction;
      plate: string;
      category: Category;
      priority: boolean;
      held: boolean;
      status: QueueStatus;
      joined_at: string;
      called_at: string | null;
      arrive_by: string | null;
      no_shows: number;
      company_tax_code: string;
    }>(
      `select q.crossing_id, q.direction, q.plate, c.category, q.priority, q.held, q.status, q.joined_at, q.called_at,
              q.arrive_by, q.no_shows, c.company_tax_code
         from queue_entry q join crossing c on c.id = q.crossing_id
        where q.gate_code = ? and (?::text is null or q.direction = ?) and q.status in ('WAITING', 'CALLED', 'ARRIVED', 'NO_SHOW')
        order by q.order_key`,
      [gate, direction ?? null, direction ?? null],
    );
    const entries: QueueListEntry[] = [];
    const now = new Date();
    for (const dir of DIRECTIONS) {
      const mine = rows.filter((r) => r.direction === dir);
      if (!mine.length) continue;
      const { streak, callsLastHour } = await this.pace(sql, gate, dir);
      const out = (r: (typeof rows)[number], position: number | null): QueueListEntry => ({
        crossingId: r.crossing_id,
        direction: r.direction,
        plate: r.plate,
        category: r.category,
        priority: r.priority,
        status: r.status,
        position,
        joinedAt: iso(r.joined_at)!,
        calledAt: iso(r.called_at),
        arriveBy: r.status === 'CALLED' ? iso(r.arrive_by) : null,
        estimatedCallAt: position === null ? null : estimatedCallAt(position, callsLastHour, now, queue.closure),
        noShows: r.no_shows,
        companyTaxCode: r.company_tax_code,
      });
      const atGate = mine
        .filter((r) => r.status === 'CALLED' || r.status === 'ARRIVED')
        .sort((a, b) => Date.parse(a.called_at ?? a.joined_at) - Date.parse(b.called_at ?? b.joined_at));
      const waiting = mine.filter((r) => (r.status === 'WAITING' || r.status === 'NO_SHOW') && !r.held);
      const held = mine.filter((r) => (r.status === 'WAITING' || r.status === 'NO_SHOW') && r.held);
      const order = callOrder(
        waiting.filter((r) => r.priority),
        waiting.filter((r) => !r.priority),
        streak,
        queue.settings?.priorityPerRegular ?? 0,
      );
      entries.push(...atGate.map((r) => out(r, null)), ...order.map((r, i) => out(r, i + 1)), ...held.map((r) => out(r, null)));
    }
    return { queue, entries };
  }

  /**
   * Where one crossing stands while it waits for its call (the crossing view's `queue`): its position, counted from
   * the entries ahead of it of each kind (two index counts, not the whole line), and its estimated call. Undefined
   * once called, and while held for a corrected form.
   */
  async placeOf(crossingId: string): Promise<Pick<QueuePlace, 'position' | 'estimatedCallAt'> | undefined> {
    const sql = sqlOf(this.em);
    const [entry] = await sql<{
      gate_code: string;
      direction: Direction;
      priority: boolean;
      before: number;
      priority_waiting: number;
      regular_waiting: number;
    }>(
      `select e.gate_code, e.direction, e.priority,
              (select count(*) from queue_entry q where q.gate_code = e.gate_code and q.direction = e.direction
                  and q.status in ${WAITING} and not q.held and q.priority = e.priority and q.order_key < e.order_key)::int as before,
              (select count(*) from queue_entry q where q.gate_code = e.gate_code and q.direction = e.direction
                  and q.status in ${WAITING} and not q.held and q.priority)::int as priority_waiting,
              (select count(*) from queue_entry q where q.gate_code = e.gate_code and q.direction = e.direction
                  and q.status in ${WAITING} and not q.held and not q.priority)::int as regular_waiting
         from queue_entry e where e.crossing_id = ? and e.status in ${WAITING} and not e.held`,
      [crossingId],
    );
    if (!entry) return undefined;
    const queue = await gateQueueOf(sql, entry.gate_code);
    const { streak, callsLastHour } = await this.pace(sql, entry.gate_code, entry.direction);
    const position = positionOf(
      { priority: entry.priority, before: entry.before },
      { priority: entry.priority_waiting, regular: entry.regular_waiting },
      streak,
      queue?.settings?.priorityPerRegular ?? 0,
    );
    return { position, estimatedCallAt: estimatedCallAt(position, callsLastHour, new Date(), queue?.closure ?? null) };
  }

  /**
   * When the gate's next call is expected (the earlier of its two directions), from the calls of the last hour: how
   * long the traffic advisory asks trucks to wait. Null where the gate keeps no queue or no call gives a pace.
   */
  async nextCallAt(gate: string): Promise<string | null> {
    const sql = sqlOf(this.em);
    const queue = await gateQueueOf(sql, gate);
    if (!queue?.settings) return null;
    const now = new Date();
    const estimates: string[] = [];
    for (const direction of DIRECTIONS) {
      const { callsLastHour } = await this.pace(sql, gate, direction);
      const at = estimatedCallAt(1, callsLastHour, now, queue.closure);
      if (at) estimates.push(at);
    }
    return estimates.sort()[0] ?? null;
  }

  /** The fairness counter and the calls of the last hour, for positions and estimates. */
  private async pace(sql: Sql, gate: string, direction: Direction): Promise<{ streak: number; callsLastHour: number }> {
    const [row] = await sql<{ streak: number; calls: number }>(
      `select coalesce((select priority_streak from queue_state where gate_code = ? and direction = ?), 0) as streak,
              (select count(*) from queue_entry where gate_code = ? and direction = ? and called_at > now() - interval '1 hour')::int as calls`,
      [gate, direction, gate, direction],
    );
    return { streak: row.streak, callsLastHour: row.calls };
  }

  /**
   * Closes the gate (inside the caller's transaction, after its audit entry): no truck is called until it reopens, and
   * every truck queued or called is told at once (its SMS written with the closure). A truck called and not yet come
   * has its call withdrawn: it waits again in its own place (ahead of every truck of its kind that joined after it),
   * its step clock stopped and its place in the yard given back, so a long closure neither expires it nor makes it a
   * no-show. Undefined when the gate is closed already.
   */
  async close(
    gate: string,
    change: { reason: string; expectedReopenAt?: string | null },
    closureId: string,
    by: string,
  ): Promise<Closure | undefined> {
    const sql = sqlOf(this.em);
    await sql('select pg_advisory_xact_lock(hashtext(?))', [lockOf(gate)]);
    const [row] = await sql<{ id: string }>(
      `insert into gate_closure (id, gate_code, reason, expected_reopen_at, closed_by, closed_at) values (?, ?, ?, ?, ?, now())
       on conflict (gate_code) where reopened_at is null do nothing returning id`,
      [closureId, gate, change.reason, change.expectedReopenAt ?? null, by],
    );
    if (!row) return undefined;
    await sql(
      `with withdrawn as (
         update queue_entry set status = 'WAITING', arrive_by = null, seq = seq + 1
          where gate_code = ? and status = 'CALLED' returning crossing_id
       )
       update yard_reservation r set released_at = now() from withdrawn w where r.crossing_id = w.crossing_id and r.released_at is null`,
      [gate],
    );
    const queue = (await gateQueueOf(sql, gate))!;
    await this.tellEveryone(sql, queue, 'CLOSED', `closed:${closureId}`, {
      reason: change.reason,
      expectedReopenAt: change.expectedReopenAt ?? null,
    });
    return queue.closure!;
  }

  /** Reopens the gate: calls resume in order, and everyone queued is told. Undefined when the gate was not closed. */
  async reopen(gate: string, by: string): Promise<Closure | undefined> {
    const sql = sqlOf(this.em);
    await sql('select pg_advisory_xact_lock(hashtext(?))', [lockOf(gate)]);
    const before = await gateQueueOf(sql, gate);
    if (!before?.closure) return undefined;
    await sql('update gate_closure set reopened_at = now(), reopened_by = ? where id = ?', [by, before.closure.id]);
    await this.tellEveryone(sql, { ...before, closure: null }, 'REOPENED', `reopened:${before.closure.id}`, {});
    return before.closure;
  }

  private async tellEveryone(
    sql: Sql,
    queue: GateQueue,
    event: 'CLOSED' | 'REOPENED',
    idPrefix: string,
    facts: { reason?: string; expectedReopenAt?: string | null },
  ): Promise<void> {
    const rows = await sql<DriverFacts>(
      `select q.crossing_id, q.seq, q.arrive_by, q.no_shows, ${DRIVER_FACTS}
         from queue_entry q join crossing c on c.id = q.crossing_id
        where q.gate_code = ? and q.status in ('WAITING', 'CALLED', 'NO_SHOW')`,
      [queue.gate],
    );
    const drafts = rows.flatMap((row) => {
      const draft = driverMessage(
        event,
        { gate: queue.gate, gateName: queue.name, plate: row.plate, arriveBy: iso(row.arrive_by) ?? undefined, ...facts },
        { phone: row.phone, nationality: row.nationality },
        { messageId: `${idPrefix}:${row.crossing_id}`, crossingId: row.crossing_id },
      );
      return draft ? [draft] : [];
    });
    await enqueueNotifications(sql, drafts);
  }

  /** The queue's measures for a gate: trucks waiting and called now, and the wait from joining to the first call. */
  async measures(
    gate: string,
    from: Date,
    to: Date,
  ): Promise<{ waiting: number; called: number; queueWait: { count: number; p50: number | null; p90: number | null } }> {
    const [row] = await sqlOf(this.em)<{ waiting: number; called: number; count: number; p50: number | null; p90: number | null }>(
      `select (select count(*) from queue_entry where gate_code = ? and status in ${WAITING})::int as waiting,
              (select count(*) from queue_entry where gate_code = ? and status = 'CALLED')::int as called,
              count(*)::int as count,
              percentile_cont(0.5) within group (order by extract(epoch from first_called_at - joined_at)) as p50,
              percentile_cont(0.9) within group (order by extract(epoch from first_called_at - joined_at)) as p90
         from queue_entry where gate_code = ? and first_called_at >= ? and first_called_at < ?`,
      [gate, gate, gate, from, to],
    );
    return { waiting: row.waiting, called: row.called, queueWait: { count: row.count, p50: row.p50, p90: row.p90 } };
  }
}

async function gateQueueOf(sql: Sql, gate: string): Promise<GateQueue | undefined> {
  const [row] = await sql<{
    code: string;
    name: string;
    arrive_within_ms: number | null;
    per_regular: number;
    requeues: number;
    max_wait_ms: number;
    closure: { id: string; reason: string; expectedReopenAt: string | null; closedAt: string; closedBy: string } | null;
  }>(
    `select g.code, g.name, (extract(epoch from g.queue_arrive_within) * 1000)::bigint as arrive_within_ms,
            g.queue_priority_per_regular as per_regular, g.queue_no_show_requeues as requeues,
            (extract(epoch from g.queue_max_wait) * 1000)::bigint as max_wait_ms,
            (select json_build_object('id', k.id, 'reason', k.reason, 'expectedReopenAt', k.expected_reopen_at,
                                      'closedAt', k.closed_at, 'closedBy', k.closed_by)
               from gate_closure k where k.gate_code = g.code and k.reopened_at is null) as closure
       from gate g where g.code = ?`,
    [gate],
  );
  if (!row) return undefined;
  return {
    gate: row.code,
    name: row.name,
    settings:
      row.arrive_within_ms === null
        ? null
        : {
            arriveWithinMs: Number(row.arrive_within_ms),
            priorityPerRegular: row.per_regular,
            noShowRequeues: row.requeues,
            maxWaitMs: Number(row.max_wait_ms),
          },
    closure: row.closure && {
      ...row.closure,
      expectedReopenAt: iso(row.closure.expectedReopenAt),
      closedAt: iso(row.closure.closedAt)!,
    },
  };
}
