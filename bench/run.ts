import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../infra/config';
import { launchSystem, ROOT, stopProcess, type LaunchedSystem } from '../infra/launch-system';
import { closedLoop } from './closed-loop';
import { accounts, type Mix } from './crossing-driver';
import { GateReads } from './gate-reads';
import { hold } from './hold';
import { client } from './http';
import { openLoop } from './open-loop';
import { readLoad } from './read-load';
import { Recorder } from './recorder';
import { soak, soakMinutes } from './soak';
import { Subscribers } from './subscribers';
import { sweep } from './sweep';
import { writeResult } from './report';

/**
 * `npm run bench`: how many crossings per second the whole system carries on this machine, how fast each API call
 * answers, and how close that is to the engine's own ceiling (a do-nothing workflow taking the same Updates, on the
 * same Temporal server, at the same concurrency). Everything goes through the HTTP API as clients would. The pieces:
 * the crossing driver (crossing-driver.ts), the closed loop (closed-loop.ts), the open loop on a fixed schedule
 * (arrivals.ts, open-loop.ts), the sweep over shares of the saturating rate (sweep.ts), the soak (soak.ts), /proc
 * sampling (proc.ts), the baseline (baseline.ts), `--hold` (hold.ts) and reads against held crossings
 * (read-load.ts, counted on the Temporal server by temporal-metrics.ts), the read generator for gate-event latency
 * (gate-reads.ts), the report (report.ts).
 */
const HELP = `npm run bench -- [mode] [options]
Modes (default: the closed loop, --crossings at --concurrency in flight, then the bare-engine baseline):
  --rate R            open loop: start R crossings per second on a fixed schedule for --seconds, however many are in
                      flight; latency from each call's send and from when it was due; in-flight count each second
  --sweep             find the saturating rate (the closed loop at --concurrency, --probe-crossings crossings), run
                      the open loop at 25/50/75/90 % of it for --stage-seconds each, then the baseline: prints a table
                      and the throughput and CPU-per-crossing ratios to the bare engine
  --soak LENGTH       open loop at --rate (default: 50 % of a quick closed-loop probe) for LENGTH (30m, 3m, 90s):
                      RSS of every process, decision p50/p99 and errors each minute; RSS slope from minute 5 at the end
  --hold N            open N crossings that stay waiting, report worker memory per crossing and list latency;
                      with --read-rate R: then GET /v1/crossings/{id} of random held ones at R per second for
                      --seconds, with the Temporal server's count of workflow queries meanwhile
Options:
  --crossings N       closed loop: full crossings to drive (default 300)
  --concurrency C     crossings in flight at once in the closed loop, the sweep's probe and --hold (default 16)
  --seconds S         open loop, soak probe and reads: for how long arrivals are sent (default 60)
  --stage-seconds S   sweep: seconds of each open-loop stage (default 120)
  --probe-crossings N sweep and soak without --rate: crossings of the closed-loop probe (default 150; soak 60)
  --read-rate R       with --hold: reads per second (default 0: none)
  --workers N         worker processes to start (default 1), against the same Temporal server and PostgreSQL
  --apis N            API processes to start (default 1), each on its own port; calls go to them in turn
  --priority P        share declared PRIORITY (perishable), 0..1 (default 0.2)
  --transshipment T   share that transship (default 0.1)
  --quarantine Q      share with fruit (plant quarantine) (default 0.3)
  --returns R         share whose form customs returns once (default 0.1)
  --online O          share paying online through the provider simulator (default 0.3)
  --reads-per-second R  closed loop only: signed plate reads per second sent to POST /v1/gate-events while the
                      crossings run, by an entry barrier and a yard-entry camera of Hữu Nghị (default 20; 0: none)
  --subscribers N     closed loop only: webhook receivers (in this process, answering at once) the bench's declarant
                      subscribes to every crossing event before the run (default 0)
  --dead-subscribers D  closed loop only: receivers subscribed the same way that accept and never answer (default 0)
  --compiled          build the production code (npm run build) and run it under plain node, as the image does,
                      instead of the sources under tsx (npm start)
  --api-url URL       use a running system (with --admin-password) instead of starting one (no workflow-query count)
  --admin-password P  the admin password of that system
Writes bench/results/<time>.json and .md.`;

