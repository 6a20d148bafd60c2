import type { EntityManager } from '@mikro-orm/postgresql';
import {
  barrierAnswer,
  confusionKey,
  matchRead,
  REPEAT_WINDOW_MS,
  type Arrival,
  type BarrierAction,
  type Candidate,
  type CrossingAtBarrier,
  type MatchOutcome,
  type PlateRead,
  type ReadMatch,
  YARD_POINTS,
} from '../../../domain/gate-floor';
import type { GatePoint } from '../../../domain/gate-points';
import { normalisePlate } from '../../../domain/identifiers';
import { auditEntriesJson } from '../../audit';
import type { Sql } from '../../audit';
import { sqlOf } from '../orm';
import { iso } from './timestamps';
import type { DeviceRow } from './devices';
import { Where } from './sql-where';

/** The answer a device gets for a read, kept with the read so that a repeated eventId gets it again. */
export interface ReadAnswer {
  eventId: string;
  crossingId: string | null;
  action: BarrierAction;
  reason: string;
}

/** A matched read the crossing's workflow has not been told of yet (api/arrival-delivery.ts delivers it). */
export interface PendingArrival {
  crossingId: string;
  arrival: Arrival;
}

export type RecordedRead =
  | { kind: 'NEW'; answer: ReadAnswer; delivery?: PendingArrival }
  | { kind: 'REPLAY'; answer: ReadAnswer }
  /** The eventId is another device's: refused, nothing changed. */
  | { kind: 'FOREIGN' }
  /** A new read whose time is too far from the server's clock (domain `withinClockWindow`): refused, nothing changed. */
  | { kind: 'STALE' };

/** A read as the guard's exception list and the manager's floor view show it. */
export interface GateEventItem {
  eventId: string;
  device: string;
  gate: string;
  point: GatePoint;
  plate: string;
  at: string;
  confidence: number;
  imageRef: string | null;
  receivedAt: string;
  match: ReadMatch;
  crossingId: string | null;
  action: BarrierAction;
  reason: string;
  arrival: boolean;
  repeatOf: string | null;
  /** Later reads of the same run (the same plate by the same device, each within 60 s of the one before). */
  repeats: number;
  onExceptionList: boolean;
  matchedBy: { accountId: string; username: string } | null;
  matchedAt: string | null;
}

/** A crossing a guard may link a read to (`GET /v1/gate-events/{eventId}/candidates`). */
export interface LinkCandidate {
  crossingId: string;
  /** As declared (`29B-123.45`). */
  plate: string;
  status: string;
  currentStep: string | null;
  category: string;
}

/** What a guard's link did: linked (with the arrival to deliver, if it is one), already so, or another crossing's run. */
export type ConfirmOutcome = { kind: 'LINKED'; delivery?: PendingArrival } | { kind: 'UNCHANGED' } | { kind: 'TAKEN'; crossingId: string };

export interface GateEventFilter {
  /** The gates the caller serves (undefined: every gate). */
  gates?: readonly string[];
  gate?: string;
  unmatched?: boolean;
  from?: string;
  to?: string;
  /** The sort key (at, eventId) of the last row of the previous page. */
  after?: [string, string];
  limit: number;
}

/** A crossing still answering to its plate at a gate: open, or cleared and not yet past the exit barrier. */
/** Advisory lock keys: the run of one plate at one device, and one truck's arrival at one device. */
const runLock = (device: string, plate: string) => `gate-read:${device}:${plate}`;
const arrivalLock = (device: string, crossingId: string) => `gate-arrival:${device}:${crossingId}`;

/** Exit points also read trucks already cleared, on their way out. */
const exitPoint = (point: GatePoint) => point === 'BARRIER_EXIT' || point === 'YARD_EXIT';

const STILL_HERE = `(c.status in ('IN_PROGRESS', 'AWAITING_CORRECTION')
                     or (c.status = 'CLEARED' and c.gate_exit_at is null and c.updated_at > now() - interval '1 day'))`;

