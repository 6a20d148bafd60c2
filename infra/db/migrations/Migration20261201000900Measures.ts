import { Migration } from '@mikro-orm/migrations';

/**
 * The measures of the Time Release Study, kept as rows the statistics can aggregate without reading histories:
 * one `STEP` row per agency decision or payment (a step's dwell, from when that wait began to the decision) and one
 * `END` row per ended crossing (end to end, from declaration to the end, with its outcome).
 *
 * A trigger on `crossing_event` writes them, so every writer of history (the read-model statement, today and later)
 * feeds them without knowing of them, and a retried write (its events are `on conflict do nothing`) adds none twice.
 * The trigger fires after the whole statement that inserted the events, when the crossing row and the step's
 * `STEP_STARTED` event, written by the same statement, are visible to it.
 */
export class Migration20261201000900Measures extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table crossing_measure (
        crossing_id uuid not null references crossing (id),
        seq integer not null,
        gate_code text not null,
        kind text not null check (kind in ('STEP', 'END')),
        step text,
        outcome text not null,
        started_at timestamptz not null,
        at timestamptz not null,
        seconds double precision not null,
        primary key (crossing_id, seq)
      )`);
    // Covering: the statistics read only these columns, so a period of a gate is read from the index alone.
    this.addSql(`create index crossing_measure_gate_idx on crossing_measure (gate_code, kind, at) include (step, outcome, seconds)`);
    // Declared per gate and period, and the open crossings of a gate (few, among many ended ones).
    this.addSql(`create index crossing_gate_created_idx on crossing (gate_code, created_at)`);
    this.addSql(`
      create index crossing_gate_open_idx on crossing (gate_code, current_step)
       where status in ('IN_PROGRESS', 'AWAITING_CORRECTION')`);

    this.addSql(`
      create function crossing_measure_of(e crossing_event) returns setof crossing_measure language sql stable as $$
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
    this.addSql(`
      create function record_crossing_measure() returns trigger language plpgsql as $$
      begin
        insert into crossing_measure select * from crossing_measure_of(new) on conflict do nothing;
        return null;
      end $$`);
    this.addSql(`
      create trigger crossing_measure_after_event after insert on crossing_event
         for each row when (new.type in ('DECISION', 'PAYMENT', 'ENDED'))
         execute function record_crossing_measure()`);
    // Crossings recorded before this migration.
    this.addSql(`
      insert into crossing_measure
      select m.* from crossing_event e cross join lateral crossing_measure_of(e) m
       where e.type in ('DECISION', 'PAYMENT', 'ENDED') on conflict do nothing`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger crossing_measure_after_event on crossing_event`);
    this.addSql(`drop function record_crossing_measure()`);
    this.addSql(`drop function crossing_measure_of(crossing_event)`);
    this.addSql(`drop index crossing_gate_open_idx`);
    this.addSql(`drop index crossing_gate_created_idx`);
    this.addSql(`drop table crossing_measure`);
  }
}
