import { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import type { FieldError } from '../domain/crossing-view';
import { ROLES, type Role } from '../domain/roles';
import { unsafeTextIn } from '../domain/text';
import type { Account } from '../infra/db/entities/account';
import { TokenGuard, type OpenedCrossing, type OpenedGate } from '../infra/db/stores/request-opening';
import { bearerClaims, callerOf, requireRole } from './auth/authenticate';
import type { TokenClaims } from './auth/tokens';
import type { ApiContext } from './context';
import { idempotent, LEASE_MARGIN_MS, MAX_KEY_LENGTH, requestHash } from './idempotency';
import { ProblemSchema } from './schemas';
import { DIAGNOSIS_BUDGET_MS } from './dependencies';
import { notProcessedFor, withinRequest, type RequestScope } from './request-deadline';
import { explainUnavailable, fieldErrors, invalidFields, Misconfigured, Unavailable } from './problem';

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
  /**
   * A read that works from the token's claims alone (the account's role, gates and company) and checks the token in
   * its own statement (a `TokenGuard` passed to its store, as `caller.guard`): one round trip instead of two. When the
   * guard did not hold, or the handler failed before its statement ran, the request is answered the usual way.
   */
  claimsRead?: true;
  /**
   * The gate a valid body names, read by the request's opening statement with the caller (`caller.opened.gate`): a
   * declaration then costs no round trip of its own to learn that its gate exists and whether it keeps a queue.
   */
  openGate?: (body: B extends z.ZodType ? z.output<B> : undefined) => string;
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

/**
 * The account a request is made by, with the claims of the token it was made with; on a route about one crossing, that
 * crossing's row as the request's opening statement read it (null: there is none), for api/crossing-access.ts; and
 * the gate its body names (`openGate`).
 */
export type Caller = Account & {
  tokenClaims: TokenClaims;
  /**
   * On a `claimsRead` route answered from the token's claims: the condition its statement must carry. The account's
   * fields are then only the claims' (id, role, gates, company); the username and names are empty.
   */
  guard?: TokenGuard;
  opened?: { crossing?: { id: string; row: OpenedCrossing | null }; gate?: { code: string; row: OpenedGate | null } };
};

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
      const scope: RequestScope = { deadline: Date.now() + this.workMs(), statements: 0, workflowQueries: 0 };
      // What the request cost its dependencies, read by the metrics once it is answered (api/metrics.ts).
      res.locals.requestScope = scope;
      try {
        const reply = await this.withinDeadline(scope, () => this.handle(spec, req, res), changing);
        if (res.headersSent) return;
        res.setHeader('Server-Timing', serverTiming(scope));
        for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
        if (reply.replayed) res.setHeader('Idempotent-Replayed', 'true');
        res.status(reply.status ?? 200);
        if (reply.contentType) res.type(reply.contentType);
        if (reply.body === undefined || reply.body === null) res.end();
        else res.json(reply.body);
      } catch (err) {
        const problem = await explainUnavailable(err, this.ctx.health, changing);
        if (problem.status >= 500 && problem.status !== 503) this.ctx.log.error({ err, reqId: req.id }, 'request failed');
        if (err instanceof Misconfigured) this.ctx.log.error({ err: err.cause, reqId: req.id }, 'a dependency is set up wrong');
        if (!res.headersSent) res.setHeader('Server-Timing', serverTiming(scope));
        next(problem);
      }
    });
  }

  /**
   * No answer takes longer than REQUEST_TIMEOUT_MS: the request's work gets that less the time kept for naming the
   * dependency at fault, and past it the client hears 503 (for a change, "outcome unknown; retry with the same key").
   * The request itself runs on: if it finishes, its answer is stored under its Idempotency-Key, where the retry finds it.
   */
  private workMs(): number {
    return Math.max(1000, this.ctx.config.requestTimeoutMs - DIAGNOSIS_BUDGET_MS);
  }

  private withinDeadline(scope: RequestScope, run: () => Promise<Reply>, changing: boolean): Promise<Reply> {
    const workMs = scope.deadline - Date.now();
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
    const { body, query, params, errors } = parseRequest(spec, req);
    // An empty header is no key, as the routes that read it take it (`|| undefined`).
    const key = req.header('Idempotency-Key') || undefined;
    const keyed = spec.method !== 'get' && key !== undefined && key.length <= MAX_KEY_LENGTH;
    const hash = keyed ? requestHash(spec.method, req.originalUrl, req.body) : '';
    let caller: Caller | undefined;
    let claimed: boolean | undefined;
    if (spec.claimsRead && !errors.length) {
      const fast = await this.fromClaims(spec, req, res, { body, query, params });
      if (fast) return fast;
    }
    if (spec.access !== 'public') {
      // One round trip before the handler: the account and its token's revocation, the key's claim (a request that
      // will be answered 400 claims nothing, so its corrected retry may use the key), and the crossing it is about.
      const claims = bearerClaims(req, this.ctx.tokens);
      const claim = keyed && !errors.length && !spec.before;
      const crossingId = crossingParam(spec.path, req);
      const gate = spec.openGate && !errors.length ? spec.openGate(body as Parameters<typeof spec.openGate>[0]) : undefined;
      const opening = await this.ctx.services.stores().opening.open({
        token: { accountId: claims.sub, version: claims.ver, jti: claims.jti },
        roles: spec.access === 'any' ? ROLES : spec.access,
        claim: claim ? { key: key!, requestHash: hash, leaseMs: this.ctx.config.requestTimeoutMs + LEASE_MARGIN_MS } : undefined,
        crossingId,
        gate,
      });
      caller = {
        ...callerOf(opening, claims),
        opened: {
          ...(crossingId !== undefined ? { crossing: { id: crossingId, row: opening.crossing ?? null } } : {}),
          ...(gate !== undefined ? { gate: { code: gate, row: opening.gate ?? null } } : {}),
        },
      };
      if (Array.isArray(spec.access)) requireRole(caller, spec.access);
      if (claim) claimed = opening.claimed;
    }
    await spec.before?.(req);
    if (errors.length) throw invalidFields(errors);

    const run = async () => (await spec.handler({ body, query, params, caller, req, res } as Parameters<typeof spec.handler>[0])) ?? {};
    if (spec.method === 'get' || !caller || key === undefined) return run();
    return idempotent(this.ctx, { accountId: caller.id, key, hash, repeatable: spec.repeatable ?? false, claimed }, run);
  }

  /** A `claimsRead` route's answer from the token's claims, or undefined when it must be answered the usual way. */
  private async fromClaims<
    B extends z.ZodType | undefined,
    Q extends AnyObject | undefined,
    P extends AnyObject | undefined,
    A extends Access,
  >(
    spec: RouteSpec<B, Q, P, A>,
    req: Request,
    res: Response,
    input: { body: unknown; query: unknown; params: unknown },
  ): Promise<Reply | undefined> {
    const claims = bearerClaims(req, this.ctx.tokens);
    const admitted = spec.access === 'any' || (Array.isArray(spec.access) && spec.access.includes(claims.role));
    if (!admitted || !claims.gts || claims.ctn === undefined) return undefined;
    const guard = new TokenGuard({
      accountId: claims.sub,
      version: claims.ver,
      role: claims.role,
      gates: claims.gts,
      companyTaxCode: claims.ctn,
      jti: claims.jti,
    });
    const caller: Caller = {
      id: claims.sub,
      username: '',
      passwordHash: '',
      role: claims.role,
      gates: claims.gts,
      companyTaxCode: claims.ctn,
      displayName: null,
      disabled: false,
      tokenVersion: claims.ver,
      createdAt: new Date(0),
      updatedAt: new Date(0),
      tokenClaims: claims,
      guard,
    };
    try {
      const reply = await spec.handler({ ...input, caller, req, res } as Parameters<typeof spec.handler>[0]);
      if (guard.held === undefined)
        throw new Error(`${spec.method} ${spec.path} reads from claims but its statement did not check the token`);
      return guard.held ? (reply ?? {}) : undefined;
    } catch (err) {
      // Refused before the token was checked (a bad cursor, a filter for another role): the usual way says 401 first.
      if (guard.held !== true) return undefined;
      throw err;
    }
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

/**
 * Body, query and path checked together, so that the answer lists every field at fault at once; then the text rule
 * over everything sent, keys and unknown fields included (a schema's field is held to it by the schema).
 */
function parseRequest(
  spec: { body?: z.ZodType; query?: AnyObject; params?: AnyObject },
  req: Request,
): { body: unknown; query: unknown; params: unknown; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const parse = (schema: z.ZodType | undefined, value: unknown, prefix?: string) => {
    if (!schema) return undefined;
    const result = schema.safeParse(value);
    if (!result.success) errors.push(...fieldErrors(result.error, prefix));
    return result.data;
  };
  const body = parse(spec.body, req.body ?? {});
  const query = parse(spec.query, req.query, 'query');
  const params = parse(spec.params, req.params, 'path');
  const flagged = new Set(errors.map((e) => e.path));
  for (const [value, prefix] of [
    [req.body, []],
    [req.query, ['query']],
    [req.params, ['path']],
  ] as const) {
    errors.push(...unsafeTextIn(value, [...prefix]).filter((e) => !flagged.has(e.path)));
  }
  return { body, query, params, errors };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The crossing a `/v1/crossings/{id}…` route is about, when its id is well formed (otherwise the 400 says so). */
function crossingParam(path: string, req: Request): string | undefined {
  if (!path.startsWith('/v1/crossings/{id}')) return undefined;
  const id = req.params.id;
  return typeof id === 'string' && UUID.test(id) ? id : undefined;
}

/**
 * What the request cost its dependencies so far, in the standard `Server-Timing` header: PostgreSQL statements (each a
 * round trip) and workflow queries. A client (or a test) sees what one call costs without a profiler.
 */
function serverTiming(scope: RequestScope): string {
  return `db;desc="statements ${scope.statements ?? 0}", wf;desc="queries ${scope.workflowQueries ?? 0}"`;
}
