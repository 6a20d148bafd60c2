import type { EntityManager } from '@mikro-orm/postgresql';
import type { z } from 'zod';
import type { CrossingStatus, TrackingSummarySchema } from '../../../domain/crossing-view';
import type { Direction } from '../../../domain/declaration';
import type { NotificationDraft } from '../../../domain/notifications';
import type { QueuePlace } from '../../../domain/queue';
import type { Step } from '../../../domain/steps';
import { enqueueNotifications } from './notifications';
import { sqlOf } from '../orm';
import { iso } from './timestamps';

/** What a driver link reaches: its one crossing, as the read model has it, with the crossing's latest fix. */
export interface DriverLinkHolder {
  crossingId: string;
  gate: string;
  plate: string;
  direction: Direction;
  status: CrossingStatus;
  currentStep: Step | null;
  updatedAt: string;
  queue: QueuePlace | null;
  driver: { nationality: string; phone: string | null };
  /** The crossing's latest fix (the speed of a first point that carries none is taken from it), and where it lay. */
  lastFix: { at: string; lat: number; lon: number; speedKmh: number | null; segment: string | null; holdingArea: string | null } | null;
}

/** A point as it is stored: placed, and with the speed the phone gave or the one derived from the fix before it. */
export interface PlacedPoint {
  at: string;
  lat: number;
  lon: number;
  speedKmh: number | null;
  headingDeg: number | null;
  accuracyM: number | null;
  segment: string | null;
  holdingArea: string | null;
}

export type TrackingSummary = z.infer<typeof TrackingSummarySchema>;

/** A crossing's first entry into the corridor that its workflow has not yet heard of. */
export interface PendingApproach {
  crossingId: string;
  at: string;
  segment: string | null;
}

/**
 * Drivers' links and the points their phones send (API.md "Driver tracking and traffic flow"). Points live here and
 * never in a workflow's history: the workflow hears only of the first entry into the corridor (`APPROACHING`).
 */
export class TrackingStore {
  constructor(private readonly em: EntityManager) {}

  /**
   * Gives the crossing a link (the hash of its token), replacing any earlier one so that the earlier token dies at
   * once, and writes the SMS that carries it in the same transaction. Answers false for no such crossing.
   */
  async issueLink(
    crossingId: string,
    tokenHash: string,
    issuedBy: string | null,
    sms: NotificationDraft | undefined,
    smsLimit: { perHour: number },
  ): Promise<boolean> {
    const sql = sqlOf(this.em);
    const rows = await sql(
      `insert into driver_link (crossing_id, token_hash, issued_at, issued_by)
       select id, ?, now(), ? from crossing where id = ?
       on conflict (crossing_id) do update set token_hash = excluded.token_hash, issued_at = excluded.issued_at, issued_by = excluded.issued_by
       returning crossing_id`,
      [tokenHash, issuedBy, crossingId],
    );
    if (!rows.length) return false;
    if (!sms) return true;
    const [recent] = await sql<{ n: number }>(
      `select count(*)::int as n from notification where phone = ? and event = 'DRIVER_LINK' and created_at > now() - interval '1 hour'`,
      [sms.phone],
    );
    if (recent.n < smsLimit.perHour) await enqueueNotifications(sql, [sms]);
    return true;
  }

  /** The first answer of a batch stored under this key, if one was. */
  async storedBatch(crossingId: string, key: string): Promise<{ requestHash: string; answer: unknown } | undefined> {
    const [row] = await sqlOf(this.em)<{ request_hash: string; answer: unknown }>(
      'select request_hash, answer from position_batch where crossing_id = ? and idem_key = ?',
      [crossingId, key],
    );
    return row && { requestHash: row.request_hash, answer: row.answer };
  }

