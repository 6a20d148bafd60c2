import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection, WithStartWorkflowOperation } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { launchSystem, ROOT, stopProcess, type LaunchedSystem } from '../infra/launch-system';
import type { baselineWorkflow } from './baseline/workflows';
import { client, percentile, pool, type Timed } from './http';

/**
 * `npm run bench`: how many crossings per second the whole system carries on this machine, how fast each API call
 * answers, and how close that is to the engine's own ceiling (a do-nothing workflow taking the same Updates, on the
 * same Temporal server, at the same concurrency). Everything goes through the HTTP API as clients would.
 */
const HELP = `npm run bench -- [options]
  --crossings N       full crossings to drive (default 300)
  --concurrency C     crossings in flight at once (default 16)
  --priority P        share declared PRIORITY (perishable), 0..1 (default 0.2)
  --transshipment T   share that transship (default 0.1)
  --quarantine Q      share with fruit (plant quarantine) (default 0.3)
  --returns R         share whose form customs returns once (default 0.1)
  --online O          share paying online through the provider simulator (default 0.3)
  --hold N            instead: open N crossings that stay waiting, report worker memory per crossing and list latency
  --api-url URL       use a running system (with --admin-password) instead of starting one
  --admin-password P  the admin password of that system
Writes bench/results/<time>.json and .md.`;

type Kind = 'declare' | 'decide' | 'resubmit' | 'transshipment' | 'pay-online' | 'list' | 'view';

interface Options {
  crossings: number;
  concurrency: number;
  priority: number;
  transshipment: number;
  quarantine: number;
  returns: number;
  online: number;
  hold: number;
}

const latencies = new Map<Kind, number[]>();
const errors = new Map<string, number>();
const record = (kind: Kind, res: Timed) => {
  latencies.set(kind, [...(latencies.get(kind) ?? []), res.ms]);
  if (res.status >= 400) errors.set(`${kind} ${res.status}`, (errors.get(`${kind} ${res.status}`) ?? 0) + 1);
  return res;
};

function progress(label: string, done: number, total: number): void {
  const width = 30;
  const filled = Math.round((done / total) * width);
  process.stdout.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
  if (done === total) process.stdout.write('\n');
}

/** A process's resident memory now (VmRSS) or at its peak (VmHWM), in MB, from /proc. */
function memoryMb(pid: number | undefined | null, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number | null {
  if (!pid) return null;
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Math.round(Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1]) / 1024);
  } catch {
    return null;
  }
}

/** Every process now: its parent and the CPU ticks (user + system, its own and its reaped children's), from /proc. */
function processTable(): Map<number, { ppid: number; ticks: number }> {
  const table = new Map<number, { ppid: number; ticks: number }>();
  for (const entry of fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      // Fields after the command name (which may hold spaces): ppid is [1], utime [11] … cstime [14].
      const f = fs.readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ').pop()!.split(' ');
      table.set(Number(entry), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) });
    } catch {
      // gone meanwhile
    }
  }
  return table;
}

/** CPU seconds a process and all its live descendants have used so far. */
function cpuSeconds(table: Map<number, { ppid: number; ticks: number }>, pid: number | undefined | null): number | null {
  if (!pid || !table.has(pid)) return null;
  let ticks = 0;
  const visit = (p: number) => {
    ticks += table.get(p)?.ticks ?? 0;
    for (const [child, { ppid }] of table) if (ppid === p) visit(child);
  };
  visit(pid);
  return ticks / 100; // USER_HZ
}

/** The processes the benchmark accounts CPU to; PostgreSQL only when the system embeds it. */
function processes(system: LaunchedSystem): Record<string, number | null> {
  // PostgreSQL's pid only when the system embeds it (not with DATABASE_URL).
  return { worker: system.pids?.worker, api: system.pids?.api, temporal: system.pids?.temporal, postgres: system.pids?.postgres ?? null };
}

/** CPU seconds so far per process, the benchmark's own process included. */
function cpuSnapshot(system: LaunchedSystem): Record<string, number | null> {
  const own = process.cpuUsage();
  const table = processTable();
  return {
    ...Object.fromEntries(Object.entries(processes(system)).map(([name, pid]) => [name, cpuSeconds(table, pid)])),
    'bench client': (own.user + own.system) / 1e6,
  };
}

