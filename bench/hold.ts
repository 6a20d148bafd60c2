import { randomUUID } from 'node:crypto';
import type { LaunchedSystem } from '../infra/launch-system';
import { accounts, DECLARATION } from './crossing-driver';
import { client, percentile, pool } from './http';
import { memoryMb } from './proc';
import { progress, Recorder } from './recorder';

/** `--hold N`: opens N crossings that stay waiting; worker memory per open crossing and list latency. */
export async function hold(system: LaunchedSystem, n: number, concurrency: number) {
  const recorder = new Recorder();
  const record = recorder.record.bind(recorder);
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
    listLatencyMs: Object.fromEntries([50, 95, 99].map((p) => [`p${p}`, Math.round(percentile(recorder.latencies.get('list') ?? [], p))])),
    errors: Object.fromEntries(recorder.errors),
  };
}
