import { Migration } from '@mikro-orm/migrations';

/**
 * A plate read in two round trips instead of six (issue 16: a barrier waits for every one of them, and on a busy
 * machine each is a wait for a core). The rule stays in TypeScript (domain/gate-floor.ts); the database gives it what
 * it needs and then writes what it decided, checking under the read's locks that it decided on what is true now:
 *
 * - `gate_read_context` is everything the rule needs, as one jsonb value: the first answer if the eventId was seen, the
 *   run the read continues and its crossing, the gate's threshold, the crossings that could be meant. The store reads
 *   it without locks, with its digest, and applies the rule.
 * - `gate_read_record` takes the locks (in the order the store names them), computes the context again and, only when
 *   its digest is the one the rule was applied to, inserts the read and makes its changes; otherwise it writes nothing
 *   and returns the context as it is now, and the store applies the rule again. Each statement of a PL/pgSQL function
 *   sees what was committed before it started, so the context computed after the locks is that of a transaction that
 *   took them first; a plain statement (a CTE) would still see its own snapshot from before it waited.
 * - `gate_arrival_effects` is what an arrival changes besides the read (the yard a camera counts, the queue's called
 *   truck arrived), shared by a device's read and a guard's link.
 * - `crossing_still_here` is the one definition of a crossing still answering to its plate at its gate, and
 *   `device_saw_arrival` of a truck's arrival already recorded by a device within a minute (a read's and a guard's link).
 */