/** Milliseconds of CPU per crossing per process between two snapshots. */
function cpuPerCrossing(before: Record<string, number | null>, after: Record<string, number | null>, n: number) {
  const out: Record<string, number | null> = {};
  let total = 0;
  for (const [name, value] of Object.entries(after)) {
    const start = before[name];
    out[name] = value === null || start === null || start === undefined ? null : Math.round(((value - start) * 1000) / n);
    total += out[name] ?? 0;
  }
  return { ...out, total };
}

/** The workflow-task schedule-to-start latency from the worker's Prometheus metrics (mean over the run, ms). */
async function scheduleToStart(apiUrl: string): Promise<{ sum: number; count: number }> {
  const text = await (await fetch(`${apiUrl}/metrics`)).text();
  const pick = (name: string) =>
    text
      .split('\n')
      .filter((l) => l.startsWith(name) && !l.includes('activity'))
      .reduce((s, l) => s + Number(l.split(' ').pop()), 0);
  return {
    sum: pick('temporal_workflow_task_schedule_to_start_latency_sum'),
    count: pick('temporal_workflow_task_schedule_to_start_latency_count'),
  };
}

async function accounts(system: { apiUrl: string; adminPassword: string }) {
  const call = client(system.apiUrl);
  const admin = (await call('POST', '/v1/auth/login', { body: { username: 'admin', password: system.adminPassword } })).body.token;
  const suffix = randomUUID().slice(0, 6);
  const make = async (role: string, extra: object = {}) => {
    const username = `bench-${role.toLowerCase().replace(/_/g, '-')}-${suffix}`;
    const res = await call('POST', '/v1/accounts', {
      token: admin,
      body: { username, password: 'bench-password', role, gates: ['HUU_NGHI'], ...extra },
    });
    if (res.status !== 201) throw new Error(`creating ${role}: ${res.status} ${JSON.stringify(res.body)}`);
    return (await call('POST', '/v1/auth/login', { body: { username, password: 'bench-password' } })).body.token as string;
  };
  return {
    admin,
    company: await make('DECLARANT', { companyTaxCode: '0100000002' }),
    health: await make('HEALTH_OFFICER'),
    guard: await make('BORDER_GUARD'),
    quarantine: await make('QUARANTINE_OFFICER'),
    customs: await make('CUSTOMS_OFFICER'),
    yard: await make('YARD_OPERATOR'),
    fees: await make('FEE_COLLECTOR'),
    manager: await make('MANAGER'),
  };
}

/** The declaration every benchmark crossing starts from (natural rubber at Hữu Nghị). */
const DECLARATION = JSON.parse(fs.readFileSync(path.join(ROOT, 'bench', 'declaration.json'), 'utf8'));

const FRUIT = {
  hsCode: '08109010',
  description: 'Fresh dragon fruit',
  quantity: 1200,
  unit: 'CARTON',
  netWeightKg: 18000,
  valueUsd: 21600,
  origin: 'VN',
};

