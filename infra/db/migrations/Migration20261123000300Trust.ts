import { Migration } from '@mikro-orm/migrations';

/** The tamper-evident audit trail and the stored answers of idempotent requests. */
export class Migration20261123000300Trust extends Migration {
  override async up(): Promise<void> {
    // Each entry's hash covers the previous entry's hash: editing or deleting a row breaks the chain after it.
    this.addSql(`
      create table audit_entry (
        seq bigint primary key,
        at timestamptz not null,
        actor text not null,
        action text not null,
        crossing_id uuid,
        digest text not null,
        prev_hash text not null,
        hash text not null,
        source_key text unique
      )`);
    this.addSql(`create index audit_entry_crossing_idx on audit_entry (crossing_id, seq)`);
    this.addSql(`create index audit_entry_actor_idx on audit_entry (actor, seq)`);
    this.addSql(`
      create table idempotency_record (
        account_id uuid not null references account (id),
        key text not null,
        request_hash text not null,
        status integer,
        body jsonb,
        headers jsonb,
        created_at timestamptz not null default now(),
        primary key (account_id, key)
      )`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists idempotency_record`);
    this.addSql(`drop table if exists audit_entry`);
  }
}
