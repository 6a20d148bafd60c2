import type { ErrorRequestHandler } from 'express';
import { z } from 'zod';
import type { FieldError } from '../domain/crossing-view';
import type { Logger } from '../infra/logger';
import { isDependencyDown } from './dependency-errors';

/**
 * Every error a client sees is `application/problem+json` (API.md "Conventions"). Handlers throw an ApiError (or let a
 * ZodError or a dependency failure escape); the one middleware below turns it into the answer.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly extra?: Record<string, unknown>,
  ) {
    super(detail);
  }
}

export const badRequest = (detail: string, errors?: FieldError[]) => new ApiError(400, 'Bad Request', detail, errors);
export const unauthorized = (detail: string) => new ApiError(401, 'Unauthorized', detail);
export const forbidden = (detail: string) => new ApiError(403, 'Forbidden', detail);
export const notFound = (detail: string) => new ApiError(404, 'Not Found', detail);
export const conflict = (detail: string, extra?: Record<string, unknown>) => new ApiError(409, 'Conflict', detail, undefined, extra);
export const unavailable = (detail: string) => new ApiError(503, 'Service Unavailable', detail);

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

export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof z.ZodError) return badRequest('The request is invalid; every field at fault is listed.', fieldErrors(err));
  const status = (err as { status?: number; statusCode?: number }).status ?? (err as { statusCode?: number }).statusCode;
  const type = (err as { type?: string }).type;
  // Errors raised by express's own body parser.
  if (type === 'entity.parse.failed') return badRequest('The body is not valid JSON.');
  if (type === 'entity.too.large') return new ApiError(413, 'Payload Too Large', 'The body is larger than this API accepts.');
  if (type === 'encoding.unsupported' || type === 'charset.unsupported')
    return new ApiError(415, 'Unsupported Media Type', 'Send UTF-8 JSON.');
  if (status && status >= 400 && status < 500) return new ApiError(status, 'Bad Request', (err as Error).message);
  if (isDependencyDown(err)) {
    return unavailable('A service this API depends on (Temporal or PostgreSQL) is unreachable; nothing was changed. Retry later.');
  }
  return new ApiError(500, 'Internal Server Error', 'Something went wrong on our side; the error was logged.');
}

export function errorMiddleware(log: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) return next(err);
    const problem = toApiError(err);
    if (problem.status >= 500) log.error({ err, reqId: req.id }, 'request failed');
    res.status(problem.status).type('application/problem+json').json(problemBody(problem));
  };
}
