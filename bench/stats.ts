import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { launchSystem, ROOT, stopProcess } from '../infra/launch-system';
import { client, percentile } from './http';

/**
 * `npm run bench:stats`: how fast `GET /v1/stats/gates/{code}` answers with a realistic store behind it (API.md
 * "Measures": p95 < 300 ms with 100,000 crossings stored). Driving 100,000 crossings through the API would take hours,
 * so they are written with SQL, as their activities would have written them: the crossing rows, their history
 * (declaration, each step started and decided, the end) and, from that history, the measures, by the same function
 * the trigger uses. 70 % are at Hữu Nghị, spread over the last 60 days (about 1,200 a day, a busy gate), the rest at the
 * other gates; 90 % cleared, the others denied, expired, cancelled or still open.
 */
const HELP = `npm run bench:stats -- [--crossings N] [--calls N]
  --crossings N   crossings to store (default 100000)
  --calls N       calls per period asked for (default 200)`;

const STEPS = ['health-check', 'border-entry', 'customs-inspection', 'fee-payment', 'border-exit'];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { crossings: { type: 'string', default: '100000' }, calls: { type: 'string', default: '200' }, help: { type: 'boolean' } },
  });
  if (values.help) return void console.log(HELP);
  const crossings = Number(values.crossings);
  const calls = Number(values.calls);
  const dataDir = path.join(ROOT, '.data', 'bench-stats');
  fs.rmSync(dataDir, { recursive: true, force: true });
  const launched = await launchSystem({ dataDir, env: { LOG_LEVEL: 'warn' } });
  const db = new pg.Pool({ connectionString: launched.system.databaseUrl, max: 2 });
  try {
    const seededIn = await seed(db, crossings);
    const call = client(launched.system.apiUrl);
    const login = await call('POST', '/v1/auth/login', { body: { username: 'admin', password: launched.system.adminPassword } });
    const token = login.body.token as string;

    const periods: [string, string][] = [
      ['last 24 hours (the board)', ''],
      ['last 7 days', `?from=${encodeURIComponent(new Date(Date.now() - 7 * 86_400_000).toISOString())}`],
      ['last 30 days', `?from=${encodeURIComponent(new Date(Date.now() - 30 * 86_400_000).toISOString())}`],
    ];
    const rows: string[] = [];
    let sample: any;
    for (const [name, query] of periods) {
      const ms: number[] = [];
      for (let i = 0; i < calls; i++) {
        const answer = await call('GET', `/v1/stats/gates/HUU_NGHI${query}`, { token });
        if (answer.status !== 200) throw new Error(`stats answered ${answer.status}: ${JSON.stringify(answer.body)}`);
        ms.push(answer.ms);
        sample ??= answer.body;
      }
      const p = (q: number) => Math.round(percentile(ms, q));
      rows.push(`| ${name} | ${calls} | ${p(50)} | ${p(95)} | ${p(99)} |`);
    }
    const report = `# Gate statistics with ${crossings.toLocaleString('en')} crossings stored (${new Date().toISOString()})

\`npm run bench:stats -- --crossings ${crossings} --calls ${calls}\`: seeded with SQL in ${seededIn} s; one client, calls one
after another, \`GET /v1/stats/gates/HUU_NGHI\` as an admin. Target (API.md "Measures"): p95 < 300 ms.

| period | calls | p50 ms | p95 ms | p99 ms |
|---|---|---|---|---|
${rows.join('\n')}

The board's answer (last 24 hours): declared ${sample.declared}, cleared ${sample.cleared}, open ${JSON.stringify(sample.open.byStep)}.
`;
    process.stdout.write(report);
    const dir = path.join(ROOT, 'bench', 'results');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `stats-${new Date().toISOString().replace(/[:.]/g, '-')}.md`), report);
  } finally {
    await db.end();
    await stopProcess(launched.process);
  }
}