/**
 * Plate reads of the gates' devices, matched to crossings (API.md "Devices and plate reads"). A read is answered from
 * this read model alone, inside one transaction that is serialised per device and plate (so two copies of one read,
 * or two reads of one standing truck, cannot both become arrivals): the first answer is stored with the read, and the
 * crossing's workflow hears of an arrival afterwards.
 *
 * Runs: a read of the same plate by the same device within 60 s of an earlier read continues that read's run
 * (`repeat_of` names the run's first read). Only the first matched read of a run is an arrival, so a camera reading a
 * standing truck every second adds one event to the crossing's history, not sixty. A run whose reads were all doubtful
 * or unmatched is one entry on the exception list (its first read); once a guard links it, or a later read of it
 * matches, the whole run is matched and the entry leaves the list, and further reads of the run take that crossing.
 */
export class GateReadStore {
  constructor(private readonly em: EntityManager) {}

  /**
   * Records a read and answers it. A repeated eventId is answered as it was the first time, however late it comes
   * (the device retrying after an outage); only a new read is held to the clock window (`fresh`).
   */
  async record(device: DeviceRow, read: PlateRead, fresh: boolean): Promise<RecordedRead> {
    const plate = normalisePlate(read.plate);
    return this.em.transactional(async (tx) => {
      const sql = sqlOf(tx);
      // The eventId first (two copies of one read, from any device, with any plate), then the run of this device and
      // plate (two reads of one standing truck): always in this order, so two transactions never wait on each other.
      await sql('select pg_advisory_xact_lock(hashtext(?)), pg_advisory_xact_lock(hashtext(?))', [
        `gate-event:${read.eventId}`,
        runLock(device.code, plate),
      ]);
      const window = `${REPEAT_WINDOW_MS} milliseconds`;
      // Everything the rule needs, in one statement: the first answer if this eventId was seen (a read linked by a
      // guard afterwards was answered without a crossing), the run this read continues and the crossing it was matched
      // to already (by a read or by a guard), the gate's threshold, and the crossings that could be meant, each with
      // where it stands and whether this device recorded its arrival within the last minute. A barrier waits for
      // every round trip, so there are few: the begin, the locks above, this one, the write below (and for a yard
      // camera's arrival, the truck moved), the commit.
      const [context] = await sql<{
        earlier: { device: string; crossingId: string | null; action: BarrierAction; reason: string } | null;
        head: string | null;
        run_crossing: string | null;
        plate_confidence: number;
        crossings: (Candidate & CrossingAtBarrier & { candidate: boolean; arrived: boolean })[] | null;
      }>(
        `with run as (
           select coalesce(e.repeat_of, e.event_id) as head from gate_event e
            where e.device_code = ? and e.plate = ? and e.at between ?::timestamptz - ?::interval and ?::timestamptz + ?::interval
            order by abs(extract(epoch from e.at - ?::timestamptz)), e.at desc limit 1
         ), run_crossing as (
           select m.crossing_id from gate_event m, run
            where (m.event_id = run.head or m.repeat_of = run.head) and m.match = 'MATCHED' order by m.at limit 1
         )
         select (select json_build_object('device', e.device_code, 'action', e.action, 'reason', e.reason,
                                          'crossingId', case when e.match = 'MATCHED' and e.matched_by is null then e.crossing_id end)
                   from gate_event e where e.event_id = ?) as earlier,
                (select head from run) as head,
                (select crossing_id from run_crossing) as run_crossing,
                g.plate_confidence,
                (select json_agg(json_build_object(
                          'crossingId', c.id, 'plate', c.plate, 'status', c.status, 'currentStep', c.current_step,
                          'steps', c.view->'steps', 'transshipmentStage', c.view->'transshipment'->>'stage',
                          'queueStatus', (select q.status from queue_entry q where q.crossing_id = c.id),
                          'candidate', translate(c.plate, 'OIB', '018') = ?
                                       and (c.status in ('IN_PROGRESS', 'AWAITING_CORRECTION') or (?::boolean and ${STILL_HERE})),
                          'arrived', exists (select 1 from gate_event a
                                              where a.device_code = ? and a.crossing_id = c.id and a.arrival
                                                and a.at between ?::timestamptz - ?::interval and ?::timestamptz + ?::interval)))
                   from crossing c
                  where c.gate_code = g.code
                    and ((translate(c.plate, 'OIB', '018') = ?
                          and (c.status in ('IN_PROGRESS', 'AWAITING_CORRECTION') or (?::boolean and ${STILL_HERE})))
                         or c.id = (select crossing_id from run_crossing))) as crossings
           from gate g where g.code = ?`,
        [
          ...[device.code, plate, read.at, window, read.at, window, read.at],
          read.eventId,
          ...[confusionKey(plate), exitPoint(device.point)],
          ...[device.code, read.at, window, read.at, window],
          ...[confusionKey(plate), exitPoint(device.point)],
          device.gate,
        ],
      );
      const { earlier } = context;
      if (earlier) {
        if (earlier.device !== device.code) return { kind: 'FOREIGN' };
        return {
          kind: 'REPLAY',
          answer: { eventId: read.eventId, crossingId: earlier.crossingId, action: earlier.action, reason: earlier.reason },
        };
      }
      if (!fresh) return { kind: 'STALE' };

      const crossings = context.crossings ?? [];
      // A read of a matched run takes the run's crossing, if it is itself clear enough to believe: a faint read of
      // a standing truck never opens a barrier, whatever the read before it said.
      const threshold = Number(context.plate_confidence);
      const outcome: MatchOutcome =
        context.run_crossing && read.confidence >= threshold
          ? { match: 'MATCHED', crossingId: context.run_crossing }
          : matchRead(
              read,
              threshold,
              crossings.filter((c) => c.candidate),
            );
      const matched = outcome.match === 'MATCHED';
      const crossing = crossings.find((c) => c.crossingId === outcome.crossingId);
      let arrival = matched && !context.run_crossing && !crossing?.arrived;
      // A guard linking another read of this truck at this device may be committing now: one arrival between them.
      if (arrival) {
        await sql('select pg_advisory_xact_lock(hashtext(?))', [arrivalLock(device.code, outcome.crossingId!)]);
        arrival = !(await this.arrivedJustNow(sql, device.code, outcome.crossingId, read.at));
      }
      const { action, reason } = barrierAnswer(device.point, device.kind, outcome, crossing, arrival);
      const run = context.head;
      // The read, and what it changes: a run matched at last leaves the exception list (its first read), and a truck
      // the exit barrier opened for no longer answers to its plate here.
      await sql(
        `with inserted as (
           insert into gate_event (event_id, device_code, gate_code, point, plate_read, plate, at, confidence, image_ref, match,
                                   crossing_id, repeat_of, arrival, open_exception, action, reason)
           values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ), run_matched as (
           update gate_event set open_exception = false where ?::boolean and event_id = ? and open_exception
         )
         update crossing set gate_exit_at = ? where ?::boolean and id = ? and gate_exit_at is null`,
        [
          read.eventId,
          device.code,
          device.gate,
          device.point,
          read.plate,
          plate,
          read.at,
          read.confidence,
          read.imageRef ?? null,
          outcome.match,
          outcome.crossingId,
          run,
          arrival,
          !matched && !run,
          action,
          reason,
          matched && run !== null,
          run,
          read.at,
          device.point === 'BARRIER_EXIT' && action === 'OPEN',
          outcome.crossingId,
        ],
      );
      if (arrival && YARD_POINTS.includes(device.point)) await this.moveOnFloor(sql, device, outcome.crossingId!, read.eventId, read.at);
      if (arrival) await arriveInQueue(sql, device.point, outcome.crossingId!);
      // Only a match names its crossing: a doubtful one is the guard's to confirm (the exception list shows it).
      const answer = { eventId: read.eventId, crossingId: matched ? outcome.crossingId : null, action, reason };
      return {
        kind: 'NEW',
        answer,
        ...(arrival
          ? {
              delivery: {
                crossingId: outcome.crossingId!,
                arrival: { eventId: read.eventId, point: device.point, at: read.at, device: device.code },
              },
            }
          : {}),
      };
    });
  }

