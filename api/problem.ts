import type { ErrorRequestHandler } from 'express';
import { z } from 'zod';
import type { FieldError } from '../domain/crossing-view';
import { CrossingBusy, CrossingEnded, CrossingNotFound, CrossingRejected, UnknownReference } from '../domain/errors';
import type { Logger } from '../infra/logger';
import { DEPENDENCY_NAMES, dependencyOf, type Dependency, type DependencyHealth } from './dependencies';

/**
 * Every error a client sees is `application/problem+json` (API.md "Conventions"). Handlers throw an ApiError (or let a
 * ZodError or a dependency failure escape); `toApiError` turns any of them into the answer, and the one middleware
 * below writes it.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly extra?: Record<string, unknown>,
    readonly headers?: Record<string, string>,
  ) {
    super(detail);
  }
}

export const badRequest = (detail: string, errors?: FieldError[]) => new ApiError(400, 'Bad Request', detail, errors);
/** The 400 of a request with fields at fault, every one of them listed with its path and what is wrong. */
export const invalidFields = (errors: FieldError[]) => badRequest('The request is invalid; every field at fault is listed.', errors);
export const unauthorized = (detail: string) => new ApiError(401, 'Unauthorized', detail);
export const forbidden = (detail: string) => new ApiError(403, 'Forbidden', detail);
export const notFound = (detail: string) => new ApiError(404, 'Not Found', detail);
export const conflict = (detail: string, extra?: Record<string, unknown>, headers?: Record<string, string>) =>
  new ApiError(409, 'Conflict', detail, undefined, extra, headers);

/** Seconds a client waits before retrying after a 503 or a 409 for a request still running. */
export const RETRY_AFTER_SECONDS = 2;

/**
 * What a client learns of a request that failed because a dependency is down or too slow: whether its change was
 * surely not made, or may still take effect (an Update Temporal had already taken, a request past its deadline).
 * Either way a retry with the same Idempotency-Key returns the real outcome.
 */
export type Outcome = 'NOT_CHANGED' | 'UNKNOWN';

export class Unavailable extends Error {
  constructor(
    readonly suspect: Dependency | undefined,
    readonly outcome: Outcome | undefined,
    cause?: unknown,
    /**
     * Set when Temporal took the message (or may have) and the call ran out of time, after this long, waiting for the
     * workflow to process it: then the worker or a busy crossing is at fault, not Temporal (DependencyHealth.diagnose).
     */
    readonly notProcessedInMs?: number,
  ) {
    super(`${suspect ?? 'a dependency'} unavailable`, { cause });
  }
}

/**
 * A dependency that answers but is set up wrong (Temporal's namespace without the crossing's search attributes): said
 * as it is, with what to do, rather than diagnosed as an outage.
 */
export class Misconfigured extends Unavailable {
  constructor(
    suspect: Dependency,
    readonly why: string,
    outcome: Outcome | undefined,
    cause?: unknown,
  ) {
    super(suspect, outcome, cause);
  }
}

/** A change sent to Temporal whose outcome is unknown: the connection broke after it was sent. */
export const outcomeUnknown = (cause: unknown) => new Unavailable(dependencyOf(cause) ?? 'temporal', 'UNKNOWN', cause);

/** zod issues as `{path, message}` with dotted paths (`goods.0.hsCode`), prefixed when they come from a query or path. */
export function fieldErrors(error: z.ZodError, prefix?: string): FieldError[] {
  return error.issues.map((issue) => {
    const path = [...(prefix ? [prefix] : []), ...issue.path.map(String)].join('.');
    return { path: path || '(body)', message: issue.message };
  });
}

const TYPE_BASE = 'https://border-gate.example/problems/';

export function problemBody(err: ApiError) {
  return {
    type: `${TYPE_BASE}${err.title.toLowerCase().replace(/\s+/g, '-')}`,
    title: err.title,
    status: err.status,
    detail: err.detail,
    ...(err.errors ? { errors: err.errors } : {}),
    ...err.extra,
  };
}