/** One crossing, start to finish, through the API. Returns how many Temporal Updates it took. */
async function driveCrossing(
  call: ReturnType<typeof client>,
  t: Awaited<ReturnType<typeof accounts>>,
  opts: Options,
  i: number,
): Promise<number> {
  const base = DECLARATION;
  const pick = (share: number, salt: number) => ((i * 7919 + salt * 104729) % 1000) / 1000 < share;
  const declaration = {
    ...base,
    priority: pick(opts.priority, 1) ? { reason: 'PERISHABLE' } : null,
    transshipment: pick(opts.transshipment, 2),
    goods: pick(opts.quarantine, 3) ? [FRUIT] : base.goods,
  };
  let updates = 0;
  const must = (res: Timed, what: string) => {
    if (res.status >= 400) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
    return res;
  };
  const decide = async (token: string, step: string, body: object = { outcome: 'APPROVE' }) => {
    updates++;
    const id = crossing.id;
    const res = must(
      record('decide', await call('POST', `/v1/crossings/${id}/steps/${step}/decision`, { token, body, key: randomUUID() })),
      step,
    );
    // Decision accepted → visible in the work queue list of the next step (sampled: every 10th crossing).
    if (i % 10 === 0 && res.body.currentStep) {
      const started = performance.now();
      for (;;) {
        const list = record(
          'list',
          await call('GET', `/v1/crossings?status=${res.body.status}&step=${res.body.currentStep}&limit=200`, { token: t.manager }),
        );
        if (list.body.items?.some((c: { id: string }) => c.id === id)) break;
        if (performance.now() - started > 10_000) throw new Error('decision not visible in the list within 10 s');
      }
      visibility.push(performance.now() - started); // from the accepted answer to the first list that shows it
    }
    return res;
  };

  updates++;
  const crossing = must(
    record('declare', await call('POST', '/v1/crossings', { token: t.company, body: declaration, key: randomUUID() })),
    'declare',
  ).body;
  await decide(t.health, 'health-check');
  await decide(t.guard, 'border-entry');
  if (declaration.goods[0] === FRUIT) await decide(t.quarantine, 'quarantine');
  if (declaration.transshipment) {
    updates += 2;
    must(
      record(
        'transshipment',
        await call('POST', `/v1/crossings/${crossing.id}/transshipment`, {
          token: t.company,
          body: { yardCode: 'HN-Y2', toVehicle: { plate: '桂A54321', country: 'CN' } },
          key: randomUUID(),
        }),
      ),
      'register transshipment',
    );
    await decide(t.customs, 'transshipment');
    must(
      record(
        'transshipment',
        await call('POST', `/v1/crossings/${crossing.id}/transshipment/complete`, { token: t.yard, body: {}, key: randomUUID() }),
      ),
      'complete',
    );
  }
  if (pick(opts.returns, 4)) {
    await decide(t.customs, 'customs-inspection', {
      outcome: 'RETURN',
      reason: 'weight',
      fields: [{ path: 'goods.0.netWeightKg', message: 'check' }],
    });
    updates++;
    const corrected = { ...declaration, goods: [{ ...declaration.goods[0], netWeightKg: declaration.goods[0].netWeightKg + 1 }] };
    must(
      record(
        'resubmit',
        await call('PUT', `/v1/crossings/${crossing.id}/declaration`, { token: t.company, body: corrected, key: randomUUID() }),
      ),
      'resubmit',
    );
  }
  await decide(t.customs, 'customs-inspection');
  if (pick(opts.online, 5)) {
    const payment = must(
      record('pay-online', await call('POST', `/v1/crossings/${crossing.id}/fee/online-payment`, { token: t.company, key: randomUUID() })),
      'pay',
    );
    const done = must(
      record('pay-online', await call('POST', `/dev/payment-provider/payments/${payment.body.paymentId}`, { body: {} })),
      'callback',
    );
    if (done.body.callbackStatus !== 200) throw new Error(`callback: ${JSON.stringify(done.body)}`);
    updates++;
  } else {
    await decide(t.fees, 'fee-payment', { outcome: 'APPROVE', receiptNo: `BL-${i}` });
  }
  const exit = await decide(t.guard, 'border-exit');
  if (exit.body.status !== 'CLEARED') throw new Error(`crossing ended ${exit.body.status}`);
  return updates;
}

const visibility: number[] = [];

/** The same number of Updates per workflow, straight through the Temporal client, at the same concurrency. */
async function baseline(
  system: LaunchedSystem,
  n: number,
  concurrency: number,
  updatesPerCrossing: number,
): Promise<{ perSecond: number; cpuMsPerCrossing: Record<string, number | null> }> {
  const taskQueue = `bench-baseline-${randomUUID().slice(0, 6)}`;
  const connection = await Connection.connect({ address: system.temporalAddress });
  const temporal = new Client({ connection });
  const worker = await Worker.create({
    connection: await (await import('@temporalio/worker')).NativeConnection.connect({ address: system.temporalAddress }),
    taskQueue,
    workflowsPath: require.resolve('./baseline/workflows'),
  });
  const running = worker.run();
  const cpuBefore = cpuSnapshot(system);
  const started = performance.now();
  let done = 0;
  await pool(n, concurrency, async () => {
    const workflowId = `bench-baseline-${randomUUID()}`;
    await temporal.workflow.executeUpdateWithStart('ping', {
      args: [0],
      startWorkflowOperation: new WithStartWorkflowOperation<typeof baselineWorkflow>('baselineWorkflow', {
        workflowId,
        taskQueue,
        args: [updatesPerCrossing],
        workflowIdConflictPolicy: 'FAIL',
      }),
    });
    const handle = temporal.workflow.getHandle(workflowId);
    for (let u = 1; u < updatesPerCrossing; u++) await handle.executeUpdate('ping', { args: [u] });
    progress('baseline ', ++done, n);
  });
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = cpuSnapshot(system);
  worker.shutdown();
  await running;
  await connection.close();
  // The baseline's worker runs inside the benchmark's own process: its CPU is under "bench client".
  return { perSecond: n / seconds, cpuMsPerCrossing: cpuPerCrossing(cpuBefore, cpuAfter, n) };
}

