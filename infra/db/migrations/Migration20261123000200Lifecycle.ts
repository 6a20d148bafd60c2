import { Migration } from '@mikro-orm/migrations';

/**
 * The crossing lifecycle: step deadline policies (with every version kept), the crossing history, and the records of
 * side effects and their undos (transshipment bookings, escalations, documents, refunds).
 */
export class Migration20261123000200Lifecycle extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table step_timeout_policy (
        gate text not null,
        category text not null,
        step text not null,
        sla text not null,
        expire_after text not null,
        version integer not null,
        updated_by uuid references account (id),
        updated_at timestamptz not null default now(),
        primary key (gate, category, step)
      )`);
    this.addSql(`
      create table step_timeout_policy_version (
        id bigserial primary key,
        gate text not null,
        category text not null,
        step text not null,
        sla text not null,
        expire_after text not null,
        version integer not null,
        updated_by uuid references account (id),
        updated_at timestamptz not null default now(),
        unique (gate, category, step, version)
      )`);
    // The defaults as they were when this migration was written, frozen: an old migration must not change with the code.
    // Hours for agencies, a day or more before an abandoned crossing expires; perishable and emergency cargo (PRIORITY)
    // gets half the time and expires sooner.
    const rows = [
      ['*', 'health-check', 'PT30M', 'PT24H'],
      ['*', 'border-entry', 'PT30M', 'PT24H'],
      ['*', 'quarantine', 'PT2H', 'PT48H'],
      ['*', 'transshipment', 'PT4H', 'PT72H'],
      ['*', 'customs-inspection', 'PT2H', 'PT48H'],
      ['*', 'fee-payment', 'PT1H', 'PT48H'],
      ['*', 'border-exit', 'PT30M', 'PT24H'],
      ['PRIORITY', 'health-check', 'PT15M', 'PT12H'],
      ['PRIORITY', 'border-entry', 'PT15M', 'PT12H'],
      ['PRIORITY', 'quarantine', 'PT1H', 'PT24H'],
      ['PRIORITY', 'transshipment', 'PT2H', 'PT36H'],
      ['PRIORITY', 'customs-inspection', 'PT1H', 'PT24H'],
      ['PRIORITY', 'fee-payment', 'PT30M', 'PT24H'],
      ['PRIORITY', 'border-exit', 'PT15M', 'PT12H'],
    ]
      .map(([category, step, sla, expireAfter]) => `('*', '${category}', '${step}', '${sla}', '${expireAfter}', 1)`)
      .join(', ');
    this.addSql(`insert into step_timeout_policy (gate, category, step, sla, expire_after, version) values ${rows}`);
    this.addSql(`insert into step_timeout_policy_version (gate, category, step, sla, expire_after, version) values ${rows}`);

    // The crossing's last view, for reading a crossing whose workflow history Temporal no longer keeps.
    this.addSql(`alter table crossing add column view jsonb`);
    this.addSql(`
      create table crossing_event (
        crossing_id uuid not null references crossing (id),
        seq integer not null,
        at timestamptz not null,
        type text not null,
        step text,
        actor_account_id uuid references account (id),
        actor_role text,
        data jsonb not null default '{}',
        primary key (crossing_id, seq)
      )`);
    this.addSql(`
      create table transshipment_booking (
        crossing_id uuid primary key references crossing (id),
        gate_code text not null,
        yard_code text not null,
        to_plate text not null,
        to_country text not null,
        booked_at timestamptz not null default now(),
        cancelled_at timestamptz
      )`);
    this.addSql(`
      create table escalation (
        crossing_id uuid not null references crossing (id),
        step text not null,
        sla_at timestamptz not null,
        gate_code text not null,
        created_at timestamptz not null default now(),
        primary key (crossing_id, step, sla_at)
      )`);
    this.addSql(`create index escalation_gate_idx on escalation (gate_code, created_at desc)`);
    this.addSql(`
      create table crossing_document (
        crossing_id uuid not null references crossing (id),
        kind text not null,
        created_at timestamptz not null default now(),
        data jsonb not null default '{}',
        primary key (crossing_id, kind)
      )`);
    this.addSql(`
      create table fee_refund (
        crossing_id uuid primary key references crossing (id),
        refunded_at timestamptz not null default now()
      )`);
  }

  override async down(): Promise<void> {
    for (const table of [
      'fee_refund',
      'crossing_document',
      'escalation',
      'transshipment_booking',
      'crossing_event',
      'step_timeout_policy_version',
      'step_timeout_policy',
    ]) {
      this.addSql(`drop table if exists ${table}`);
    }
    this.addSql(`alter table crossing drop column if exists view`);
  }
}
