import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The time by which the request being handled must have finished its work (api/route.ts keeps the rest of
 * REQUEST_TIMEOUT_MS for naming the dependency at fault). A Temporal call made for the request ends a little before
 * it (api/crossing-client.ts), so that a crossing busy under contention is answered from Temporal's own timeout,
 * which says the workflow did not process the message in time, instead of from the request's deadline, which can only
 * say that something was slow.
 */
const deadlines = new AsyncLocalStorage<number>();

export function withRequestDeadline<T>(at: number, run: () => T): T {
  return deadlines.run(at, run);
}

/** The deadline of the request being handled (ms since the epoch), or undefined outside a request. */
export function requestDeadline(): number | undefined {
  return deadlines.getStore();
}
