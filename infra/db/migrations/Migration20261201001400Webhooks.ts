import { Migration } from '@mikro-orm/migrations';

/**
 * Events out: subscriptions (a URL, the events and gates wanted, a secret kept sealed, since every delivery is signed
 * with it), the events themselves (the crossing's view as it stood, once per event however many subscribe), one
 * delivery per subscription and event with its status, and every attempt made.
 *
 * An event is written in the same statement as the crossing change it tells (infra/db/stores/read-model.ts), and only
 * when some subscription wants it, so a gate nobody subscribes to writes nothing more. A subscription's deliveries go
 * out in `position` order per `order_key` (a crossing, or a gate for its own events): the delivery workflow sends only
 * the oldest undelivered of each key (workflows/webhook-delivery.ts).
 */
export class Migration20261201001400Webhooks extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table webhook_subscription (
        id uuid primary key,
        owner_account_id uuid not null references account (id),
        owner_role text not null,
        company_tax_code text,
        url text not null,
        events text[] not null check (cardinality(events) > 0),
        gates text[],
        secret_sealed text not null,
        created_by uuid not null references account (id),
        created_at timestamptz not null default now(),
        deleted_at timestamptz,
        deleted_by uuid references account (id),
        -- while a delivery round runs (a lease, renewed by each round): a write need not wake it
        round_until timestamptz
      )`);
    this.addSql(`create index webhook_subscription_owner_idx on webhook_subscription (owner_account_id) where deleted_at is null`);

    this.addSql(`
      create table webhook_event (
        id uuid primary key,
        event text not null,
        at timestamptz not null,
        crossing_id uuid references crossing (id),
        gate_code text not null references gate (code),
        view jsonb,
        data jsonb,
        created_at timestamptz not null default now(),
        check ((crossing_id is null) = (view is null))
      )`);

    this.addSql(`
      create table webhook_delivery (
        id bigserial primary key,
        subscription_id uuid not null references webhook_subscription (id),
        event_id uuid not null references webhook_event (id),
        order_key text not null,
        position bigint not null,
        status text not null default 'PENDING' check (status in ('PENDING', 'DELIVERED', 'FAILED')),
        attempts integer not null default 0,
        -- attempts since the window began (at the event, or at a retry by hand): what the back-off counts
        window_attempts integer not null default 0,
        last_status_code integer,
        last_error text,
        next_attempt_at timestamptz not null default now(),
        -- null: the window runs from the event (created_at); a retry by hand starts a new one
        window_started_at timestamptz,
        delivered_at timestamptz,
        failed_at timestamptz,
        created_at timestamptz not null default now(),
        unique (subscription_id, event_id)
      )`);
    // The heads of a subscription's lines: its pending deliveries by key and position.
    this.addSql(`create index webhook_delivery_pending_idx on webhook_delivery (subscription_id, order_key, position) where status = 'PENDING'`);
    this.addSql(`create index webhook_delivery_log_idx on webhook_delivery (subscription_id, id desc)`);
    this.addSql(`create sequence webhook_gate_event_seq`);

    this.addSql(`
      create table webhook_attempt (
        delivery_id bigint not null references webhook_delivery (id),
        at timestamptz not null default now(),
        status_code integer,
        error text,
        duration_ms integer not null
      )`);
    this.addSql(`create index webhook_attempt_delivery_idx on webhook_attempt (delivery_id, at)`);
  }

  override async down(): Promise<void> {
    for (const table of ['webhook_attempt', 'webhook_delivery', 'webhook_event', 'webhook_subscription']) {
      this.addSql(`drop table if exists ${table}`);
    }
    this.addSql(`drop sequence if exists webhook_gate_event_seq`);
  }
}
