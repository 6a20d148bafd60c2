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
} from '../../../domain/gate-floor';
import type { GatePoint } from '../../../domain/gate-points';
import { CrossingBusy } from '../../../domain/errors';
import { normalisePlate } from '../../../domain/identifiers';
import { auditEntriesJson } from '../../audit';
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

/** Advisory lock keys: the run of one plate at one device, and one truck's arrival at one device. */
const runLock = (device: string, plate: string) => `gate-read:${device}:${plate}`;
const arrivalLock = (device: string, crossingId: string) => `gate-arrival:${device}:${crossingId}`;

/** Exit points also read trucks already cleared, on their way out. */
const exitPoint = (point: GatePoint) => point === 'BARRIER_EXIT' || point === 'YARD_EXIT';

const WINDOW = `${REPEAT_WINDOW_MS} milliseconds`;

/** A new read decided again after a rival's commit changed its context; past this many, something is wrong. */
const MAX_ATTEMPTS = 10;

/**
 * Everything the rule needs of the read model for one read (`gate_read_context`): the first answer if this eventId
 * was seen (a read linked by a guard afterwards was answered without a crossing), the run this read continues and the
 * crossing it was matched to already (by a read or by a guard), the gate's threshold, and the crossings that could be
 * meant, each with where it stands and whether this device recorded its arrival within the last minute.
 */
interface ReadContext {
  earlier: { device: string; crossingId: string | null; action: BarrierAction; reason: string } | null;
  head: string | null;
  runCrossing: string | null;
  plateConfidence: number;
  crossings: (Candidate & CrossingAtBarrier & { candidate: boolean; arrived: boolean })[] | null;
}

