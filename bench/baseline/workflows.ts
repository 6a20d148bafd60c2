import { condition, defineUpdate, setHandler } from '@temporalio/workflow';

/**
 * The engine's own ceiling: a workflow that takes the same number of Updates as a crossing and does nothing else
 * (no activities, no database, no codec beyond the default).
 */
export const pingUpdate = defineUpdate<number, [number]>('ping');

export async function baselineWorkflow(updates: number): Promise<void> {
  let received = 0;
  setHandler(pingUpdate, (i) => {
    received++;
    return i;
  });
  await condition(() => received >= updates);
}
