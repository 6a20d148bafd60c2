import { Migration } from '@mikro-orm/migrations';

/** Accounts, the four seeded gates with their yards, and the crossings read model with its declaration versions. */
export class Migration20261123000100Foundation extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table gate (
        code text primary key,
        name text not null,
        province text not null,
        fee_collector text not null check (fee_collector in ('GATE_MANAGEMENT_CENTRE', 'TAX_AUTHORITY'))
      )`);
    this.addSql(`
      create table yard (
        gate_code text not null references gate (code),
        code text not null,
        capacity integer not null check (capacity >= 0),
        primary key (gate_code, code)
      )`);
    this.addSql(`
      create table account (
        id uuid primary key,
        username text not null unique,
        password_hash text not null,
        role text not null,
        gates text[] not null default '{}',
        company_tax_code text,
        display_name text,
        disabled boolean not null default false,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        check (role <> 'DECLARANT' or company_tax_code is not null)
      )`);
    // The read model of crossings: written only by the workflow's activities, read by lists and statistics.
    this.addSql(`
      create table crossing (
        id uuid primary key,
        gate_code text not null references gate (code),
        direction text not null,
        category text not null,
        status text not null,
        current_step text,
        step_started_at timestamptz,
        overdue boolean not null default false,
        plate text not null,
        declarant_account_id uuid not null references account (id),
        company_tax_code text not null,
        declaration_version integer not null,
        created_at timestamptz not null,
        updated_at timestamptz not null
      )`);
    this.addSql(`create index crossing_queue_idx on crossing (gate_code, current_step, (category = 'PRIORITY') desc, step_started_at, id)`);
    this.addSql(`create index crossing_company_idx on crossing (company_tax_code, created_at desc, id)`);
    this.addSql(`create index crossing_plate_idx on crossing (plate)`);
    this.addSql(`
      create table declaration_version (
        crossing_id uuid not null references crossing (id),
        version integer not null,
        body jsonb not null,
        submitted_by uuid not null references account (id),
        submitted_at timestamptz not null,
        primary key (crossing_id, version)
      )`);
    this.addSql(`
      create table yard_reservation (
        crossing_id uuid primary key references crossing (id),
        gate_code text not null,
        yard_code text not null,
        reserved_at timestamptz not null,
        released_at timestamptz,
        foreign key (gate_code, yard_code) references yard (gate_code, code)
      )`);

    this.addSql(`
      insert into gate (code, name, province, fee_collector) values
        ('HUU_NGHI', 'Cửa khẩu quốc tế Hữu Nghị', 'Lạng Sơn', 'GATE_MANAGEMENT_CENTRE'),
        ('TAN_THANH', 'Cửa khẩu Tân Thanh', 'Lạng Sơn', 'GATE_MANAGEMENT_CENTRE'),
        ('BAC_LUAN_II', 'Cửa khẩu quốc tế Móng Cái (cầu Bắc Luân II)', 'Quảng Ninh', 'TAX_AUTHORITY'),
        ('KIM_THANH', 'Cửa khẩu quốc tế đường bộ số II Kim Thành', 'Lào Cai', 'TAX_AUTHORITY')`);
    this.addSql(`
      insert into yard (gate_code, code, capacity) values
        ('HUU_NGHI', 'HN-Y1', 600), ('HUU_NGHI', 'HN-Y2', 400),
        ('TAN_THANH', 'TT-Y1', 500),
        ('BAC_LUAN_II', 'BL-Y1', 300),
        ('KIM_THANH', 'KT-Y1', 300)`);
  }

  override async down(): Promise<void> {
    for (const table of ['yard_reservation', 'declaration_version', 'crossing', 'account', 'yard', 'gate']) {
      this.addSql(`drop table if exists ${table}`);
    }
  }
}
