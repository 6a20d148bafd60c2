import { Migration } from '@mikro-orm/migrations';

/**
 * Reliability: each worker's heartbeat (readiness fails when the newest is stale), and a lease on idempotency claims,
 * so a claim left by a cut request is taken over after a short, stated time instead of blocking its key.
 */
export class Migration20261124000600Reliability extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table worker_heartbeat (
        worker_id text primary key,
        task_queue text not null,
        pid integer not null,
        started_at timestamptz not null,
        seen_at timestamptz not null
      )`);
    this.addSql(`create index worker_heartbeat_queue_idx on worker_heartbeat (task_queue, seen_at desc)`);
    this.addSql(`alter table idempotency_record add column locked_until timestamptz`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table idempotency_record drop column if exists locked_until`);
    this.addSql(`drop table if exists worker_heartbeat`);
  }
}
