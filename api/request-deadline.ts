import { AsyncLocalStorage } from 'node:async_hooks';
import type { Services } from '../infra/db/orm';

/**
 * What the request being handled has left and is waiting on. `deadline` is when its work must be done (api/route.ts
 * keeps the rest of REQUEST_TIMEOUT_MS for naming the dependency at fault). A Temporal call made for the request ends a
 * little before it (api/crossing-client.ts) and records here how long it waited for the workflow: when the request's
 * deadline still comes first (the API's own work after the call, such as releasing the Idempotency-Key, was slow),
 * the answer can then say that the workflow did not process the message in time, so that a crossing busy under
 * contention is a 409 and a stuck worker is named, instead of "something was slow".
 */
export interface RequestScope {
  deadline: number;
  /** Set while a Temporal call for the request runs: when it started. */
  temporalSince?: number;
  /** Set when a Temporal call for the request ran out of time waiting for the workflow: how long it waited. */
  notProcessedInMs?: number;
  /** PostgreSQL statements sent for the request (each a round trip), counted by api/main.ts's hook on the pool. */
  statements?: number;
  /** Queries of a workflow made for the request (api/crossing-client.ts). */
  workflowQueries?: number;
}

const scopes = new AsyncLocalStorage<RequestScope>();

export function withinRequest<T>(scope: RequestScope, run: () => T): T {
  return scopes.run(scope, run);
}

/** The scope of the request being handled, or undefined outside a request. */
export function currentRequest(): RequestScope | undefined {
  return scopes.getStore();
}

/** How long the request has waited for a workflow to process its message, if it has: see RequestScope. */
export function notProcessedFor(scope: RequestScope, now = Date.now()): number | undefined {
  return scope.notProcessedInMs ?? (scope.temporalSince === undefined ? undefined : now - scope.temporalSince);
}

/**
 * Counts each statement sent to PostgreSQL against the request it is sent for (knex emits `query` in the caller's
 * async context), so the metrics say how many round trips each route costs.
 */
export function countStatementsPerRequest(services: Services): void {
  services.orm.em
    .getConnection()
    .getKnex()
    .on('query', () => {
      const scope = scopes.getStore();
      if (scope) scope.statements = (scope.statements ?? 0) + 1;
    });
}
