import { Migration } from '@mikro-orm/migrations';

/**
 * Fees, payments and documents: the tariff as data (rates by gate, direction, vehicle and goods kind; percent
 * adjustments), each crossing's invoice and payments, and the PDFs issued for it. A system account stands for the
 * payment provider, so an online payment is attributable like any other action.
 */
const RATES: [string, number, number, number][] = [
  // vehicle kind, agricultural, general, ore (five times general, per the resolution)
  ['TRUCK_UNDER_2T', 100_000, 150_000, 750_000],
  ['TRUCK_2_TO_10T', 300_000, 450_000, 2_250_000],
  ['TRUCK_10_TO_30T', 800_000, 1_000_000, 5_000_000],
  ['TRUCK_OVER_30T', 1_200_000, 1_500_000, 7_500_000],
  ['CONTAINER_20FT', 1_500_000, 2_000_000, 10_000_000],
  ['CONTAINER_40FT', 3_000_000, 4_000_000, 20_000_000],
];

/**
 * The payment provider's system account as it was when this migration was written, frozen: an old migration must not
 * change with the code (domain/system-accounts.ts holds the id the API uses; the two must stay equal).
 */
const PAYMENT_PROVIDER_ACCOUNT_ID = '00000000-0000-4000-8000-00000000f001';

export class Migration20261123000400Fees extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table fee_rate (
        gate text not null,
        direction text not null,
        vehicle_kind text not null,
        goods_kind text not null,
        amount_vnd bigint not null check (amount_vnd >= 0),
        version integer not null default 1,
        updated_by uuid references account (id),
        updated_at timestamptz not null default now(),
        primary key (gate, direction, vehicle_kind, goods_kind)
      )`);
    const values = RATES.flatMap(([kind, agri, general, ore]) => [
      `('*', '*', '${kind}', 'AGRICULTURAL', ${agri})`,
      `('*', '*', '${kind}', 'GENERAL', ${general})`,
      `('*', '*', '${kind}', 'ORE', ${ore})`,
    ]);
    this.addSql(`insert into fee_rate (gate, direction, vehicle_kind, goods_kind, amount_vnd) values ${values.join(', ')}`);
    this.addSql(
      `create table fee_adjustment (code text primary key, percent integer not null check (percent >= 0), description text not null)`,
    );
    this.addSql(`insert into fee_adjustment (code, percent, description) values
      ('TRANSSHIPMENT_ONLY', 30, 'A trip that only transships pays 30 % of the rate'),
      ('DOMESTIC_USE', 130, 'Goods imported for domestic use pay 130 % of the rate')`);

    this.addSql(`
      create table fee_invoice (
        crossing_id uuid primary key references crossing (id),
        gate_code text not null,
        collector text not null,
        amount_vnd bigint not null,
        collector_share_vnd bigint not null,
        remit_vnd bigint not null,
        items jsonb not null,
        status text not null default 'DUE' check (status in ('DUE', 'PAID', 'REFUNDED')),
        issued_at timestamptz not null default now(),
        paid_at timestamptz,
        refunded_at timestamptz
      )`);
    this.addSql(`
      create table fee_payment (
        id uuid primary key,
        crossing_id uuid not null references crossing (id),
        method text not null check (method in ('DIRECT', 'ONLINE')),
        amount_vnd bigint not null,
        status text not null check (status in ('PENDING', 'SUCCEEDED', 'FAILED', 'DISPUTED')),
        receipt_no text,
        provider_ref text,
        reported_amount_vnd bigint,
        created_at timestamptz not null default now(),
        paid_at timestamptz,
        refunded_at timestamptz
      )`);
    // One open online payment per crossing; one direct payment per crossing.
    this.addSql(`create unique index fee_payment_open_online on fee_payment (crossing_id) where method = 'ONLINE' and status = 'PENDING'`);
    this.addSql(`create unique index fee_payment_direct on fee_payment (crossing_id) where method = 'DIRECT'`);
    this.addSql(`create index fee_payment_paid_idx on fee_payment (paid_at)`);
    this.addSql(`drop table fee_refund`);

    this.addSql(`alter table crossing_document add column pdf bytea`);
    this.addSql(`alter table crossing_document add column verify_code text unique`);

    this.addSql(`
      insert into account (id, username, password_hash, role, gates, display_name, disabled)
      values ('${PAYMENT_PROVIDER_ACCOUNT_ID}', 'system-payment-provider', '!', 'FEE_COLLECTOR', '{}', 'Payment provider (callbacks)', true)`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table crossing_document drop column if exists verify_code`);
    this.addSql(`alter table crossing_document drop column if exists pdf`);
    this.addSql(
      `create table if not exists fee_refund (crossing_id uuid primary key references crossing (id), refunded_at timestamptz not null default now())`,
    );
    for (const table of ['fee_payment', 'fee_invoice', 'fee_adjustment', 'fee_rate']) this.addSql(`drop table if exists ${table}`);
    this.addSql(`delete from account where id = '${PAYMENT_PROVIDER_ACCOUNT_ID}'`);
  }
}
