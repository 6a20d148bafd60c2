import { Migration } from '@mikro-orm/migrations';

/**
 * Security: token versions and revoked tokens (a password change, a disable or re-enable, and a logout end tokens at
 * once), failed-login counters shared by every API replica, and a crossing's incident (a side effect that keeps
 * failing for a reason retrying cannot cure) in the read model.
 */
export class Migration20261124000700Security extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table account add column token_version integer not null default 1`);
    this.addSql(`
      create table revoked_token (
        jti uuid primary key,
        account_id uuid not null references account (id),
        expires_at timestamptz not null
      )`);
    this.addSql(`create index revoked_token_expiry_idx on revoked_token (expires_at)`);
    // One row per throttled key: an address, or an (account, address) pair; `account:` rows count every address.
    this.addSql(`
      create table login_failure (
        key text primary key,
        failures integer not null,
        first_at timestamptz not null,
        last_at timestamptz not null,
        blocked_until timestamptz
      )`);
    this.addSql(`create index login_failure_last_idx on login_failure (last_at)`);
    this.addSql(`alter table crossing add column incident jsonb`);
    this.addSql(`create index crossing_incident_idx on crossing ((incident is not null)) where incident is not null`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists crossing_incident_idx`);
    this.addSql(`alter table crossing drop column if exists incident`);
    this.addSql(`drop table if exists login_failure`);
    this.addSql(`drop table if exists revoked_token`);
    this.addSql(`alter table account drop column if exists token_version`);
  }
}