/**
 * The answer to any error. Dependency failures become 503 only after `explainUnavailable` has found which dependency
 * is really down; here they get a generic sentence (used where no health check can be run).
 */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof z.ZodError) return invalidFields(fieldErrors(err));
  if (err instanceof Misconfigured) return unavailableError(err.suspect, err.outcome, err.why);
  if (err instanceof Unavailable) return unavailableError(err.suspect, err.outcome, 'it did not answer in time');
  if (err instanceof UnknownReference) return invalidFields([{ path: err.path, message: err.problem }]);
  if (err instanceof CrossingNotFound) return notFound(err.message);
  if (err instanceof CrossingRejected || err instanceof CrossingEnded) return conflict(err.message);
  if (err instanceof CrossingBusy) return conflict(err.message, { outcome: 'NOT_CHANGED' }, { 'Retry-After': '1' });
  const status = (err as { status?: number; statusCode?: number }).status ?? (err as { statusCode?: number }).statusCode;
  const type = (err as { type?: string }).type;
  // Errors raised by express's own body parser.
  if (type === 'entity.parse.failed') return badRequest('The body is not valid JSON.');
  if (type === 'entity.too.large') return new ApiError(413, 'Payload Too Large', 'The body is larger than this API accepts.');
  if (type === 'encoding.unsupported' || type === 'charset.unsupported')
    return new ApiError(415, 'Unsupported Media Type', 'Send UTF-8 JSON.');
  if (status && status >= 400 && status < 500) return new ApiError(status, 'Bad Request', (err as Error).message);
  const suspect = dependencyOf(err);
  if (suspect) return unavailableError(suspect, 'NOT_CHANGED', 'it is unreachable');
  return new ApiError(500, 'Internal Server Error', 'Something went wrong on our side; the error was logged.');
}

function unavailableError(dependency: Dependency | undefined, outcome: Outcome | undefined, why: string): ApiError {
  const who = dependency ? DEPENDENCY_NAMES[dependency] : 'A service this API depends on';
  const what =
    outcome === 'UNKNOWN'
      ? 'The outcome of this request is unknown: it may still take effect. Retry with the same Idempotency-Key to learn the real outcome.'
      : outcome === 'NOT_CHANGED'
        ? 'Nothing was changed. Retry shortly (with the same Idempotency-Key, if you sent one).'
        : 'Retry shortly.';
  return new ApiError(
    503,
    'Service Unavailable',
    `${who.charAt(0).toUpperCase()}${who.slice(1)} is not available (${why}). ${what}`,
    undefined,
    { ...(dependency ? { dependency } : {}), ...(outcome ? { outcome } : {}) },
    { 'Retry-After': String(RETRY_AFTER_SECONDS) },
  );
}

/**
 * For a request that failed on a dependency: asks which one is really down (a timed-out Update is the worker's fault
 * when Temporal answers and no worker heartbeat is fresh) and says so. Other errors are returned as they are.
 */
export async function explainUnavailable(err: unknown, health: DependencyHealth, changing: boolean): Promise<ApiError> {
  const problem = toApiError(err);
  if (problem.status !== 503 || problem.extra?.checks || err instanceof Misconfigured) return problem;
  const suspect = err instanceof Unavailable ? err.suspect : dependencyOf(err);
  const outcome = err instanceof Unavailable ? err.outcome : changing ? 'NOT_CHANGED' : undefined;
  const notProcessedInMs = err instanceof Unavailable ? err.notProcessedInMs : undefined;
  const { dependency, why, busy } = await health.diagnose(suspect, { notProcessedInMs });
  if (busy && changing) return stillBusy(notProcessedInMs ?? 0);
  if (busy) return unavailableError('worker', undefined, 'it did not answer in time');
  return unavailableError(dependency, changing ? (outcome ?? 'NOT_CHANGED') : undefined, why);
}

/**
 * A change Temporal holds for a crossing busy with other messages (contention), not processed within the call's
 * deadline although every dependency answers: a conflict, not an outage. It may still be applied, so the answer says
 * "unknown" and is never kept under the Idempotency-Key (api/idempotency.ts): the retry with the same key, which
 * reaches the same Update, gets the real outcome.
 */
function stillBusy(waitedMs: number): ApiError {
  return conflict(
    `The crossing is busy with other requests for it: this one was not processed within ${Math.max(1, Math.round(waitedMs / 1000))} s and may ` +
      'still take effect. Retry in 1 s with the same Idempotency-Key to learn its outcome.',
    { outcome: 'UNKNOWN' },
    { 'Retry-After': '1' },
  );
}

export function sendProblem(res: Parameters<ErrorRequestHandler>[2], problem: ApiError): void {
  for (const [name, value] of Object.entries(problem.headers ?? {})) res.setHeader(name, value);
  res.status(problem.status).type('application/problem+json').json(problemBody(problem));
}

export function errorMiddleware(log: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) return next(err);
    const problem = toApiError(err);
    // Route handlers log their own failures before they get here (api/route.ts); this catches the rest.
    if (problem.status >= 500 && problem.status !== 503 && !(err instanceof ApiError)) log.error({ err, reqId: req.id }, 'request failed');
    else if (problem.status === 503) log.warn({ reqId: req.id, detail: problem.detail }, 'a dependency is unavailable');
    sendProblem(res, problem);
  };
}