export class Migration20261201001300GateReadFunction extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create function crossing_still_here(status text, gate_exit_at timestamptz, updated_at timestamptz) returns boolean
      language sql stable as $$
        select status in ('IN_PROGRESS', 'AWAITING_CORRECTION')
            or (status = 'CLEARED' and gate_exit_at is null and updated_at > now() - interval '1 day')
      $$`);

    // Whether a device recorded a crossing's arrival within the window of a read, under any plate: a truck read once as
    // it is and once misread (then linked by a guard) is one arrival, not two.
    this.addSql(`
      create function device_saw_arrival(p_device text, p_crossing uuid, p_at timestamptz, p_window interval) returns boolean
      language plpgsql stable as $$
      begin
        return exists (select 1 from gate_event a
                        where a.device_code = p_device and a.crossing_id = p_crossing and a.arrival
                          and a.at between p_at - p_window and p_at + p_window);
      end
      $$`);

    // Crossings are ordered so that the same rows give the same digest. PL/pgSQL rather than SQL for this function and
    // the one above: a PL/pgSQL function keeps its statements' plans per connection, and planning this statement
    // costs several times what running it does.
    this.addSql(`
      create function gate_read_context(p_event_id text, p_device text, p_gate text, p_exit_point boolean, p_plate text,
                                        p_plate_key text, p_at timestamptz, p_window interval) returns jsonb
      language plpgsql stable as $$
      begin
        return (with run as (
          select coalesce(e.repeat_of, e.event_id) as head from gate_event e
           where e.device_code = p_device and e.plate = p_plate and e.at between p_at - p_window and p_at + p_window
           order by abs(extract(epoch from e.at - p_at)), e.at desc limit 1
        ), run_crossing as (
          select m.crossing_id from gate_event m, run
           where (m.event_id = run.head or m.repeat_of = run.head) and m.match = 'MATCHED' order by m.at limit 1
        )
        select jsonb_build_object(
                 'earlier', (select jsonb_build_object('device', e.device_code, 'action', e.action, 'reason', e.reason,
                                                       'crossingId', case when e.match = 'MATCHED' and e.matched_by is null then e.crossing_id end)
                               from gate_event e where e.event_id = p_event_id),
                 'head', (select head from run),
                 'runCrossing', (select crossing_id from run_crossing),
                 'plateConfidence', g.plate_confidence,
                 'crossings', (select jsonb_agg(jsonb_build_object(
                          'crossingId', c.id, 'plate', c.plate, 'status', c.status, 'currentStep', c.current_step,
                          'steps', c.view->'steps', 'transshipmentStage', c.view->'transshipment'->>'stage',
                          'queueStatus', (select q.status from queue_entry q where q.crossing_id = c.id),
                          'candidate', translate(c.plate, 'OIB', '018') = p_plate_key
                                       and (c.status in ('IN_PROGRESS', 'AWAITING_CORRECTION')
                                            or (p_exit_point and crossing_still_here(c.status, c.gate_exit_at, c.updated_at))),
                          'arrived', device_saw_arrival(p_device, c.id, p_at, p_window)) order by c.id)
                   from crossing c
                  where c.gate_code = g.code
                    and ((translate(c.plate, 'OIB', '018') = p_plate_key
                          and (c.status in ('IN_PROGRESS', 'AWAITING_CORRECTION')
                               or (p_exit_point and crossing_still_here(c.status, c.gate_exit_at, c.updated_at))))
                         or c.id = (select crossing_id from run_crossing))))
          from gate g where g.code = p_gate);
      end
      $$`);

    // A yard camera's arrival moves the truck into or out of its yard (the yard_load view counts yard_presence); an
    // arrival at an entry point takes a called truck's queue entry off the called ones (no no-show can follow).
    this.addSql(`
      create function gate_arrival_effects(p_point text, p_gate text, p_yard text, p_crossing uuid, p_event text,
                                           p_at timestamptz) returns void
      language plpgsql as $fn$
      begin
        if p_point = 'YARD_ENTRY' and p_yard is not null then
          insert into yard_presence (crossing_id, gate_code, yard_code, entered_at, entry_event)
          values (p_crossing, p_gate, p_yard, p_at, p_event)
          on conflict (crossing_id) do update set yard_code = excluded.yard_code, entered_at = excluded.entered_at,
            entry_event = excluded.entry_event, exited_at = null, exit_event = null
          where yard_presence.entered_at < excluded.entered_at;
          -- A device resending buffered reads after an outage may deliver the truck's exit before its entry: a later
          -- exit of this yard already recorded closes the stay at once.
          update yard_presence p set exited_at = x.at, exit_event = x.event_id
            from (select e.event_id, e.at from gate_event e join device d on d.code = e.device_code
                   where e.crossing_id = p_crossing and e.point = 'YARD_EXIT' and e.arrival and e.at > p_at
                     and (d.yard_code is null or d.yard_code = p_yard)
                   order by e.at limit 1) x
           where p.crossing_id = p_crossing and p.exited_at is null and p.entry_event = p_event;
        end if;
        if p_point = 'YARD_EXIT' then
          update yard_presence set exited_at = p_at, exit_event = p_event
           where crossing_id = p_crossing and exited_at is null and entered_at <= p_at and (p_yard is null or yard_code = p_yard);
        end if;
        if p_point in ('YARD_ENTRY', 'BARRIER_ENTRY') then
          update queue_entry set status = 'ARRIVED', arrived_at = now() where crossing_id = p_crossing and status = 'CALLED';
        end if;
      end
      $fn$`);

    // p_read is the gate_event row the rule decided on (snake_case keys), p_locks the advisory lock keys (a jsonb array)
    // in the order to take them. Returns null once written, or {context, digest} when the context changed and nothing was written.
    this.addSql(`
      create function gate_read_record(p_locks jsonb, p_digest text, p_read jsonb, p_yard text, p_exit_point boolean,
                                       p_plate_key text, p_window interval) returns jsonb
      language plpgsql as $fn$
      declare
        r gate_event := jsonb_populate_record(null::gate_event, p_read);
        k text;
        now_context jsonb;
      begin
        for k in select jsonb_array_elements_text(p_locks) loop
          perform pg_advisory_xact_lock(hashtext(k));
        end loop;
        now_context := gate_read_context(r.event_id, r.device_code, r.gate_code, p_exit_point, r.plate, p_plate_key, r.at, p_window);
        if md5(now_context::text) is distinct from p_digest then
          return jsonb_build_object('context', now_context, 'digest', md5(now_context::text));
        end if;
        insert into gate_event (event_id, device_code, gate_code, point, plate_read, plate, at, confidence, image_ref, match,
                                crossing_id, repeat_of, arrival, open_exception, action, reason)
        values (r.event_id, r.device_code, r.gate_code, r.point, r.plate_read, r.plate, r.at, r.confidence, r.image_ref, r.match,
                r.crossing_id, r.repeat_of, r.arrival, r.open_exception, r.action, r.reason);
        -- A run matched at last leaves the exception list (its first read).
        if r.match = 'MATCHED' and r.repeat_of is not null then
          update gate_event set open_exception = false where event_id = r.repeat_of and open_exception;
        end if;
        -- A truck the exit barrier opened for no longer answers to its plate here.
        if r.point = 'BARRIER_EXIT' and r.action = 'OPEN' then
          update crossing set gate_exit_at = r.at where id = r.crossing_id and gate_exit_at is null;
        end if;
        if r.arrival then
          perform gate_arrival_effects(r.point, r.gate_code, p_yard, r.crossing_id, r.event_id, r.at);
        end if;
        return null;
      end
      $fn$`);
  }

  override async down(): Promise<void> {
    this.addSql('drop function if exists gate_read_record(jsonb, text, jsonb, text, boolean, text, interval)');
    this.addSql('drop function if exists gate_arrival_effects(text, text, text, uuid, text, timestamptz)');
    this.addSql('drop function if exists gate_read_context(text, text, text, boolean, text, text, timestamptz, interval)');
    this.addSql('drop function if exists device_saw_arrival(text, uuid, timestamptz, interval)');
    this.addSql('drop function if exists crossing_still_here(text, timestamptz, timestamptz)');
  }
}
