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

export function classified(err: unknown): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  const database = describeDatabaseError(err);
  if (isTransientDatabaseError(err)) {
    return ApplicationFailure.create({ type: TRANSIENT, message: database ?? 'PostgreSQL is unreachable', nonRetryable: false });
  }
  const message = database ?? (err instanceof Error ? `${err.name}: ${err.message}` : 'an unknown error');
  return ApplicationFailure.create({ type: PERMANENT, message, nonRetryable: true });
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
          throw classified(err);
        }
      },
    ]),
  ) as T;
}