  /**
   * A border guard links a read of the exception list to a crossing by hand (a doubtful match confirmed, or an
   * unmatched read resolved): the read's whole run takes the crossing, and its first read becomes the arrival unless
   * the run had one for that crossing already. The guard is named on the read and in the audit trail.
   */
  async confirm(eventId: string, crossingId: string, guard: { accountId: string }): Promise<ConfirmOutcome> {
    return this.em.transactional(async (tx) => {
      const sql = sqlOf(tx);
      const [head] = await sql<{
        event_id: string;
        device_code: string;
        gate_code: string;
        point: GatePoint;
        at: Date | string;
        plate: string;
        yard_code: string | null;
      }>(
        `select h.event_id, h.device_code, h.gate_code, h.point, h.at, h.plate, d.yard_code
           from gate_event e join gate_event h on h.event_id = coalesce(e.repeat_of, e.event_id)
           join device d on d.code = h.device_code
          where e.event_id = ?`,
        [eventId],
      );
      // The locks a read of this run takes, in the same order (its run, then the truck's arrival at the device), so a
      // read and a link of one truck wait for each other and never for each other in a circle.
      await sql('select pg_advisory_xact_lock(hashtext(?)), pg_advisory_xact_lock(hashtext(?))', [
        runLock(head.device_code, head.plate),
        arrivalLock(head.device_code, crossingId),
      ]);
      // Under the locks, the run as it is now: another guard, or a later clean read, may have matched it meanwhile.
      const [matchedTo] = await sql<{ crossing_id: string }>(
        `select crossing_id from gate_event where (event_id = ? or repeat_of = ?) and match = 'MATCHED' order by at limit 1`,
        [head.event_id, head.event_id],
      );
      if (matchedTo)
        return matchedTo.crossing_id === crossingId ? { kind: 'UNCHANGED' } : { kind: 'TAKEN', crossingId: matchedTo.crossing_id };
      const arrived = await sql<{ n: number }>(
        `select count(*)::int as n from gate_event where (event_id = ? or repeat_of = ?) and arrival and crossing_id = ?`,
        [head.event_id, head.event_id, crossingId],
      );
      const arrival = arrived[0].n === 0 && !(await this.arrivedJustNow(sql, head.device_code, crossingId, iso(head.at)));
      await sql(
        `update gate_event set match = 'MATCHED', crossing_id = ?, matched_by = ?, matched_at = now(), open_exception = false
          where (event_id = ? or repeat_of = ?) and match <> 'MATCHED'`,
        [crossingId, guard.accountId, head.event_id, head.event_id],
      );
      if (arrival) await sql('update gate_event set arrival = true where event_id = ?', [head.event_id]);
      await sql('select append_audit(?::jsonb)', [
        JSON.stringify(
          auditEntriesJson([
            {
              at: new Date(),
              actor: guard.accountId,
              action: 'GATE_READ_MATCHED',
              crossingId,
              details: { eventId: head.event_id, device: head.device_code },
              sourceKey: `gate-read-match:${head.event_id}`,
            },
          ]),
        ),
      ]);
      if (!arrival) return { kind: 'LINKED' };
      const at = iso(head.at);
      await this.moveOnFloor(sql, { point: head.point, gate: head.gate_code, yard: head.yard_code }, crossingId, head.event_id, at);
      await arriveInQueue(sql, head.point, crossingId);
      return {
        kind: 'LINKED',
        delivery: {
          crossingId,
          arrival: { eventId: head.event_id, point: head.point, at, device: head.device_code, confirmedBy: guard.accountId },
        },
      };
    });
  }

