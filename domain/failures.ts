/**
 * The type names of a crossing activity's failures (activities/failures.ts), shared with the workflow, which records
 * an incident on a `Permanent` one instead of waiting.
 */
export const PERMANENT_FAILURE = 'Permanent';
export const TRANSIENT_FAILURE = 'Transient';

/**
 * How a crossing's activity retries a transient failure (workflows/crossing.ts): 1 s, 2 s, 4 s … then every minute,
 * 20 attempts in all, so about 14 minutes (63 s of doubling, then 13 waits of a minute). Then it is an incident.
 */
export const TRANSIENT_RETRY = { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 20 } as const;
export const TRANSIENT_RETRY_WINDOW = 'about 14 minutes';
