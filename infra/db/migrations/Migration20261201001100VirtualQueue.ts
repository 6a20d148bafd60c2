import { Migration } from '@mikro-orm/migrations';

/**
 * The virtual queue: each gate's queue settings, its closures, the queue entries in call order, the fairness counter
 * of each gate and direction, and the outbox of SMS messages to drivers.
 *
 * The order lives here rather than in a workflow's history: the dispatcher workflow (workflows/queue-dispatcher.ts)
 * keeps no entry in memory, so its cost does not grow with the number of trucks ever queued.
 */
export class Migration20261201001100VirtualQueue extends Migration {
  override async up(): Promise<void> {
    // A gate keeps a queue when `queue_arrive_within` is set; the other settings have defaults.
    this.addSql(`
      alter table gate
        add column queue_arrive_within interval check (queue_arrive_within > interval '0'),
        add column queue_priority_per_regular integer not null default 3 check (queue_priority_per_regular >= 0),
        add column queue_no_show_requeues integer not null default 1 check (queue_no_show_requeues >= 0),
        add column queue_max_wait interval not null default interval '30 days' check (queue_max_wait > interval '0')`);

    // A closure is open until reopened; at most one open closure per gate.
    this.addSql(`
      create table gate_closure (
        id uuid primary key,
        gate_code text not null references gate (code),
        reason text not null,
        expected_reopen_at timestamptz,
        closed_by uuid not null references account (id),
        closed_at timestamptz not null,
        reopened_by uuid references account (id),
        reopened_at timestamptz
      )`);
    this.addSql(`create unique index gate_closure_open_idx on gate_closure (gate_code) where reopened_at is null`);

    // One entry per queued crossing, kept after it leaves (DONE) for the queue-wait measure. `order_key` is its place:
    // a requeued no-show takes a new, later one. `seq` grows with every change the crossing must be told of;
    // `delivered_seq` is the last one its workflow was signalled, so a change committed but not yet told is found again.
    this.addSql(`create sequence queue_order_seq`);
    this.addSql(`
      create table queue_entry (
        crossing_id uuid primary key references crossing (id),
        gate_code text not null references gate (code),
        direction text not null check (direction in ('EXPORT', 'IMPORT')),
        priority boolean not null,
        -- Waiting for a corrected form: it keeps its place but is not called (and has no position) until it stands.
        held boolean not null default false,
        -- The plate as declared, for the queue's list (read without the crossing's whole view).
        plate text not null,
        status text not null check (status in ('WAITING', 'CALLED', 'ARRIVED', 'NO_SHOW', 'EXPIRING', 'DONE')),
        order_key bigint not null default nextval('queue_order_seq'),
        joined_at timestamptz not null,
        called_at timestamptz,
        first_called_at timestamptz,
        arrive_by timestamptz,
        arrived_at timestamptz,
        no_shows integer not null default 0,
        expire_reason text,
        left_at timestamptz,
        seq integer not null default 1,
        delivered_seq integer not null default 1
      )`);
    this.addSql(`
      create index queue_entry_waiting_idx on queue_entry (gate_code, direction, priority, order_key)
       where status in ('WAITING', 'NO_SHOW') and not held`);
    this.addSql(`
      create index queue_entry_joined_idx on queue_entry (gate_code, direction, joined_at)
       where status in ('WAITING', 'NO_SHOW')`);
    this.addSql(`create index queue_entry_open_idx on queue_entry (gate_code, direction, status) where status <> 'DONE'`);
    this.addSql(`create index queue_entry_undelivered_idx on queue_entry (gate_code, direction) where delivered_seq < seq`);
    this.addSql(`create index queue_entry_called_idx on queue_entry (gate_code, direction, called_at) where called_at is not null`);
    this.addSql(`create index queue_entry_first_called_idx on queue_entry (gate_code, first_called_at) where first_called_at is not null`);

    // Priority calls made since the last regular one, per gate and direction: the fairness limit counts them.
    this.addSql(`
      create table queue_state (
        gate_code text not null references gate (code),
        direction text not null check (direction in ('EXPORT', 'IMPORT')),
        priority_streak integer not null default 0,
        primary key (gate_code, direction)
      )`);

    // Messages to drivers, written in the same transaction as what they tell; sent at least once, the message id
    // being the provider's de-duplication key.
    this.addSql(`
      create table notification (
        message_id text primary key,
        crossing_id uuid references crossing (id),
        gate_code text not null references gate (code),
        event text not null check (event in ('CALLED', 'NO_SHOW', 'EXPIRED', 'CLOSED', 'REOPENED', 'RETURNED', 'CLEARED')),
        phone text not null,
        language text not null check (language in ('vi', 'zh')),
        body text not null,
        created_at timestamptz not null default now(),
        next_attempt_at timestamptz not null default now(),
        attempts integer not null default 0,
        last_error text,
        sent_at timestamptz,
        provider text
      )`);
    this.addSql(`create index notification_due_idx on notification (next_attempt_at) where sent_at is null`);
    this.addSql(`create index notification_phone_idx on notification (phone, created_at desc)`);
    this.addSql(`create index notification_sent_idx on notification (created_at desc) where sent_at is not null`);

    // Where its gate keeps a queue, whether the truck was called or has arrived (agencies' work queues list those
    // first) and its queue status, for lists; true and null where the gate keeps no queue.
    this.addSql(`alter table crossing add column at_gate boolean not null default true, add column queue_status text`);
    this.addSql(`drop index crossing_queue_idx`);
    this.addSql(`
      create index crossing_queue_idx on crossing (gate_code, current_step, at_gate desc, (category = 'PRIORITY') desc, step_started_at, id)`);

    // A crossing that has ended holds no place, whether or not its reservation was released: a queue's call reserves
    // a place before the crossing has registered any undo for it.
    this.addSql(`
      create or replace view yard_load as
      select y.gate_code, y.code as yard_code, y.capacity,
             (select count(*) from yard_presence p join crossing c on c.id = p.crossing_id
               where p.gate_code = y.gate_code and p.yard_code = y.code and p.exited_at is null
                 and c.status in ('IN_PROGRESS', 'AWAITING_CORRECTION'))::int as occupied,
             (select count(*) from yard_reservation r join crossing c on c.id = r.crossing_id
               where r.gate_code = y.gate_code and r.yard_code = y.code and r.released_at is null
                 and c.status in ('IN_PROGRESS', 'AWAITING_CORRECTION')
                 and not exists (select 1 from yard_presence p where p.crossing_id = r.crossing_id))::int as reserved
        from yard y`);
    this.addSql(`create index yard_reservation_open_idx on yard_reservation (gate_code, yard_code) where released_at is null`);

    // A step's dwell counts from when it began waiting or from the truck's call, whichever is later: time in the queue
    // is the queue's measure, not the agency's.
    this.addSql(`
      create or replace function crossing_measure_of(e crossing_event) returns setof crossing_measure language sql stable as $$
        select e.crossing_id, e.seq, c.gate_code,
               case when e.type = 'ENDED' then 'END' else 'STEP' end,
               case when e.type = 'ENDED' then null else e.step end,
               case when e.type = 'ENDED' then e.data->>'status'
                    when e.type = 'PAYMENT' then 'PAID'
                    else e.data->>'outcome' end,
               w.started_at, e.at, extract(epoch from e.at - w.started_at)
          from crossing c
          cross join lateral (
            select case when e.type = 'ENDED' then c.created_at
                        else (select max(s.at) from crossing_event s
                               where s.crossing_id = e.crossing_id and s.step = e.step
                                 and s.type in ('STEP_STARTED', 'QUEUE_CALLED') and s.seq < e.seq) end as started_at
          ) w
         where c.id = e.crossing_id and w.started_at is not null
      $$`);
  }