  async find(eventId: string): Promise<GateEventItem | undefined> {
    const [item] = await this.items(new Where().add('e.event_id = ?', eventId), 1);
    return item;
  }

  /** Reads newest first; `unmatched` is the guard's exception list (one entry per run not yet matched). */
  async list(filter: GateEventFilter): Promise<{ items: GateEventItem[]; nextKey?: [string, string] }> {
    const where = new Where();
    if (filter.gates) where.in('e.gate_code', filter.gates);
    if (filter.gate) where.add('e.gate_code = ?', filter.gate);
    if (filter.unmatched !== undefined) where.add(filter.unmatched ? 'e.open_exception' : 'not e.open_exception');
    if (filter.from) where.add('e.at >= ?', filter.from);
    if (filter.to) where.add('e.at < ?', filter.to);
    if (filter.after) where.add('(e.at, e.event_id) < (?::timestamptz, ?)', filter.after[0], filter.after[1]);
    const rows = await this.items(where, filter.limit + 1);
    const page = rows.slice(0, filter.limit);
    const last = page[page.length - 1];
    return { items: page, nextKey: rows.length > filter.limit && last ? [last.at, last.eventId] : undefined };
  }

  /**
   * The crossings a guard may link a read to: at the read's gate, still answering to a plate there (open, or cleared
   * and not yet past the exit barrier), whose plate reads like `plate` (the same once O/0, I/1, B/8 are folded).
   */
  async candidatesFor(gate: string, plate: string, limit = 20): Promise<LinkCandidate[]> {
    const rows = await sqlOf(this.em)<{ id: string; plate: string; status: string; current_step: string | null; category: string }>(
      `select c.id, c.view->'declaration'->'vehicle'->>'plate' as plate, c.status, c.current_step, c.category
         from crossing c
        where c.gate_code = ? and translate(c.plate, 'OIB', '018') = ? and ${STILL_HERE}
        order by c.plate = ? desc, c.created_at desc limit ?`,
      [gate, confusionKey(plate), normalisePlate(plate), limit],
    );
    return rows.map((r) => ({ crossingId: r.id, plate: r.plate, status: r.status, currentStep: r.current_step, category: r.category }));
  }