async function hold(system: LaunchedSystem, n: number, concurrency: number) {
  const call = client(system.apiUrl);
  const t = await accounts(system);
  const body = DECLARATION;
  const before = memoryMb(system.pids?.worker);
  let done = 0;
  await pool(n, concurrency, async () => {
    record('declare', await call('POST', '/v1/crossings', { token: t.company, body, key: randomUUID() }));
    progress('opening  ', ++done, n);
  });
  await new Promise((r) => setTimeout(r, 2000));
  const after = memoryMb(system.pids?.worker);
  for (let i = 0; i < 50; i++) record('list', await call('GET', '/v1/crossings?limit=50', { token: t.health }));
  return {
    open: n,
    workerRssBeforeMb: before,
    workerRssAfterMb: after,
    workerKbPerOpenCrossing: before && after ? Math.round(((after - before) * 1024) / n) : null,
    listLatencyMs: Object.fromEntries([50, 95, 99].map((p) => [`p${p}`, Math.round(percentile(latencies.get('list') ?? [], p))])),
    errors: Object.fromEntries(errors),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      crossings: { type: 'string', default: '300' },
      concurrency: { type: 'string', default: '16' },
      priority: { type: 'string', default: '0.2' },
      transshipment: { type: 'string', default: '0.1' },
      quarantine: { type: 'string', default: '0.3' },
      returns: { type: 'string', default: '0.1' },
      online: { type: 'string', default: '0.3' },
      hold: { type: 'string', default: '0' },
      'api-url': { type: 'string' },
      'admin-password': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return void console.log(HELP);
  const opts: Options = {
    crossings: Number(values.crossings),
    concurrency: Number(values.concurrency),
    priority: Number(values.priority),
    transshipment: Number(values.transshipment),
    quarantine: Number(values.quarantine),
    returns: Number(values.returns),
    online: Number(values.online),
    hold: Number(values.hold),
  };

  let launched: Awaited<ReturnType<typeof launchSystem>> | undefined;
  let system: LaunchedSystem;
  if (values['api-url']) {
    system = {
      apiUrl: values['api-url'],
      adminPassword: values['admin-password'] ?? '',
      temporalAddress: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
    } as LaunchedSystem;
  } else {
    const dataDir = path.join(ROOT, '.data', 'bench');
    fs.rmSync(dataDir, { recursive: true, force: true });
    console.log(`starting a fresh system in ${dataDir} (as npm start does) …`);
    launched = await launchSystem({ dataDir, env: { LOG_LEVEL: 'warn' } });
    system = launched.system;
  }

  const when = new Date().toISOString();
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  let result: Record<string, unknown>;
  try {
    if (opts.hold) {
      result = { when, machine, mode: 'hold', ...(await hold(system, opts.hold, opts.concurrency)) };
    } else {
      const call = client(system.apiUrl);
      const t = await accounts(system);
      const s2sBefore = await scheduleToStart(system.apiUrl);
      const cpuBefore = cpuSnapshot(system);
      const started = performance.now();
      let done = 0;
      let updates = 0;
      await pool(opts.crossings, opts.concurrency, async (i) => {
        try {
          const used = await driveCrossing(call, t, opts, i);
          updates += used;
        } catch (err) {
          const key = `crossing failed: ${(err as Error).message.slice(0, 80)}`;
          errors.set(key, (errors.get(key) ?? 0) + 1);
        }
        progress('crossings', ++done, opts.crossings);
      });
      const seconds = (performance.now() - started) / 1000;
      const cpuMsPerCrossing = cpuPerCrossing(cpuBefore, cpuSnapshot(system), opts.crossings);
      const ours = opts.crossings / seconds;
      const s2sAfter = await scheduleToStart(system.apiUrl);
      const updatesPerCrossing = Math.round(updates / opts.crossings);
      const base = launched ? await baseline(system, opts.crossings, opts.concurrency, updatesPerCrossing) : undefined;
      const stats = Object.fromEntries(
        [...latencies].map(([kind, ms]) => [
          kind,
          {
            count: ms.length,
            p50: Math.round(percentile(ms, 50)),
            p95: Math.round(percentile(ms, 95)),
            p99: Math.round(percentile(ms, 99)),
          },
        ]),
      );
      result = {
        when,
        machine,
        options: opts,
        seconds: Math.round(seconds * 10) / 10,
        crossingsPerSecond: Math.round(ours * 100) / 100,
        baselinePerSecond: base ? Math.round(base.perSecond * 100) / 100 : null,
        ratioToBaseline: base ? Math.round((ours / base.perSecond) * 100) / 100 : null,
        cpuMsPerCrossing,
        baselineCpuMsPerCrossing: base?.cpuMsPerCrossing ?? null,
        updatesPerCrossing,
        latencyMs: stats,
        decisionToListVisibleMs: {
          count: visibility.length,
          p50: Math.round(percentile(visibility, 50)),
          p95: Math.round(percentile(visibility, 95)),
          p99: Math.round(percentile(visibility, 99)),
        },
        errors: Object.fromEntries(errors),
        peakRssMb: {
          worker: memoryMb(system.pids?.worker, 'VmHWM'),
          api: memoryMb(system.pids?.api, 'VmHWM'),
          temporal: memoryMb(system.pids?.temporal, 'VmHWM'),
        },
        workflowTaskScheduleToStartMeanMs:
          s2sAfter.count > s2sBefore.count
            ? Math.round(((s2sAfter.sum - s2sBefore.sum) / (s2sAfter.count - s2sBefore.count)) * 10) / 10
            : null,
      };
    }
  } finally {
    if (launched) await stopProcess(launched.process);
  }

  console.log(JSON.stringify(result, null, 2));
  const dir = path.join(ROOT, 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const stamp = when.replace(/[:.]/g, '-');
  fs.writeFileSync(path.join(dir, `${stamp}.json`), JSON.stringify(result, null, 2));
  fs.writeFileSync(path.join(dir, `${stamp}.md`), toMarkdown(result));
}

function toMarkdown(r: Record<string, any>): string {
  if (r.mode === 'hold') {
    return `# Hold ${r.open} open crossings (${r.when})\n\n${r.machine}\n\nWorker RSS ${r.workerRssBeforeMb} → ${r.workerRssAfterMb} MB: ${r.workerKbPerOpenCrossing} kB per open crossing. List p50/p95/p99: ${r.listLatencyMs.p50}/${r.listLatencyMs.p95}/${r.listLatencyMs.p99} ms.\n`;
  }
  const rows = Object.entries(r.latencyMs as Record<string, { count: number; p50: number; p95: number; p99: number }>)
    .map(([k, v]) => `| ${k} | ${v.count} | ${v.p50} | ${v.p95} | ${v.p99} |`)
    .join('\n');
  return `# Benchmark ${r.when}

${r.machine}. ${r.options.crossings} crossings, ${r.options.concurrency} in flight.

| | per second |
|---|---|
| crossings (ours, through the API) | ${r.crossingsPerSecond} |
| baseline (bare workflow, same Updates: ${r.updatesPerCrossing}) | ${r.baselinePerSecond} |
| ratio | ${r.ratioToBaseline} |

| call | count | p50 ms | p95 ms | p99 ms |
|---|---|---|---|---|
${rows}
| decision → visible in list | ${r.decisionToListVisibleMs.count} | ${r.decisionToListVisibleMs.p50} | ${r.decisionToListVisibleMs.p95} | ${r.decisionToListVisibleMs.p99} |

CPU per crossing (ms), ours: ${JSON.stringify(r.cpuMsPerCrossing)}; baseline: ${JSON.stringify(r.baselineCpuMsPerCrossing)}.

Errors: ${JSON.stringify(r.errors)}. Peak RSS (MB): ${JSON.stringify(r.peakRssMb)}. Workflow-task schedule-to-start (mean): ${r.workflowTaskScheduleToStartMeanMs} ms.
`;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
