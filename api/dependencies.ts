import { isGrpcServiceError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { describeDatabaseError } from '../infra/db/errors';
import { sqlOf } from '../infra/db/orm';
import type { ApiContext } from './context';

/**
 * What the API depends on, whether each answers now, and what a failed call means for the client.
 *
 * - PostgreSQL: accounts, access checks, the read model, idempotency records.
 * - Temporal: every change to a crossing is an Update to its workflow.
 * - A worker: Temporal holds an Update until a worker runs it. Temporal cannot say whether one is alive (a poll lasts a
 *   minute; pollers stay listed for minutes after a worker froze), so each worker writes a heartbeat to PostgreSQL
 *   every few seconds (worker/heartbeat.ts) and a worker is gone when the newest is older than WORKER_STALE_SECONDS.
 */
export type Dependency = 'postgres' | 'temporal' | 'worker';

export const WORKER_STALE_SECONDS = 10;
/** A heartbeat this recent says its worker runs now: 1.5 times the interval workers write at (worker/heartbeat.ts, 3 s). */
const LIVE_HEARTBEAT_MS = 4500;
/** How long /readyz waits for each dependency. */
const CHECK_TIMEOUT_MS = 2000;
/** How long naming the dependency at fault may add to a failed request's answer (see DIAGNOSIS_BUDGET_MS). */
const DIAGNOSIS_TIMEOUT_MS = 1000;
/** What the API keeps of its answer deadline for finding which dependency failed (api/route.ts). */
export const DIAGNOSIS_BUDGET_MS = DIAGNOSIS_TIMEOUT_MS + 500;

/** `up`, or `down: why`, per dependency. */
export type Checks = Partial<Record<Dependency, string>>;

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', 'ENETUNREACH']);
// PostgreSQL SQLSTATE classes 08 (connection exception) and 57 (operator intervention: a statement cancelled by its
// timeout, shutdown, crash recovery), and 53 (insufficient resources: too many connections).
const POSTGRES_DOWN = /^(08|57|53)/;
const POSTGRES_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED|Query read timeout|Timeout acquiring a connection|Connection terminated due to connection timeout/i;

/** The dependency an error says is unreachable or too slow, or undefined when the error is something else. */
export function dependencyOf(err: unknown): Dependency | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return 'temporal';
    // gRPC UNAVAILABLE (14) and DEADLINE_EXCEEDED (4) from the Temporal client.
    if (isGrpcServiceError(e) && (e.code === 14 || e.code === 4)) return 'temporal';
    if ((e as Error).name === 'ServiceError' && /UNAVAILABLE|DEADLINE_EXCEEDED|deadline/i.test((e as Error).message ?? ''))
      return 'temporal';
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || POSTGRES_DOWN.test(code))) return 'postgres';
    if ((e as Error).name === 'KnexTimeoutError' || POSTGRES_MESSAGES.test((e as Error).message ?? '')) return 'postgres';
  }
  return undefined;
}

/**
 * Temporal took the message (or may have) but the call ran out of time waiting for the workflow to process it: a
 * timed-out Update or query, as opposed to Temporal itself unreachable. Whose fault that is, is not Temporal's when it
 * answers: see `DependencyHealth.diagnose`.
 */
export function timedOutInTemporal(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return true;
    if (isGrpcServiceError(e) && e.code === 4) return true;
    if ((e as Error).name === 'ServiceError' && /DEADLINE_EXCEEDED|deadline/i.test((e as Error).message ?? '')) return true;
  }
  return false;
}

class CheckTimeout extends Error {}

function withTimeout<T>(promise: Promise<T>, what: string, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new CheckTimeout(`did not answer within ${ms} ms`)), ms).unref()),
  ]);
}

const NETWORK_WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found',
  EPIPE: 'connection lost',
};

/**
 * `down: why`, in words safe for any client to read (/readyz and 503 answers are public): the kind of failure, never
 * the error's own message, which names hosts, ports, database users or carries SQL.
 */
function describe(err: unknown): string {
  for (let e: unknown = err, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof CheckTimeout) return `down: ${e.message}`;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_WORDS[code]) return `down: ${NETWORK_WORDS[code]}`;
    if (isGrpcServiceError(e)) return `down: ${e.code === 4 ? 'deadline exceeded' : 'unavailable'}`;
  }
  const database = describeDatabaseError(err);
  if (database) return `down: ${database}`;
  return dependencyOf(err) ? 'down: connection lost or timed out' : 'down: unreachable';
}

export class DependencyHealth {
  private cached: { at: number; checks: Promise<Checks> } | undefined;

  constructor(private readonly ctx: Pick<ApiContext, 'services' | 'temporal' | 'config'>) {}

  /**
   * Checks each dependency now. `self` checks only this process's own connections (PostgreSQL and Temporal), for a
   * container orchestrator's probe: a worker outage must not take every API replica out of its load balancer.
   */
  async check(opts: { self?: boolean; timeoutMs?: number } = {}): Promise<Checks> {
    const ms = opts.timeoutMs ?? CHECK_TIMEOUT_MS;
    const [postgres, temporal] = await Promise.all([
      withTimeout(sqlOf(this.ctx.services.em.fork())('select 1'), 'PostgreSQL', ms).then(() => 'up', describe),
      withTimeout(
        this.ctx.temporal.withDeadline(Date.now() + ms, () => this.ctx.temporal.workflowService.getSystemInfo({})),
        'Temporal',
        ms,
      ).then(() => 'up', describe),
    ]);
    if (opts.self) return { postgres, temporal };
    return { postgres, temporal, worker: postgres === 'up' ? await this.workerCheck(ms) : 'unknown: PostgreSQL is unreachable' };
  }

