import type { Client } from '@temporalio/client';
import type { Logger } from '../infra/logger';
import type { Services } from '../infra/db/orm';
import { wakeDispatchers } from '../infra/queue-dispatchers';
import { startKeeper } from './keeper';

/**
 * Keeps a dispatcher running for every gate that keeps a queue: at the worker's start, then every minute. A dispatcher
 * ends when its gate keeps no queue and is started by a wake; this makes sure one whose wake was lost (Temporal away
 * at that moment) runs all the same. A wake of a running dispatcher is one round early, and harmless.
 */
export function startQueueKeeper(services: Services, client: Client, opts: { taskQueue: string; log: Logger }) {
  return startKeeper(
    { everyMs: 60_000, log: opts.log, failure: 'could not reach the queue dispatchers; trying again in a minute' },
    async () => {
      const gates = (await services.stores().gates.list()).filter((g) => g.queue !== null);
      for (const gate of gates) await wakeDispatchers(client, opts.taskQueue, gate.code);
    },
  );
}
