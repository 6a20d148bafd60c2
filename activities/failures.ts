import { ApplicationFailure } from '@temporalio/common';
import { PERMANENT_FAILURE, TRANSIENT_FAILURE } from '../domain/failures';
import { describeDatabaseError, isTransientDatabaseError } from '../infra/db/errors';

/**
 * How a crossing's activity fails, so that its workflow knows whether to wait or to stop and say so:
 * - PostgreSQL unreachable, or asking to try again (a deadlock, a statement cut by its timeout): `Transient`, retried
 *   with backoff for about 14 minutes (`TRANSIENT_RETRY`, domain/failures.ts); nothing is lost meanwhile.
 *   One that still fails then becomes an incident as a permanent one does: a "transient" error can be for good (a
 *   full disk, a statement that always outlives its timeout).
 * - Anything else (a value PostgreSQL refuses, a gate with no yard, a missing tariff, a bug): `Permanent`, not
 *   retried. The workflow records an incident on the crossing, which managers list and an admin retries once the cause
 *   is fixed (API.md, "Crossings").
 * Either way the failure says only what kind of error it was: a database error's message can hold a row's values,
 * and Temporal keeps failures in the workflow history and the worker logs them.
 */
const PERMANENT = PERMANENT_FAILURE;
const TRANSIENT = TRANSIENT_FAILURE;

export function classified(err: unknown, activity?: string): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  const database = describeDatabaseError(err);
  if (isTransientDatabaseError(err)) {
    return ApplicationFailure.create({ type: TRANSIENT, message: database ?? 'PostgreSQL is unreachable', nonRetryable: false });
  }
  return ApplicationFailure.create({ type: PERMANENT, message: database ?? unexpected(err, activity), nonRetryable: true });
}

/**
 * An error that is neither ours nor PostgreSQL's (a bug, a library's complaint): a fixed sentence with the activity,
 * the error's class and its code, never its own words, which may quote the declaration it choked on (a plate, a
 * name). The failure goes to the workflow history in clear, the worker's log and the crossing's incident; the
 * activity, class and code are enough to find the bug again with the crossing's id.
 */
function unexpected(err: unknown, activity: string | undefined): string {
  const kind = err instanceof Error ? err.constructor.name || 'Error' : typeof err;
  const code = (err as { code?: unknown } | null)?.code;
  const coded = typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,40}$/.test(code) ? ` (${code})` : '';
  return `An unexpected error in ${activity ?? 'an activity'}: ${kind}${coded}; its message is not kept, as it may quote the declaration.`;
}

/** A failure that retrying cannot cure, with a sentence for the people who will fix its cause. */
export const permanent = (message: string) => ApplicationFailure.create({ type: PERMANENT, message, nonRetryable: true });

/** The activities, each failing as `classified` says. */
export function withClassifiedFailures<T extends Record<string, (...args: never[]) => Promise<unknown>>>(activities: T): T {
  return Object.fromEntries(
    Object.entries(activities).map(([name, fn]) => [
      name,
      async (...args: never[]) => {
        try {
          return await fn(...args);
        } catch (err) {
          throw classified(err, name);
        }
      },
    ]),
  ) as T;
}