  /** Matched reads the crossings' workflows have not taken yet, oldest first, received at least `olderThanMs` ago. */
  async undelivered(olderThanMs: number, limit: number): Promise<PendingArrival[]> {
    const rows = await sqlOf(this.em)<{
      event_id: string;
      crossing_id: string;
      point: GatePoint;
      at: Date | string;
      device_code: string;
      matched_by: string | null;
    }>(
      `select event_id, crossing_id, point, at, device_code, matched_by from gate_event
        where arrival and delivered_at is null and received_at < now() - ?::interval
        order by received_at limit ?`,
      [`${olderThanMs} milliseconds`, limit],
    );
    return rows.map((r) => ({
      crossingId: r.crossing_id,
      arrival: {
        eventId: r.event_id,
        point: r.point,
        at: iso(r.at),
        device: r.device_code,
        ...(r.matched_by ? { confirmedBy: r.matched_by } : {}),
      },
    }));
  }

  async markDelivered(eventId: string): Promise<void> {
    await sqlOf(this.em)('update gate_event set delivered_at = now() where event_id = ? and delivered_at is null', [eventId]);
  }

  /**
   * An arrival for a crossing whose workflow has closed (the exit barrier reads a cleared truck after its workflow
   * finished): written to the read model directly, once, as the workflow would have: an ARRIVED event after the last
   * one, the view's arrivals, and its audit entry.
   */
  async recordClosedArrival({ crossingId, arrival }: PendingArrival): Promise<void> {
    await this.em.transactional(async (tx) => {
      const sql = sqlOf(tx);
      const [event] = await sql<{ seq: number }>(
        `insert into crossing_event (crossing_id, seq, at, type, step, data)
         select ?, coalesce(max(seq), 0) + 1, now(), 'ARRIVED', null, ?::jsonb from crossing_event where crossing_id = ?
         having not exists (select 1 from crossing_event where crossing_id = ? and type = 'ARRIVED' and data->>'eventId' = ?)
         returning seq`,
        [crossingId, JSON.stringify(arrival), crossingId, crossingId, arrival.eventId],
      );
      if (!event) return;
      await sql(
        `update crossing set view = jsonb_set(view, '{arrivals}', coalesce(view->'arrivals', '[]'::jsonb) || jsonb_build_array(?::jsonb))
          where id = ?`,
        [JSON.stringify(arrival), crossingId],
      );
      await sql('select append_audit(?::jsonb)', [
        JSON.stringify(
          auditEntriesJson([
            {
              at: new Date(),
              actor: `device:${arrival.device}`,
              action: 'ARRIVED',
              crossingId,
              details: arrival,
              sourceKey: `crossing:${crossingId}:${event.seq}`,
            },
          ]),
        ),
      ]);
    });
  }

  /**
   * Whether the device already recorded this crossing's arrival within 60 s of `at`, under any plate: a truck read
   * once as it is and once misread (then linked by a guard) is one arrival, not two.
   */
  private async arrivedJustNow(sql: ReturnType<typeof sqlOf>, device: string, crossingId: string | null, at: string): Promise<boolean> {
    if (!crossingId) return false;
    const [row] = await sql<{ n: number }>(
      `select count(*)::int as n from gate_event
        where device_code = ? and crossing_id = ? and arrival
          and at between ?::timestamptz - ?::interval and ?::timestamptz + ?::interval`,
      [device, crossingId, at, `${REPEAT_WINDOW_MS} milliseconds`, at, `${REPEAT_WINDOW_MS} milliseconds`],
    );
    return row.n > 0;
  }