/** A new read's row in gate_event as the rule decided it, and what the device and the workflow are told. */
function decide(device: DeviceRow, read: PlateRead, plate: string, context: ReadContext) {
  const crossings = context.crossings ?? [];
  // A read of a matched run takes the run's crossing, if it is itself clear enough to believe: a faint read of a
  // standing truck never opens a barrier, whatever the read before it said.
  const threshold = Number(context.plateConfidence);
  const outcome: MatchOutcome =
    context.runCrossing && read.confidence >= threshold
      ? { match: 'MATCHED', crossingId: context.runCrossing }
      : matchRead(
          read,
          threshold,
          crossings.filter((c) => c.candidate),
        );
  const matched = outcome.match === 'MATCHED';
  const crossing = crossings.find((c) => c.crossingId === outcome.crossingId);
  // Only the first matched read of a run is an arrival, and not even that when this device recorded the truck's
  // arrival within the minute under another plate (read once as it is, once misread and linked by a guard).
  const arrival = matched && !context.runCrossing && !crossing?.arrived;
  const { action, reason } = barrierAnswer(device.point, device.kind, outcome, crossing, arrival);
  const row = {
    event_id: read.eventId,
    device_code: device.code,
    gate_code: device.gate,
    point: device.point,
    plate_read: read.plate,
    plate,
    at: read.at,
    confidence: read.confidence,
    image_ref: read.imageRef ?? null,
    match: outcome.match,
    crossing_id: outcome.crossingId,
    repeat_of: context.head,
    arrival,
    open_exception: !matched && !context.head,
    action,
    reason,
  };
  // Only a match names its crossing: a doubtful one is the guard's to confirm (the exception list shows it).
  const answer = { eventId: read.eventId, crossingId: matched ? outcome.crossingId : null, action, reason };
  const recorded: RecordedRead = {
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
  return { row, recorded };
}

/**
 * Plate reads of the gates' devices, matched to crossings (API.md "Devices and plate reads"). A read is answered from
 * this read model alone, and written by one statement that is serialised per device and plate and checks that the
 * answer was decided on what is true under its locks (so two copies of one read, or two reads of one standing truck,
 * cannot both become arrivals): the first answer is stored with the read, and the crossing's workflow hears of an
 * arrival afterwards.
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
    const sql = sqlOf(this.em);
    // The context's arguments, and the write's: the same for every attempt.
    const where = [read.eventId, device.code, device.gate, exitPoint(device.point), plate, confusionKey(plate), read.at, WINDOW];
    // The context first, without locks: a resend is answered from it, and so is a read out of the clock window. A new
    // read is decided on it and written by gate_read_record, which takes the locks and writes only if the context is
    // still the same under them (migration GateReadFunction); otherwise it hands back the context as it is now, and
    // the rule is applied again. Two round trips in all, and one commit.
    let [{ context, digest }] = await sql<{ context: ReadContext; digest: string }>(
      'select c as context, md5(c::text) as digest from gate_read_context(?, ?, ?, ?, ?, ?, ?::timestamptz, ?::interval) c',
      where,
    );
    for (let attempt = 1; ; attempt++) {
      const { earlier } = context;
      if (earlier) {
        if (earlier.device !== device.code) return { kind: 'FOREIGN' };
        return {
          kind: 'REPLAY',
          answer: { eventId: read.eventId, crossingId: earlier.crossingId, action: earlier.action, reason: earlier.reason },
        };
      }
      if (!fresh) {
        // Out of the window with no earlier copy seen: perhaps one is being recorded this very moment (a device
        // resending after an outage races its own first copy). Under the eventId's lock the answer is sure.
        const settled = await this.earlierUnderLock(where);
        if (!settled) return { kind: 'STALE' };
        context = settled;
        continue;
      }
      const decided = decide(device, read, plate, context);
      // The eventId first (two copies of one read, from any device, with any plate), then the run of this device and
      // plate (two reads of one standing truck), then for an arrival the truck at this device (a guard linking another
      // read of it): always in this order, as a guard's link takes the last two, so no two transactions wait in a circle.
      const locks = [`gate-event:${read.eventId}`, runLock(device.code, plate)];
      if (decided.row.arrival) locks.push(arrivalLock(device.code, decided.row.crossing_id!));
      const [{ changed }] = await sql<{ changed: { context: ReadContext; digest: string } | null }>(
        'select gate_read_record(?::jsonb, ?, ?::jsonb, ?, ?, ?, ?::interval) as changed',
        [JSON.stringify(locks), digest, JSON.stringify(decided.row), device.yard, exitPoint(device.point), confusionKey(plate), WINDOW],
      );
      if (!changed) return decided.recorded;
      // Another read of this truck, a copy of this one or a guard's link committed in between: decide again on what
      // is true now. Each retry follows a commit of a rival, so a few are plenty.
      // Nothing was recorded: the device is told to send the read again (409, Retry-After), never a 500.
      if (attempt >= MAX_ATTEMPTS) throw new CrossingBusy();
      ({ context, digest } = changed);
    }
  }

  /** The read's context once the eventId's lock is held, when it shows an earlier copy; undefined when none is there. */
  private async earlierUnderLock(where: unknown[]): Promise<ReadContext | undefined> {
    return this.em.transactional(async (tx) => {
      const sql = sqlOf(tx);
      await sql('select pg_advisory_xact_lock(hashtext(?))', [`gate-event:${where[0] as string}`]);
      const [{ context }] = await sql<{ context: ReadContext }>(
        'select c as context from gate_read_context(?, ?, ?, ?, ?, ?, ?::timestamptz, ?::interval) c',
        where,
      );
      return context.earlier ? context : undefined;
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
      // An arrival unless the run had one for this crossing, or the device recorded the truck's arrival within the
      // minute under another plate (a truck read once as it is and once misread is one arrival, not two).
      const [{ arrival }] = await sql<{ arrival: boolean }>(
        `select not exists (select 1 from gate_event where (event_id = ? or repeat_of = ?) and arrival and crossing_id = ?)
                and not device_saw_arrival(?, ?, ?::timestamptz, ?::interval) as arrival`,
        [head.event_id, head.event_id, crossingId, head.device_code, crossingId, iso(head.at), WINDOW],
      );
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
      await sql('select gate_arrival_effects(?, ?, ?, ?, ?, ?::timestamptz)', [
        head.point,
        head.gate_code,
        head.yard_code,
        crossingId,
        head.event_id,
        at,
      ]);
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
        where c.gate_code = ? and translate(c.plate, 'OIB', '018') = ? and crossing_still_here(c.status, c.gate_exit_at, c.updated_at)
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