interface Options extends Mix {
  crossings: number;
  concurrency: number;
  hold: number;
  readsPerSecond: number;
  subscribers: number;
  deadSubscribers: number;
  rate: number;
  seconds: number;
  sweep: boolean;
  stageSeconds: number;
  probeCrossings: number | undefined;
  soak: string | undefined;
  readRate: number;
  workers: number;
  apis: number;
  compiled: boolean;
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
      'reads-per-second': { type: 'string', default: '20' },
      subscribers: { type: 'string', default: '0' },
      'dead-subscribers': { type: 'string', default: '0' },
      rate: { type: 'string', default: '0' },
      seconds: { type: 'string', default: '60' },
      sweep: { type: 'boolean', default: false },
      'stage-seconds': { type: 'string', default: '120' },
      'probe-crossings': { type: 'string' },
      soak: { type: 'string' },
      'read-rate': { type: 'string', default: '0' },
      workers: { type: 'string', default: '1' },
      apis: { type: 'string', default: '1' },
      compiled: { type: 'boolean', default: false },
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
    readsPerSecond: Number(values['reads-per-second']),
    subscribers: Number(values.subscribers),
    deadSubscribers: Number(values['dead-subscribers']),
    rate: Number(values.rate),
    seconds: Number(values.seconds),
    sweep: values.sweep,
    stageSeconds: Number(values['stage-seconds']),
    probeCrossings: values['probe-crossings'] === undefined ? undefined : Number(values['probe-crossings']),
    soak: values.soak,
    readRate: Number(values['read-rate']),
    workers: Number(values.workers),
    apis: Number(values.apis),
    compiled: values.compiled,
  };
  // Checked before a system is started: a soak's length, a single mode.
  const soakLength = opts.soak === undefined ? undefined : soakMinutes(opts.soak);
  if ([opts.sweep, soakLength !== undefined, opts.hold > 0, opts.rate > 0 && soakLength === undefined].filter(Boolean).length > 1) {
    throw new Error('choose one mode: --rate, --sweep, --soak (with or without --rate) or --hold');
  }

  let launched: Awaited<ReturnType<typeof launchSystem>> | undefined;
  let system: LaunchedSystem;
  if (values['api-url'] && opts.compiled) throw new Error('--compiled starts a system; --api-url uses one already running');
  if (values['api-url']) {
    const config = loadConfig();
    system = {
      apiUrl: values['api-url'],
      adminPassword: values['admin-password'] ?? '',
      // The baseline and /proc sampling need that system's Temporal: TEMPORAL_ADDRESS, else the launcher's default port.
      temporalAddress: config.temporalAddress ?? `127.0.0.1:${config.temporalPort}`,
    } as LaunchedSystem;
  } else {
    const dataDir = path.join(ROOT, '.data', 'bench');
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (opts.compiled) {
      console.log('building the production code (npm run build) …');
      execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    }
    console.log(`starting a fresh system in ${dataDir} (as ${opts.compiled ? 'the compiled launcher' : 'npm start'} does) …`);
    const { workers, apis, compiled } = opts;
    launched = await launchSystem({ dataDir, env: { LOG_LEVEL: 'warn' }, workers, apis, compiled });
    system = launched.system;
  }

  const when = new Date().toISOString();
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  // The machine is shared: the load average beside the figures says how much else ran meanwhile.
  const loadAverage = () => os.loadavg().map((l) => Math.round(l * 100) / 100);
  const code = !launched ? 'the running system at --api-url' : opts.compiled ? 'compiled (node dist/)' : 'sources (tsx)';
  const context = { when, machine, code, processes: { workers: opts.workers, apis: opts.apis }, loadAverageAtStart: loadAverage() };
  let result: Record<string, unknown>;
  try {
    result = { ...context, ...(await runMode(system, opts, soakLength, Boolean(launched))), loadAverageAtEnd: loadAverage() };
  } finally {
    if (launched) await stopProcess(launched.process);
  }

  const markdown = writeResult(result, when);
  // The closed loop and --hold print their JSON, as they always have; the other modes their tables (JSON in the file).
  console.log(['closed-loop', 'hold'].includes(result.mode as string) ? JSON.stringify(result, null, 2) : `\n${markdown}`);
}

/** The one mode asked for, on a started system; what it measured. */
async function runMode(system: LaunchedSystem, opts: Options, soakLength: number | undefined, started: boolean) {
  const t = await accounts(system);
  if (opts.hold) {
    const held = await hold(system, opts.hold, opts.concurrency, t);
    if (!opts.readRate) return { mode: 'hold', ...held.result };
    console.log(`reading: ${opts.readRate} GET /v1/crossings/{id} per second for ${opts.seconds} s`);
    return { mode: 'reads', hold: held.result, reads: await readLoad(system, t, held.ids, { rate: opts.readRate, seconds: opts.seconds }) };
  }
  if (opts.sweep) {
    const sweepOpts = { ...opts, probeCrossings: opts.probeCrossings ?? 150 };
    return { mode: 'sweep', options: sweepOpts, ...(await sweep(system, t, sweepOpts)) };
  }
  if (soakLength !== undefined) {
    let rate = opts.rate;
    if (!rate) {
      const crossings = opts.probeCrossings ?? 60;
      console.log(`no --rate: probing saturation with ${crossings} crossings, ${opts.concurrency} in flight`);
      const probe = await closedLoop(system, t, { ...opts, crossings }, { withBaseline: false });
      rate = Math.round(probe.crossingsPerSecond * 50) / 100;
      console.log(`saturation ${probe.crossingsPerSecond}/s: soaking at ${rate}/s`);
    }
    return { mode: 'soak', options: { ...opts, rate }, ...(await soak(system, t, { ...opts, rate, minutes: soakLength })) };
  }
  if (opts.rate) return { mode: 'open-loop', options: opts, ...(await openLoop(system, t, opts, new Recorder())) };
  // Gate events ride along the closed loop: they share its API, worker and database, as at a real gate.
  const api = client(system.apiUrl);
  const reads = opts.readsPerSecond > 0 ? await GateReads.setUp(api, t.admin, 'HUU_NGHI', opts.readsPerSecond) : undefined;
  const subscribers =
    opts.subscribers + opts.deadSubscribers > 0 ? await Subscribers.setUp(api, t.company, opts.subscribers, opts.deadSubscribers) : undefined;
  return { mode: 'closed-loop', ...(await closedLoop(system, t, opts, { reads, subscribers, withBaseline: started })) };
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