  /** A yard camera's arrival moves the truck into or out of that yard (yard occupancy, the `yard_load` view). */
  private async moveOnFloor(
    sql: ReturnType<typeof sqlOf>,
    device: Pick<DeviceRow, 'point' | 'gate' | 'yard'>,
    crossingId: string,
    eventId: string,
    at: string,
  ): Promise<void> {
    if (device.point === 'YARD_ENTRY' && device.yard) {
      await sql(
        `insert into yard_presence (crossing_id, gate_code, yard_code, entered_at, entry_event) values (?, ?, ?, ?, ?)
         on conflict (crossing_id) do update set yard_code = excluded.yard_code, entered_at = excluded.entered_at,
           entry_event = excluded.entry_event, exited_at = null, exit_event = null
         where yard_presence.entered_at < excluded.entered_at`,
        [crossingId, device.gate, device.yard, at, eventId],
      );
      // A device resending buffered reads after an outage may deliver the truck's exit before its entry: a later exit
      // of this yard already recorded closes the stay at once.
      await sql(
        `update yard_presence p set exited_at = x.at, exit_event = x.event_id
           from (select e.event_id, e.at from gate_event e join device d on d.code = e.device_code
                  where e.crossing_id = ? and e.point = 'YARD_EXIT' and e.arrival and e.at > ?::timestamptz
                    and (d.yard_code is null or d.yard_code = ?)
                  order by e.at limit 1) x
          where p.crossing_id = ? and p.exited_at is null and p.entry_event = ?`,
        [crossingId, at, device.yard, crossingId, eventId],
      );
    }
    if (device.point === 'YARD_EXIT') {
      await sql(
        `update yard_presence set exited_at = ?, exit_event = ?
          where crossing_id = ? and exited_at is null and entered_at <= ?::timestamptz and (?::text is null or yard_code = ?)`,
        [at, eventId, crossingId, at, device.yard, device.yard],
      );
    }
  }

  private async items(where: Where, limit: number): Promise<GateEventItem[]> {
    const rows = await sqlOf(this.em)<{
      event_id: string;
      device_code: string;
      gate_code: string;
      point: GatePoint;
      plate_read: string;
      at: Date | string;
      confidence: number;
      image_ref: string | null;
      received_at: Date | string;
      match: ReadMatch;
      crossing_id: string | null;
      action: BarrierAction;
      reason: string;
      arrival: boolean;
      repeat_of: string | null;
      repeats: number;
      open_exception: boolean;
      matched_by: string | null;
      matched_by_username: string | null;
      matched_at: Date | string | null;
    }>(
      `select e.event_id, e.device_code, e.gate_code, e.point, e.plate_read, e.at, e.confidence, e.image_ref, e.received_at,
              e.match, e.crossing_id, e.action, e.reason, e.arrival, e.repeat_of, e.open_exception, e.matched_by, e.matched_at,
              a.username as matched_by_username,
              (select count(*) from gate_event r where r.repeat_of = e.event_id)::int as repeats
         from gate_event e left join account a on a.id = e.matched_by
        where ${where.sql}
        order by e.at desc, e.event_id desc limit ?`,
      [...where.params, limit],
    );
    return rows.map((r) => ({
      eventId: r.event_id,
      device: r.device_code,
      gate: r.gate_code,
      point: r.point,
      plate: r.plate_read,
      at: iso(r.at),
      confidence: Number(r.confidence),
      imageRef: r.image_ref,
      receivedAt: iso(r.received_at),
      match: r.match,
      crossingId: r.crossing_id,
      action: r.action,
      reason: r.reason,
      arrival: r.arrival,
      repeatOf: r.repeat_of,
      repeats: r.repeats,
      onExceptionList: r.open_exception,
      matchedBy: r.matched_by ? { accountId: r.matched_by, username: r.matched_by_username ?? '' } : null,
      matchedAt: r.matched_at ? iso(r.matched_at) : null,
    }));
  }
}

/**
 * A called truck read entering the gate has arrived: its queue entry leaves the called trucks (no no-show can follow),
 * in the same transaction as the read. A truck not called stays in the queue: the barrier holds it until a guard
 * admits it (domain/gate-floor.ts `barrierAnswer`).
 */
async function arriveInQueue(sql: Sql, point: GatePoint, crossingId: string): Promise<void> {
  if (point !== 'YARD_ENTRY' && point !== 'BARRIER_ENTRY') return;
  await sql(`update queue_entry set status = 'ARRIVED', arrived_at = now() where crossing_id = ? and status = 'CALLED'`, [crossingId]);
}
