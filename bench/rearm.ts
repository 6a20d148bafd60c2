import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { launchSystem, ROOT, stopProcess } from '../infra/launch-system';
import { declarationOf } from './crossing-driver';
import { client, pool } from './http';

/**
 * How long an admin's deadline change takes to reach every running crossing it governs: N crossings wait at the
 * health check, the admin shortens its SLA, and the clock runs until the last of them has re-armed (its
 * DEADLINES_REARMED event for the new policy version is in PostgreSQL).
 */
const HELP = `npm run bench:rearm -- [--crossings N] [--concurrency C]
  --crossings N     crossings waiting at one step (default 2000)
  --concurrency C   parallel requests while creating them (default 16)
Starts its own system in .data/bench-rearm (as npm start does) and writes bench/results/rearm-<time>.json.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { crossings: { type: 'string', default: '2000' }, concurrency: { type: 'string', default: '16' }, help: { type: 'boolean' } },
  });
  if (values.help) return void console.log(HELP);
  const n = Number(values.crossings);
  const concurrency = Number(values.concurrency);

  const dataDir = path.join(ROOT, '.data', 'bench-rearm');
  fs.rmSync(dataDir, { recursive: true, force: true });
  console.log(`starting a fresh system in ${dataDir} …`);
  const { system, process: launcher } = await launchSystem({ dataDir, env: { LOG_LEVEL: 'warn' } });
  const db = new pg.Pool({ connectionString: system.databaseUrl, max: 2 });
  try {
    const call = client(system.apiUrl);
    const admin = (await call('POST', '/v1/auth/login', { body: { username: 'admin', password: system.adminPassword } })).body.token;
    await call('POST', '/v1/accounts', {
      token: admin,
      body: {
        username: 'bench-co',
        password: 'bench steady rubber lane',
        role: 'DECLARANT',
        gates: ['HUU_NGHI'],
        companyTaxCode: '0100000001',
      },
    });
    const company = (await call('POST', '/v1/auth/login', { body: { username: 'bench-co', password: 'bench steady rubber lane' } })).body
      .token;

    const createdAt = performance.now();
    let done = 0;
    await pool(n, concurrency, async (i) => {
      const res = await call('POST', '/v1/crossings', { token: company, body: declarationOf(i), key: randomUUID() });
      if (res.status !== 201) throw new Error(`declaring failed: ${res.status} ${JSON.stringify(res.body)}`);
      if (++done % 200 === 0) process.stdout.write(`\r  ${done}/${n} crossings waiting at health-check`);
    });
    console.log(`\r  ${n} crossings waiting at health-check (created in ${((performance.now() - createdAt) / 1000).toFixed(1)} s)`);

    const t0 = performance.now();
    const put = await call('PUT', '/v1/admin/step-timeouts', {
      token: admin,
      body: { gate: 'HUU_NGHI', category: '*', step: 'health-check', sla: 'PT20M', expireAfter: 'PT20H' },
    });
    const putMs = performance.now() - t0;
    if (put.status !== 200) throw new Error(`PUT failed: ${put.status} ${JSON.stringify(put.body)}`);
    const version = put.body.policy.version;
    let rearmed = 0;
    while (rearmed < n) {
      const { rows } = await db.query(
        `select count(*)::int as n from crossing_event where type = 'DEADLINES_REARMED' and (data->>'policyVersion')::int = $1`,
        [version],
      );
      if (rows[0].n !== rearmed) process.stdout.write(`\r  re-armed ${rows[0].n}/${n}`);
      rearmed = rows[0].n;
      if (rearmed < n) await new Promise((r) => setTimeout(r, 100));
      if (performance.now() - t0 > 600_000) throw new Error('not all crossings re-armed within 10 minutes');
    }
    const totalMs = performance.now() - t0;
    const result = {
      when: new Date().toISOString(),
      machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
      crossings: n,
      affectedRunning: put.body.affectedRunning,
      putAnswerMs: Math.round(putMs),
      lastRearmedMs: Math.round(totalMs),
      perSecond: Math.round((n / totalMs) * 1000),
    };
    console.log(`\n${JSON.stringify(result, null, 2)}`);
    fs.mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
    fs.writeFileSync(
      path.join(ROOT, 'bench', 'results', `rearm-${result.when.replace(/[:.]/g, '-')}.json`),
      JSON.stringify(result, null, 2),
    );
  } finally {
    await db.end();
    await stopProcess(launcher);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
