import { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import type { FieldError } from '../domain/crossing-view';
import type { Role } from '../domain/roles';
import { unsafeTextIn } from '../domain/text';
import type { Account } from '../infra/db/entities/account';
import { authenticate, requireRole } from './auth/authenticate';
import type { TokenClaims } from './auth/tokens';
import type { ApiContext } from './context';
import { idempotent, requestHash } from './idempotency';
import { ProblemSchema } from './schemas';
import { DIAGNOSIS_BUDGET_MS } from './dependencies';
import { notProcessedFor, withinRequest, type RequestScope } from './request-deadline';
import { explainUnavailable, fieldErrors, invalidFields, Unavailable } from './problem';

/**
 * One definition per route: the same zod schemas validate the request and describe it in the OpenAPI document, and
 * the access rule (public, any account, or a list of roles) is declared beside them rather than inside the handler.
 */
export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  contentType?: string;
  /** A stored first answer given again for a repeated Idempotency-Key. */
  replayed?: boolean;
  /**
   * What to keep under the request's Idempotency-Key when it must not be the whole answer: a secret shown once is
   * given to the client and never stored, so a repeat gets the answer without it.
   */
  kept?: unknown;
}

type AnyObject = z.ZodObject<z.ZodRawShape>;

interface RouteSpec<B extends z.ZodType | undefined, Q extends AnyObject | undefined, P extends AnyObject | undefined, A> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI-style path: `/v1/crossings/{id}`. */
  path: string;
  summary: string;
  tag: string;
  access: A;
  body?: B;
  query?: Q;
  params?: P;
  responses: Record<
    number,
    {
      description: string;
      schema?: z.ZodType;
      contentType?: string;
      /**
       * Operations a client can call next with a value of this answer (OpenAPI links), by operation id: `{ getCrossing:
       * { id: '$response.body#/id' } }`. API fuzzers follow them to reach real resources instead of only 404s.
       */
      links?: Record<string, Record<string, string>>;
    }
  >;
  /** Runs after authentication and before validation (a webhook's or a device's signature check, a driver's link). */
  before?: (req: Request) => void | Promise<void>;
  /** A public route that `before` holds to a driver link's token (`Bearer drv_…`): so the OpenAPI document says. */
  security?: 'driverLink';
  /**
   * Running the handler again under the same Idempotency-Key has no second effect: its change is a Temporal Update
   * whose id comes from the key (Temporal answers a repeat with the first outcome), or an insert that returns the row
   * already there. A retry after a cut request then finds the real outcome at once, instead of waiting for the lease
   * of the first request's claim to run out.
   */
  repeatable?: boolean;
  handler: (input: {
    body: B extends z.ZodType ? z.output<B> : undefined;
    query: Q extends AnyObject ? z.output<Q> : undefined;
    params: P extends AnyObject ? z.output<P> : undefined;
    caller: A extends 'public' ? undefined : Caller;
    req: Request;
    res: Response;
  }) => Promise<Reply | void>;
}

type Access = 'public' | 'any' | readonly Role[];

/** The account a request is made by, with the claims of the token it was made with. */
export type Caller = Account & { tokenClaims: TokenClaims };

export class Api {
  readonly router = express.Router();
  readonly registry = new OpenAPIRegistry();

  constructor(private readonly ctx: ApiContext) {
    this.registry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    this.registry.registerComponent('securitySchemes', 'driverLink', {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'drv_ token',
      description: "A driver link's token, scoped to one crossing (POST /v1/crossings/{id}/driver-link, or the driver's SMS).",
    });
  }

  route<B extends z.ZodType | undefined, Q extends AnyObject | undefined, P extends AnyObject | undefined, A extends Access>(
    spec: RouteSpec<B, Q, P, A>,
  ): void {
    this.document(spec);
    const expressPath = spec.path.replace(/\{(\w+)\}/g, ':$1');
    this.router[spec.method](expressPath, async (req, res, next) => {
      const changing = spec.method !== 'get';
      try {
        const reply = await this.withinDeadline(() => this.handle(spec, req, res), changing);
        if (res.headersSent) return;
        for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
        if (reply.replayed) res.setHeader('Idempotent-Replayed', 'true');
        res.status(reply.status ?? 200);
        if (reply.contentType) res.type(reply.contentType);
        if (reply.body === undefined || reply.body === null) res.end();
        else res.json(reply.body);
      } catch (err) {
        const problem = await explainUnavailable(err, this.ctx.health, changing);
        if (problem.status >= 500 && problem.status !== 503) this.ctx.log.error({ err, reqId: req.id }, 'request failed');
        next(problem);
      }
    });
  }

