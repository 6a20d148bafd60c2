import { Migration } from '@mikro-orm/migrations';
import { SEEDED_CORRIDORS } from '../seeds/corridors';

/**
 * Drivers and the road: each gate's approach corridor, holding areas and traffic thresholds; the driver links (one
 * per crossing, kept as a hash); the points drivers' phones send, and the latest of each crossing; the flow per
 * segment and the advisory the worker computes from them; the traffic police's orders and who was sent each.
 *
 * Positions are personal data kept for TRACK_RETENTION and then deleted (worker/traffic-keeper.ts): the points table is
 * append-only, so a BRIN index on the point's time serves the deletion at the cost of a few pages.
 */
export class Migration20261201001200Tracking extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table gate
        add column corridor jsonb not null default '[]',
        add column holding_areas jsonb not null default '[]',
        add column traffic_thresholds jsonb not null default '{"slowBelowKmh": 20, "congestedBelowKmh": 8, "densityPerKm": 40}'`);
    const literal = (value: unknown) => `'${JSON.stringify(value).replace(/'/g, "''")}'::jsonb`;
    for (const [code, seed] of Object.entries(SEEDED_CORRIDORS)) {
      this.addSql(
        `update gate set corridor = ${literal(seed.corridor)}, holding_areas = ${literal(seed.holdingAreas)} where code = '${code}'`,
      );
    }

    this.addSql(`
      alter table notification drop constraint notification_event_check,
        add constraint notification_event_check check (event in ('CALLED', 'NO_SHOW', 'EXPIRED', 'CLOSED', 'REOPENED',
          'RETURNED', 'CLEARED', 'DRIVER_LINK', 'TRAFFIC_ORDER', 'ORDER_WITHDRAWN'))`);

    // One link per crossing: a new one replaces the hash, so the old token dies at once.
    this.addSql(`
      create table driver_link (
        crossing_id uuid primary key references crossing (id),
        token_hash text not null unique,
        issued_at timestamptz not null,
        issued_by uuid references account (id)
      )`);

    this.addSql(`
      create table track_point (
        crossing_id uuid not null references crossing (id),
        gate_code text not null references gate (code),
        at timestamptz not null,
        lat double precision not null,
        lon double precision not null,
        speed_kmh real,
        heading_deg real,
        accuracy_m real,
        segment_code text,
        holding_area text,
        received_at timestamptz not null default now()
      )`);
    this.addSql(`create index track_point_crossing_idx on track_point (crossing_id, at)`);
    this.addSql(`create index track_point_at_brin on track_point using brin (at)`);

    // A batch's Idempotency-Key and first answer: a repeat gets the answer and adds no point.
    this.addSql(`
      create table position_batch (
        crossing_id uuid not null references crossing (id),
        idem_key text not null,
        request_hash text not null,
        answer jsonb not null,
        received_at timestamptz not null default now(),
        primary key (crossing_id, idem_key)
      )`);
    this.addSql(`create index position_batch_received_brin on position_batch using brin (received_at)`);

    // The latest fix of each crossing (what the flow counts), and its first entry into the corridor with whether the
    // crossing's workflow has heard of it.
    this.addSql(`
      create table crossing_track (
        crossing_id uuid primary key references crossing (id),
        gate_code text not null references gate (code),
        last_at timestamptz not null,
        lat double precision not null,
        lon double precision not null,
        speed_kmh real,
        segment_code text,
        holding_area text,
        approached_at timestamptz,
        approached_segment text,
        -- When the first entry was stored (approached_at is the phone's clock): the redelivery sweep goes by this.
        approach_stored_at timestamptz,
        approach_delivered_at timestamptz
      )`);
    this.addSql(`create index crossing_track_gate_idx on crossing_track (gate_code, last_at desc)`);
    this.addSql(`create index crossing_track_undelivered_idx on crossing_track (approach_stored_at)
                   where approached_at is not null and approach_delivered_at is null`);

    this.addSql(`
      create table segment_flow (
        gate_code text not null references gate (code),
        segment_code text not null,
        trucks integer not null,
        mean_speed_kmh real,
        status text not null check (status in ('FREE', 'SLOW', 'CONGESTED')),
        computed_at timestamptz not null,
        primary key (gate_code, segment_code)
      )`);
    this.addSql(`
      create table traffic_advisory (
        gate_code text primary key references gate (code),
        advisory jsonb not null,
        computed_at timestamptz not null
      )`);

    this.addSql(`
      create table traffic_order (
        id uuid primary key,
        gate_code text not null references gate (code),
        action text not null check (action in ('HOLD', 'PROCEED', 'DIVERT')),
        message text not null,
        segments text[],
        holding_area text,
        valid_until timestamptz not null,
        issued_by uuid not null references account (id),
        issued_at timestamptz not null,
        recipients integer not null default 0,
        withdrawn_by uuid references account (id),
        withdrawn_at timestamptz
      )`);
    this.addSql(`create index traffic_order_active_idx on traffic_order (gate_code, valid_until) where withdrawn_at is null`);
    this.addSql(`
      create table traffic_order_recipient (
        order_id uuid not null references traffic_order (id),
        crossing_id uuid not null references crossing (id),
        primary key (order_id, crossing_id)
      )`);
    this.addSql(`create index traffic_order_recipient_crossing_idx on traffic_order_recipient (crossing_id)`);
  }

  override async down(): Promise<void> {
    for (const table of [
      'traffic_order_recipient',
      'traffic_order',
      'traffic_advisory',
      'segment_flow',
      'crossing_track',
      'position_batch',
      'track_point',
      'driver_link',
    ]) {
      this.addSql(`drop table if exists ${table}`);
    }
    this.addSql(`delete from notification where event in ('DRIVER_LINK', 'TRAFFIC_ORDER', 'ORDER_WITHDRAWN')`);
    this.addSql(`
      alter table notification drop constraint notification_event_check,
        add constraint notification_event_check check (event in ('CALLED', 'NO_SHOW', 'EXPIRED', 'CLOSED', 'REOPENED', 'RETURNED', 'CLEARED'))`);
    this.addSql(`alter table gate drop column corridor, drop column holding_areas, drop column traffic_thresholds`);
  }
}