  /** The crossing a token's hash opens, in one round trip; undefined for a token never issued or since replaced. */
  async holderOf(tokenHash: string): Promise<DriverLinkHolder | undefined> {
    const [row] = await sqlOf(this.em)<{
      crossing_id: string;
      gate_code: string;
      plate: string;
      direction: Direction;
      status: CrossingStatus;
      current_step: Step | null;
      updated_at: Date;
      queue: QueuePlace | null;
      nationality: string | null;
      phone: string | null;
      last_at: Date | null;
      lat: number | null;
      lon: number | null;
      speed_kmh: number | null;
      segment_code: string | null;
      holding_area: string | null;
    }>(
      `select c.id as crossing_id, c.gate_code, c.view->'declaration'->'vehicle'->>'plate' as plate, c.direction, c.status,
              c.current_step, c.updated_at, c.view->'queue' as queue,
              c.view->'declaration'->'driver'->>'nationality' as nationality, c.view->'declaration'->'driver'->>'phone' as phone,
              t.last_at, t.lat, t.lon, t.speed_kmh, t.segment_code, t.holding_area
         from driver_link l join crossing c on c.id = l.crossing_id
         left join crossing_track t on t.crossing_id = l.crossing_id
        where l.token_hash = ?`,
      [tokenHash],
    );
    if (!row) return undefined;
    return {
      crossingId: row.crossing_id,
      gate: row.gate_code,
      plate: row.plate,
      direction: row.direction,
      status: row.status,
      currentStep: row.current_step,
      updatedAt: iso(row.updated_at),
      queue: row.queue,
      driver: { nationality: row.nationality ?? '', phone: row.phone },
      lastFix:
        row.last_at && row.lat !== null && row.lon !== null
          ? {
              at: iso(row.last_at),
              lat: row.lat,
              lon: row.lon,
              speedKmh: row.speed_kmh,
              segment: row.segment_code,
              holdingArea: row.holding_area,
            }
          : null,
    };
  }

  /**
   * Stores a batch of points in one statement: its Idempotency-Key is claimed with its answer, and the points, the
   * crossing's latest fix and its first entry into the corridor are written only when the claim is new. A repeat gets
   * the first answer back (`replayed`) and changes nothing; a different batch under a used key gets `conflict`.
   * `newlyApproached` is true for the one batch that first placed the truck in the corridor.
   */
  async addPoints(input: {
    crossingId: string;
    gate: string;
    key: string;
    requestHash: string;
    answer: unknown;
    points: PlacedPoint[];
    /** The batch's latest point (where the truck is now), and its first point in the corridor, if any. */
    latest: PlacedPoint;
    approach: { at: string; segment: string | null } | undefined;
  }): Promise<{ outcome: 'stored' | 'replayed' | 'conflict'; answer: unknown; newlyApproached: boolean }> {
    const { latest, approach } = input;
    const [row] = await sqlOf(this.em)<{ claimed: boolean; approached_before: Date | null }>(
      `with claim as (
         insert into position_batch (crossing_id, idem_key, request_hash, answer) values (?, ?, ?, ?::jsonb)
         on conflict do nothing returning 1
       ), points as (
         insert into track_point (crossing_id, gate_code, at, lat, lon, speed_kmh, heading_deg, accuracy_m, segment_code, holding_area)
         select ?, ?, p.at, p.lat, p.lon, p."speedKmh", p."headingDeg", p."accuracyM", p.segment, p."holdingArea"
           from jsonb_to_recordset(?::jsonb) as p(at timestamptz, lat float8, lon float8, "speedKmh" real, "headingDeg" real,
                                                    "accuracyM" real, segment text, "holdingArea" text)
          where exists (select 1 from claim)
       ), before as (
         select approached_at from crossing_track where crossing_id = ?
       ), latest as (
         insert into crossing_track as t (crossing_id, gate_code, last_at, lat, lon, speed_kmh, segment_code, holding_area,
                                          approached_at, approached_segment, approach_stored_at)
         select ?, ?, ?::timestamptz, ?, ?, ?::real, ?, ?, a.at, a.segment, case when a.at is not null then now() end
           from (select ?::timestamptz as at, ?::text as segment) a where exists (select 1 from claim)
         on conflict (crossing_id) do update set
           last_at = greatest(t.last_at, excluded.last_at),
           lat = case when excluded.last_at >= t.last_at then excluded.lat else t.lat end,
           lon = case when excluded.last_at >= t.last_at then excluded.lon else t.lon end,
           speed_kmh = case when excluded.last_at >= t.last_at then excluded.speed_kmh else t.speed_kmh end,
           segment_code = case when excluded.last_at >= t.last_at then excluded.segment_code else t.segment_code end,
           holding_area = case when excluded.last_at >= t.last_at then excluded.holding_area else t.holding_area end,
           approached_at = coalesce(t.approached_at, excluded.approached_at),
           approached_segment = case when t.approached_at is null then excluded.approached_segment else t.approached_segment end,
           approach_stored_at = case when t.approached_at is null then excluded.approach_stored_at else t.approach_stored_at end
       )
       select exists (select 1 from claim) as claimed, (select approached_at from before) as approached_before`,
      [
        input.crossingId,
        input.key,
        input.requestHash,
        JSON.stringify(input.answer),
        input.crossingId,
        input.gate,
        JSON.stringify(input.points),
        input.crossingId,
        input.crossingId,
        input.gate,
        latest.at,
        latest.lat,
        latest.lon,
        latest.speedKmh,
        latest.segment,
        latest.holdingArea,
        approach?.at ?? null,
        approach?.segment ?? null,
      ],
    );
    if (row.claimed) return { outcome: 'stored', answer: input.answer, newlyApproached: !!approach && row.approached_before === null };
    // The key was used before (a statement's snapshot may predate a concurrent first use: read it now).
    const first = await this.storedBatch(input.crossingId, input.key);
    if (!first || first.requestHash !== input.requestHash) return { outcome: 'conflict', answer: undefined, newlyApproached: false };
    return { outcome: 'replayed', answer: first.answer, newlyApproached: false };
  }

