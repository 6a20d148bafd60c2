/**
 * The type names of a crossing activity's failures (activities/failures.ts), shared with the workflow, which records
 * an incident on a `Permanent` one instead of waiting.
 */
export const PERMANENT_FAILURE = 'Permanent';
export const TRANSIENT_FAILURE = 'Transient';