  /**
   * No answer takes longer than REQUEST_TIMEOUT_MS: the request's work gets that less the time kept for naming the
   * dependency at fault, and past it the client hears 503 (for a change, "outcome unknown; retry with the same key").
   * The request itself runs on: if it finishes, its answer is stored under its Idempotency-Key, where the retry finds it.
   */
  private withinDeadline(run: () => Promise<Reply>, changing: boolean): Promise<Reply> {
    const workMs = Math.max(1000, this.ctx.config.requestTimeoutMs - DIAGNOSIS_BUDGET_MS);
    const scope: RequestScope = { deadline: Date.now() + workMs };
    const work = withinRequest(scope, run);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // Late while (or after) waiting for a workflow: the diagnosis asks whether the worker or contention held it.
        const waited = notProcessedFor(scope);
        reject(new Unavailable(waited === undefined ? undefined : 'temporal', changing ? 'UNKNOWN' : undefined, undefined, waited));
      }, workMs);
    });
    // The late work's own failure is of no one's concern once the client has had its answer.
    work.catch(() => undefined);
    return Promise.race([work, late]).finally(() => clearTimeout(timer));
  }

  private async handle<B extends z.ZodType | undefined, Q extends AnyObject | undefined, P extends AnyObject | undefined, A extends Access>(
    spec: RouteSpec<B, Q, P, A>,
    req: Request,
    res: Response,
  ): Promise<Reply> {
    const caller = spec.access === 'public' ? undefined : await authenticate(req, this.ctx.services, this.ctx.tokens);
    if (caller && Array.isArray(spec.access)) requireRole(caller, spec.access);
    await spec.before?.(req);

    // Body, query and path are checked together so the answer lists every field at fault at once.
    const errors: FieldError[] = [];
    const parse = <S extends z.ZodType | undefined>(schema: S, value: unknown, prefix?: string) => {
      if (!schema) return undefined;
      const result = schema.safeParse(value);
      if (!result.success) errors.push(...fieldErrors(result.error, prefix));
      return result.data;
    };
    const body = parse(spec.body, req.body ?? {});
    const query = parse(spec.query, req.query, 'query');
    const params = parse(spec.params, req.params, 'path');
    // The text rule over everything sent, keys and unknown fields included (a schema's field is held to it above).
    const flagged = new Set(errors.map((e) => e.path));
    for (const [value, prefix] of [
      [req.body, []],
      [req.query, ['query']],
      [req.params, ['path']],
    ] as const) {
      errors.push(...unsafeTextIn(value, [...prefix]).filter((e) => !flagged.has(e.path)));
    }
    if (errors.length) throw invalidFields(errors);

    const run = async () => (await spec.handler({ body, query, params, caller, req, res } as Parameters<typeof spec.handler>[0])) ?? {};
    const key = req.header('Idempotency-Key');
    if (spec.method === 'get' || !caller || !key) return run();
    const hash = requestHash(spec.method, req.originalUrl, req.body);
    return idempotent(this.ctx, { accountId: caller.id, key, hash, repeatable: spec.repeatable ?? false }, run);
  }

  private document(spec: RouteSpec<z.ZodType | undefined, AnyObject | undefined, AnyObject | undefined, Access>): void {
    const roles = Array.isArray(spec.access) ? ` Roles: ${spec.access.join(', ')}.` : '';
    this.registry.registerPath({
      method: spec.method,
      path: spec.path,
      summary: spec.summary,
      description: `${spec.summary}.${roles}`,
      operationId: operationId(spec.method, spec.path),
      tags: [spec.tag],
      security: spec.security === 'driverLink' ? [{ driverLink: [] }] : spec.access === 'public' ? [] : [{ bearerAuth: [] }],
      request: {
        ...(spec.body ? { body: { content: { 'application/json': { schema: spec.body } } } } : {}),
        ...(spec.query ? { query: spec.query } : {}),
        ...(spec.params ? { params: spec.params } : {}),
      },
      responses: {
        ...Object.fromEntries(
          Object.entries(spec.responses).map(([status, r]) => [
            status,
            {
              description: r.description,
              ...(r.schema
                ? {
                    content: {
                      [r.contentType ?? (Number(status) >= 400 ? 'application/problem+json' : 'application/json')]: { schema: r.schema },
                    },
                  }
                : {}),
              ...(r.links
                ? {
                    links: Object.fromEntries(
                      Object.entries(r.links).map(([target, parameters]) => [target, { operationId: target, parameters }]),
                    ),
                  }
                : {}),
            },
          ]),
        ),
        // Every other answer is a problem+json (API.md "Conventions"): 400, 401, 403, 404, 409, 413, 422, 429, 503.
        default: {
          description: 'an error, as application/problem+json',
          content: { 'application/problem+json': { schema: ProblemSchema } },
        },
      },
    });
  }
}

/** A stable operation id from the method and path: `post /v1/crossings/{id}/cancel` → `postCrossingsIdCancel`. */
export function operationId(method: string, path: string): string {
  const words = path
    .replace(/^\/v1\//, '/')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  return method + words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}
