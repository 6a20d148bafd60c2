import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Services } from '../infra/db/orm';
import type { Logger } from '../infra/logger';

/** How often a worker says it is alive; `/readyz` calls a worker gone when its newest heartbeat is 10 s old. */
export const HEARTBEAT_INTERVAL_MS = 3000;

/**
 * A worker's heartbeat in PostgreSQL, written every few seconds while its event loop runs. Temporal cannot tell the
 * API whether a worker is alive: a poll lasts up to a minute and pollers stay listed for minutes after a worker froze.
 * A frozen, stopped or crashed worker stops writing; the API's readiness check reads the newest heartbeat.
 */
export function startHeartbeat(services: Services, opts: { taskQueue: string; log: Logger }): { stop(): Promise<void> } {
  const workerId = `${os.hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const heartbeats = () => services.stores().workerHeartbeats;
  let failing = false;
  const beat = async () => {
    try {
      await heartbeats().beat({ workerId, taskQueue: opts.taskQueue, pid: process.pid });
      if (failing) opts.log.info('worker heartbeat written again');
      failing = false;
    } catch (err) {
      if (!failing) opts.log.warn({ err }, 'cannot write the worker heartbeat (PostgreSQL unreachable?)');
      failing = true;
    }
  };
  void heartbeats()
    .prune()
    .catch(() => undefined);
  void beat();
  const timer = setInterval(() => void beat(), HEARTBEAT_INTERVAL_MS);
  return {
    async stop() {
      clearInterval(timer);
      // A worker that stops on purpose says so at once, rather than letting its heartbeat age.
      await heartbeats()
        .remove(workerId)
        .catch(() => undefined);
    },
  };
}
