import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../infra/config';
import { launchSystem, ROOT, stopProcess, type LaunchedSystem } from '../infra/launch-system';
import { baseline } from './baseline';
import { accounts, driveCrossing, type Mix } from './crossing-driver';
import { GateReads } from './gate-reads';
import { hold } from './hold';
import { client, percentile, pool } from './http';
import { cpuPerCrossing, cpuSnapshot, memoryMb, scheduleToStart } from './proc';
import { progress, Recorder } from './recorder';
import { Subscribers } from './subscribers';
import { writeResult } from './report';

/**
 * `npm run bench`: how many crossings per second the whole system carries on this machine, how fast each API call
 * answers, and how close that is to the engine's own ceiling (a do-nothing workflow taking the same Updates, on the
 * same Temporal server, at the same concurrency). Everything goes through the HTTP API as clients would. The pieces:
 * the crossing driver (crossing-driver.ts), /proc sampling (proc.ts), the baseline (baseline.ts), `--hold` (hold.ts),
 * the read generator for gate-event latency (gate-reads.ts), the report (report.ts).
 */
const HELP = `npm run bench -- [options]
  --crossings N       full crossings to drive (default 300)
  --concurrency C     crossings in flight at once (default 16)
  --priority P        share declared PRIORITY (perishable), 0..1 (default 0.2)
  --transshipment T   share that transship (default 0.1)
  --quarantine Q      share with fruit (plant quarantine) (default 0.3)
  --returns R         share whose form customs returns once (default 0.1)
  --online O          share paying online through the provider simulator (default 0.3)
  --reads-per-second R  signed plate reads per second sent to POST /v1/gate-events while the crossings run, by an
                      entry barrier and a yard-entry camera of Hữu Nghị (default 20; 0: none)
  --subscribers N     webhook receivers (in this process, answering at once) the bench's declarant subscribes to every
                      crossing event before the run: decision latency is then the figure with N attached (default 0)
  --dead-subscribers D  receivers subscribed the same way that accept and never answer (default 0)
  --hold N            instead: open N crossings that stay waiting, report worker memory per crossing and list latency
  --api-url URL       use a running system (with --admin-password) instead of starting one
  --admin-password P  the admin password of that system
Writes bench/results/<time>.json and .md.`;

interface Options extends Mix {
  crossings: number;
  concurrency: number;
  hold: number;
  readsPerSecond: number;
  subscribers: number;
  deadSubscribers: number;
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
  };

  let launched: Awaited<ReturnType<typeof launchSystem>> | undefined;
  let system: LaunchedSystem;
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
      const recorder = new Recorder();
      const t = await accounts(system);
      // Gate events ride along the closed loop: they share its API, worker and database, as at a real gate.
      const reads =
        opts.readsPerSecond > 0 ? await GateReads.setUp(client(system.apiUrl), t.admin, 'HUU_NGHI', opts.readsPerSecond) : undefined;
      const call = reads ? reads.track(client(system.apiUrl)) : client(system.apiUrl);
      const subscribers =
        opts.subscribers + opts.deadSubscribers > 0
          ? await Subscribers.setUp(client(system.apiUrl), t.company, opts.subscribers, opts.deadSubscribers)
          : undefined;
      const s2sBefore = await scheduleToStart(system.apiUrl);
      const cpuBefore = cpuSnapshot(system);
      const started = performance.now();
      let done = 0;
      let updates = 0;
      reads?.start();
      await pool(opts.crossings, opts.concurrency, async (i) => {
        try {
          // Awaited first, then added: `updates += await …` reads `updates` before the await, so the crossings in
          // flight overwrote each other's counts (7 Updates a crossing came out as 0, and the baseline ran none).
          const n = await driveCrossing(call, t, opts, i, recorder);
          updates += n;
        } catch (err) {
          recorder.count(`crossing failed: ${(err as Error).message.slice(0, 80)}`);
        }
        progress('crossings', ++done, opts.crossings);
      });
      const seconds = (performance.now() - started) / 1000;
      const gateEvents = reads ? await reads.stop() : null;
      const webhooks = subscribers ? await subscribers.stop(client(system.apiUrl), t.company) : null;
      const cpuMsPerCrossing = cpuPerCrossing(cpuBefore, cpuSnapshot(system), opts.crossings);
      const ours = opts.crossings / seconds;
      const s2sAfter = await scheduleToStart(system.apiUrl);
      const updatesPerCrossing = Math.round(updates / opts.crossings);
      const base = launched ? await baseline(system, opts.crossings, opts.concurrency, updatesPerCrossing) : undefined;
      const stats = Object.fromEntries(
        [...recorder.latencies].map(([kind, ms]) => [
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
        gateEvents,
        webhooks,
        decisionToListVisibleMs: {
          count: recorder.visibility.length,
          p50: Math.round(percentile(recorder.visibility, 50)),
          p95: Math.round(percentile(recorder.visibility, 95)),
          p99: Math.round(percentile(recorder.visibility, 99)),
        },
        errors: Object.fromEntries(recorder.errors),
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
  writeResult(result, when);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