  /** A crossing's points, oldest first, at most `limit`. */
  async track(
    crossingId: string,
    range: { from?: string; to?: string; limit: number },
  ): Promise<{ at: string; lat: number; lon: number; speedKmh: number | null }[]> {
    const rows = await sqlOf(this.em)<{ at: Date; lat: number; lon: number; speed_kmh: number | null }>(
      `select at, lat, lon, speed_kmh from track_point
        where crossing_id = ? and (?::timestamptz is null or at >= ?::timestamptz) and (?::timestamptz is null or at <= ?::timestamptz)
        order by at limit ?`,
      [crossingId, range.from ?? null, range.from ?? null, range.to ?? null, range.to ?? null, range.limit],
    );
    return rows.map((r) => ({ at: iso(r.at), lat: r.lat, lon: r.lon, speedKmh: r.speed_kmh }));
  }

  /** The crossing view's `tracking`: its latest fix, or undefined before its first. */
  async summaryOf(crossingId: string): Promise<TrackingSummary | undefined> {
    const [row] = await sqlOf(this.em)<{
      last_at: Date;
      segment_code: string | null;
      holding_area: string | null;
      speed_kmh: number | null;
    }>('select last_at, segment_code, holding_area, speed_kmh from crossing_track where crossing_id = ?', [crossingId]);
    return row && trackingSummaryOf(row);
  }

  /** First entries into the corridor that no workflow has acknowledged this long after they were stored (by the server's clock). */
  async undeliveredApproaches(olderThanMs: number, limit: number): Promise<PendingApproach[]> {
    const rows = await sqlOf(this.em)<{ crossing_id: string; approached_at: Date; approached_segment: string | null }>(
      `select crossing_id, approached_at, approached_segment from crossing_track
        where approached_at is not null and approach_delivered_at is null and approach_stored_at < now() - make_interval(secs => ?)
        order by approach_stored_at limit ?`,
      [olderThanMs / 1000, limit],
    );
    return rows.map((r) => ({ crossingId: r.crossing_id, at: iso(r.approached_at), segment: r.approached_segment }));
  }

  async markApproachDelivered(crossingId: string): Promise<void> {
    await sqlOf(this.em)(
      'update crossing_track set approach_delivered_at = now() where crossing_id = ? and approach_delivered_at is null',
      [crossingId],
    );
  }

  /**
   * Deletes points, batch keys and latest fixes older than the retention, in slices so that no statement holds locks
   * for long; answers how many points went.
   */
  async deleteOlderThan(retentionMs: number, slice = 10_000): Promise<number> {
    const sql = sqlOf(this.em);
    const cutoff = new Date(Date.now() - retentionMs).toISOString();
    let deleted = 0;
    for (;;) {
      const rows = await sql<{ n: number }>(
        `with gone as (
           delete from track_point where ctid in (select ctid from track_point where at < ?::timestamptz limit ?) returning 1
         ) select count(*)::int as n from gone`,
        [cutoff, slice],
      );
      deleted += rows[0].n;
      if (rows[0].n < slice) break;
    }
    await sql('delete from position_batch where received_at < ?::timestamptz', [cutoff]);
    await sql('delete from crossing_track where last_at < ?::timestamptz', [cutoff]);
    return deleted;
  }
}

/** A crossing's latest fix as its `crossing_track` row holds it (read here, or by a request's opening statement). */
export function trackingSummaryOf(row: {
  last_at: Date | string;
  segment_code: string | null;
  holding_area: string | null;
  speed_kmh: number | null;
}): TrackingSummary {
  return { lastAt: iso(row.last_at), segment: row.segment_code, holdingArea: row.holding_area, speedKmh: row.speed_kmh };
}