  /** Quicker checks, shared by the requests of one second, for naming what is down in an error answer. */
  recent(): Promise<Checks> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at > 1000) this.cached = { at: now, checks: this.check({ timeoutMs: DIAGNOSIS_TIMEOUT_MS / 2 }) };
    return this.cached.checks;
  }

  /**
   * The dependency really at fault when a call failed or ran out of time. PostgreSQL and Temporal are asked whether
   * they answer, and the worker heartbeat whether a worker runs.
   *
   * A message Temporal did not get processed in time (`notProcessedInMs`: a timed-out Update or query) is never
   * Temporal's fault when Temporal answers. It is the worker's when no worker kept running through the wait: during
   * the first seconds of a freeze the heartbeat is not yet 10 s old (so /readyz still says ready), but no worker that
   * ran when the call was sent has written one since (heartbeats come every 3 s), and after a kill -9 the only fresh
   * heartbeat is the restarted worker's, which started after the call. When a worker did keep running, the crossing
   * was busy (other messages for it ahead of this one): `busy`, which the API answers 409 with Retry-After, not a 503
   * naming something that is not down.
   */
  async diagnose(
    suspect: Dependency | undefined,
    opts: { notProcessedInMs?: number } = {},
  ): Promise<{ dependency: Dependency | undefined; why: string; busy?: boolean }> {
    const waited = opts.notProcessedInMs;
    const [checks, worker] = await Promise.all([
      this.recent(),
      waited === undefined ? undefined : this.workerThrough(waited, DIAGNOSIS_TIMEOUT_MS / 2),
    ]);
    const down = (dependency: Dependency) => checks[dependency]?.startsWith('down');
    const named = (dependency: Dependency) => ({ dependency, why: checks[dependency]!.slice('down: '.length) });
    if (waited !== undefined) {
      // Temporal answers no one, or the worker waits on PostgreSQL for the crossing's steps: theirs is the fault.
      for (const dependency of ['temporal', 'postgres'] as const) if (down(dependency)) return named(dependency);
      if (worker === 'steady') return { dependency: undefined, why: 'the crossing is busy with other requests', busy: true };
      if (worker) return { dependency: 'worker', why: worker.slice('down: '.length) };
    }
    const order: Dependency[] = suspect === 'postgres' ? ['postgres', 'temporal', 'worker'] : ['temporal', 'worker', 'postgres'];
    for (const dependency of order) if (down(dependency)) return named(dependency);
    return { dependency: suspect, why: suspect ? 'it did not answer in time' : 'a dependency did not answer in time' };
  }

  /**
   * Whether a worker ran through the last `waitedMs`: one that had started before it and has written a heartbeat in
   * the last 1.5 heartbeat intervals. `steady`, or `down: why`; undefined when PostgreSQL cannot say.
   */
  private async workerThrough(waitedMs: number, ms: number): Promise<'steady' | `down: ${string}` | undefined> {
    try {
      const [row] = await withTimeout(
        sqlOf(this.ctx.services.em.fork())<{ age: number | null; steady: boolean | null }>(
          `select extract(epoch from now() - max(seen_at))::float8 as age,
                  bool_or(started_at <= now() - ? * interval '1 millisecond' and seen_at >= now() - ? * interval '1 millisecond') as steady
             from worker_heartbeat where task_queue = ?`,
          [waitedMs, LIVE_HEARTBEAT_MS, this.ctx.config.taskQueue],
        ),
        'PostgreSQL',
        ms,
      );
      if (row?.steady) return 'steady';
      if (row?.age === null || row?.age === undefined) return 'down: no worker has sent a heartbeat';
      if (row.age * 1000 > LIVE_HEARTBEAT_MS)
        return `down: no worker processed the crossing in time; the newest worker heartbeat is ${Math.round(row.age)} s old`;
      return 'down: no worker processed the crossing in time; a worker was restarted while the request waited';
    } catch {
      return undefined;
    }
  }

  private async workerCheck(ms: number): Promise<string> {
    try {
      const [row] = await withTimeout(
        sqlOf(this.ctx.services.em.fork())<{ age: number | null }>(
          'select extract(epoch from now() - max(seen_at))::float8 as age from worker_heartbeat where task_queue = ?',
          [this.ctx.config.taskQueue],
        ),
        'PostgreSQL',
        ms,
      );
      if (row?.age === null || row?.age === undefined) return 'down: no worker has sent a heartbeat';
      if (row.age > WORKER_STALE_SECONDS) return `down: the newest worker heartbeat is ${Math.round(row.age)} s old`;
      return 'up';
    } catch (err) {
      return describe(err);
    }
  }
}

export const DEPENDENCY_NAMES: Record<Dependency, string> = {
  postgres: 'PostgreSQL',
  temporal: 'Temporal',
  worker: 'the worker',
};
