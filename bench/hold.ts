import { randomUUID } from 'node:crypto';
import type { LaunchedSystem } from '../infra/launch-system';
import { accounts, declarationOf, type People } from './crossing-driver';
import { client, percentile, pool } from './http';
import { memoryMb } from './proc';
import { progress, Recorder } from './recorder';

/** `--hold N`: opens N crossings that stay waiting; worker memory per open crossing and list latency. */
export async function hold(system: LaunchedSystem, n: number, concurrency: number, t?: People) {
  const recorder = new Recorder();
  const record = recorder.record.bind(recorder);
  const call = client(system.apiUrls ?? system.apiUrl);
  const people = t ?? (await accounts(system));
  const before = memoryMb(system.pids?.worker);
  const ids = await openCrossings(call, people, n, concurrency, recorder);
  await new Promise((r) => setTimeout(r, 2000));
  const after = memoryMb(system.pids?.worker);
  for (let i = 0; i < 50; i++) record('list', await call('GET', '/v1/crossings?limit=50', { token: people.health }));
  return {
    ids,
    result: {
      open: ids.length,
      workerRssBeforeMb: before,
      workerRssAfterMb: after,
      workerKbPerOpenCrossing: before && after ? Math.round(((after - before) * 1024) / n) : null,
      listLatencyMs: Object.fromEntries([50, 95, 99].map((p) => [`p${p}`, Math.round(percentile(recorder.latencies.get('list') ?? [], p))])),
      errors: Object.fromEntries(recorder.errors),
    },
  };
}

/** Declares n crossings (they wait at their first step) and answers the ids of those accepted. */
async function openCrossings(call: ReturnType<typeof client>, t: People, n: number, concurrency: number, recorder: Recorder) {
  const ids: string[] = [];
  let done = 0;
  await pool(n, concurrency, async (i) => {
    const body = declarationOf(i);
    const res = recorder.record('declare', await call('POST', '/v1/crossings', { token: t.company, body, key: randomUUID() }));
    if (res.status < 400) ids.push(res.body.id);
    progress('opening  ', ++done, n);
  });
  return ids;
}
