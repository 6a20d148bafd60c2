import { Migration } from '@mikro-orm/migrations';

/**
 * The gate floor: devices (cameras and barrier controllers) and their plate reads, yard presence counted from the yard
 * cameras, each gate's plate-confidence threshold, and the customs channel on the crossings list.
 *
 * A device's secret is kept sealed (AES-256-GCM under DEVICE_SECRET_KEY): the API must read it back to check each
 * request's HMAC, so it cannot be a one-way hash like a password.
 */
export class Migration20261201001000GateFloor extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table gate add column plate_confidence double precision not null default 0.8
                   check (plate_confidence between 0 and 1)`);
    this.addSql(`alter table crossing add column customs_channel text`);
    // When the exit barrier opened for a cleared truck: past it, the truck no longer answers to that plate here.
    this.addSql(`alter table crossing add column gate_exit_at timestamptz`);

    this.addSql(`
      create table device (
        code text primary key,
        gate_code text not null references gate (code),
        point text not null check (point in ('YARD_ENTRY', 'YARD_EXIT', 'BARRIER_ENTRY', 'BARRIER_EXIT')),
        kind text not null check (kind in ('CAMERA', 'BARRIER')),
        yard_code text,
        secret_sealed text not null,
        secret_rotated_at timestamptz not null default now(),
        disabled_at timestamptz,
        created_by uuid not null references account (id),
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        foreign key (gate_code, yard_code) references yard (gate_code, code)
      )`);

    // One row per read. A repeat (the same plate, the same device, within 60 s of its previous read) names the first
    // read of its run in repeat_of; only a matched read that is its run's first for that crossing is an arrival.
    this.addSql(`
      create table gate_event (
        event_id text primary key,
        device_code text not null references device (code),
        gate_code text not null references gate (code),
        point text not null,
        plate_read text not null,
        plate text not null,
        at timestamptz not null,
        confidence double precision not null,
        image_ref text,
        received_at timestamptz not null default now(),
        match text not null check (match in ('MATCHED', 'DOUBTFUL', 'UNMATCHED')),
        crossing_id uuid references crossing (id),
        repeat_of text references gate_event (event_id),
        arrival boolean not null,
        open_exception boolean not null,
        action text not null,
        reason text not null,
        matched_by uuid references account (id),
        matched_at timestamptz,
        delivered_at timestamptz
      )`);
    this.addSql(`create index gate_event_gate_idx on gate_event (gate_code, at desc, event_id desc)`);
    this.addSql(`create index gate_event_exceptions_idx on gate_event (gate_code, at desc, event_id desc) where open_exception`);
    this.addSql(`create index gate_event_run_idx on gate_event (device_code, plate, at)`);
    this.addSql(`create index gate_event_repeat_of_idx on gate_event (repeat_of) where repeat_of is not null`);
    this.addSql(`create index gate_event_crossing_idx on gate_event (crossing_id) where crossing_id is not null`);
    this.addSql(`create index gate_event_undelivered_idx on gate_event (received_at) where arrival and delivered_at is null`);

    // Matching a read: the crossings of a plate at a gate, exactly or with O/0, I/1, B/8 folded (domain confusionKey).
    this.addSql(`create index crossing_gate_plate_idx on crossing (gate_code, plate)`);
    this.addSql(`create index crossing_gate_plate_key_idx on crossing (gate_code, translate(plate, 'OIB', '018'))`);

    // Which yard a truck is in, from the yard cameras: one row per crossing, entered and (once read leaving) exited.
    this.addSql(`
      create table yard_presence (
        crossing_id uuid primary key references crossing (id),
        gate_code text not null,
        yard_code text not null,
        entered_at timestamptz not null,
        entry_event text not null references gate_event (event_id),
        exited_at timestamptz,
        exit_event text references gate_event (event_id),
        foreign key (gate_code, yard_code) references yard (gate_code, code)
      )`);
    this.addSql(`create index yard_presence_in_idx on yard_presence (gate_code, yard_code) where exited_at is null`);

    // A yard's load. Occupied: trucks read entering and not yet read leaving, whose crossing is still open; a cleared
    // or ended crossing's truck no longer holds a place even when its exit read was missed (the reconciliation).
    // Reserved: places held for admitted trucks not yet read entering any yard.
    this.addSql(`
      create view yard_load as
      select y.gate_code, y.code as yard_code, y.capacity,
             (select count(*) from yard_presence p join crossing c on c.id = p.crossing_id
               where p.gate_code = y.gate_code and p.yard_code = y.code and p.exited_at is null
                 and c.status in ('IN_PROGRESS', 'AWAITING_CORRECTION'))::int as occupied,
             (select count(*) from yard_reservation r
               where r.gate_code = y.gate_code and r.yard_code = y.code and r.released_at is null
                 and not exists (select 1 from yard_presence p where p.crossing_id = r.crossing_id))::int as reserved
        from yard y`);
  }

  override async down(): Promise<void> {
    this.addSql('drop view if exists yard_load');
    for (const table of ['yard_presence', 'gate_event', 'device']) this.addSql(`drop table if exists ${table}`);
    this.addSql('drop index if exists crossing_gate_plate_idx');
    this.addSql('drop index if exists crossing_gate_plate_key_idx');
    this.addSql('alter table crossing drop column if exists customs_channel, drop column if exists gate_exit_at');
    this.addSql('alter table gate drop column if exists plate_confidence');
  }
}