/** Writes `n` crossings with their history and measures; returns the seconds it took. */
async function seed(db: pg.Pool, n: number): Promise<number> {
  const started = Date.now();
  const { rows } = await db.query<{ id: string }>(`select id from account where role = 'ADMIN' limit 1`);
  const declarant = rows[0].id;
  await db.query('alter table crossing_event disable trigger crossing_measure_after_event');
  await db.query(
    `insert into crossing (id, gate_code, direction, category, status, current_step, step_started_at, overdue, plate,
                           declarant_account_id, company_tax_code, declaration_version, created_at, updated_at)
     select gen_random_uuid(),
            case when i % 10 < 7 then 'HUU_NGHI' when i % 10 < 8 then 'TAN_THANH' when i % 10 < 9 then 'BAC_LUAN_II' else 'KIM_THANH' end,
            case when i % 2 = 0 then 'EXPORT' else 'IMPORT' end,
            case when i % 5 = 0 then 'PRIORITY' when i % 2 = 0 then 'EXPORT' else 'IMPORT' end,
            case when i / 10 % 100 < 90 then 'CLEARED' when i / 10 % 100 < 93 then 'DENIED' when i / 10 % 100 < 95 then 'EXPIRED'
                 when i / 10 % 100 < 97 then 'CANCELLED' else 'IN_PROGRESS' end,
            case when i / 10 % 100 >= 97 then ($3::text[])[(i % 5) + 1] end,
            case when i / 10 % 100 >= 97 then now() - (i % 50) * interval '1 minute' end,
            i / 10 % 100 = 99,
            '12C' || lpad((i % 100000)::text, 5, '0'),
            $1, '0100000001', 1,
            now() - (($2::int - i)::float / $2::int) * interval '60 days' - interval '3 hours',
            now() - (($2::int - i)::float / $2::int) * interval '60 days'
       from generate_series(1, $2::int) i`,
    [declarant, n, STEPS],
  );
  // Each crossing's history: declared, then each step it reached started and (but for where an open one waits) decided,
  // minutes apart, then its end.
  await db.query(
    `insert into crossing_event (crossing_id, seq, at, type, step, data)
     select c.id, 1, c.created_at, 'DECLARATION_SUBMITTED', 'declaration', '{}'::jsonb from crossing c
     union all
     select c.id, 2 + 2 * (s.n - 1), c.created_at + (s.n * 20) * interval '1 minute', 'STEP_STARTED', s.step, '{}'::jsonb
       from crossing c cross join lateral unnest($1::text[]) with ordinality s(step, n)
      where c.status = 'CLEARED' or s.n <= coalesce(array_position($1::text[], c.current_step), 1)
     union all
     select c.id, 3 + 2 * (s.n - 1), c.created_at + (s.n * 20 + 5 + (hashtext(c.id::text || s.step) & 15)) * interval '1 minute',
            'DECISION', s.step,
            jsonb_build_object('outcome', case when c.status = 'DENIED' and s.n = 1 then 'DENY' else 'APPROVE' end)
       from crossing c cross join lateral unnest($1::text[]) with ordinality s(step, n)
      where c.status = 'CLEARED' or (c.status = 'DENIED' and s.n = 1)
         or (c.status = 'IN_PROGRESS' and s.n < array_position($1::text[], c.current_step))
     union all
     select c.id, 100, c.updated_at, 'ENDED', null, jsonb_build_object('status', c.status)
       from crossing c where c.status <> 'IN_PROGRESS'`,
    [STEPS],
  );
  await db.query(
    `insert into crossing_measure
     select m.* from crossing_event e cross join lateral crossing_measure_of(e) m
      where e.type in ('DECISION', 'PAYMENT', 'ENDED') on conflict do nothing`,
  );
  await db.query('alter table crossing_event enable trigger crossing_measure_after_event');
  await db.query('analyze');
  return Math.round((Date.now() - started) / 1000);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
