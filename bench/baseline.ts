import { randomUUID } from 'node:crypto';
import { Client, Connection, WithStartWorkflowOperation } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { LaunchedSystem } from '../infra/launch-system';
import type { baselineWorkflow } from './baseline/workflows';
import { pool } from './http';
import { cpuPerCrossing, cpuSnapshot } from './proc';
import { progress } from './recorder';

/** The same number of Updates per workflow, straight through the Temporal client, at the same concurrency. */
export async function baseline(
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