  override async down(): Promise<void> {
    this.addSql(`
      create or replace view yard_load as
      select y.gate_code, y.code as yard_code, y.capacity,
             (select count(*) from yard_presence p join crossing c on c.id = p.crossing_id
               where p.gate_code = y.gate_code and p.yard_code = y.code and p.exited_at is null
                 and c.status in ('IN_PROGRESS', 'AWAITING_CORRECTION'))::int as occupied,
             (select count(*) from yard_reservation r
               where r.gate_code = y.gate_code and r.yard_code = y.code and r.released_at is null
                 and not exists (select 1 from yard_presence p where p.crossing_id = r.crossing_id))::int as reserved
        from yard y`);
    this.addSql(`
      create or replace function crossing_measure_of(e crossing_event) returns setof crossing_measure language sql stable as $$
        select e.crossing_id, e.seq, c.gate_code,
               case when e.type = 'ENDED' then 'END' else 'STEP' end,
               case when e.type = 'ENDED' then null else e.step end,
               case when e.type = 'ENDED' then e.data->>'status'
                    when e.type = 'PAYMENT' then 'PAID'
                    else e.data->>'outcome' end,
               w.started_at, e.at, extract(epoch from e.at - w.started_at)
          from crossing c
          cross join lateral (
            select case when e.type = 'ENDED' then c.created_at
                        else (select max(s.at) from crossing_event s
                               where s.crossing_id = e.crossing_id and s.step = e.step
                                 and s.type = 'STEP_STARTED' and s.seq < e.seq) end as started_at
          ) w
         where c.id = e.crossing_id and w.started_at is not null
      $$`);
    this.addSql(`drop index if exists crossing_queue_idx`);
    this.addSql(`create index crossing_queue_idx on crossing (gate_code, current_step, (category = 'PRIORITY') desc, step_started_at, id)`);
    for (const table of ['notification', 'queue_state', 'queue_entry', 'gate_closure']) this.addSql(`drop table if exists ${table}`);
    this.addSql('drop sequence if exists queue_order_seq');
    this.addSql('drop index if exists yard_reservation_open_idx');
    this.addSql('alter table crossing drop column if exists at_gate, drop column if exists queue_status');
    this.addSql(`alter table gate drop column if exists queue_arrive_within, drop column if exists queue_priority_per_regular,
                 drop column if exists queue_no_show_requeues, drop column if exists queue_max_wait`);
  }
}
