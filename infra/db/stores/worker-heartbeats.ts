import type { EntityManager } from '@mikro-orm/postgresql';
import { sqlOf } from '../orm';

/** Workers' heartbeats (worker/heartbeat.ts writes them; the API's readiness check reads the newest). */
export class WorkerHeartbeatStore {
  constructor(private readonly em: EntityManager) {}

  /** This worker is alive now. */
  async beat(worker: { workerId: string; taskQueue: string; pid: number }): Promise<void> {
    await sqlOf(this.em)(
      `insert into worker_heartbeat (worker_id, task_queue, pid, started_at, seen_at) values (?, ?, ?, now(), now())
       on conflict (worker_id) do update set seen_at = now()`,
      [worker.workerId, worker.taskQueue, worker.pid],
    );
  }

  /** A worker stopping on purpose says so at once, rather than letting its heartbeat age. */
  async remove(workerId: string): Promise<void> {
    await sqlOf(this.em)('delete from worker_heartbeat where worker_id = ?', [workerId]);
  }

  /** Heartbeats of workers gone for a day are of no use. */
  async prune(): Promise<void> {
    await sqlOf(this.em)(`delete from worker_heartbeat where seen_at < now() - interval '1 day'`);
  }
}
