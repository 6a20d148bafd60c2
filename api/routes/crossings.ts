import type { Request } from 'express';
import { z } from 'zod';
import { CROSSING_STATUSES } from '../../domain/crossing-view';
import { DecisionSchema } from '../../domain/decision';
import { DeclarationSchema } from '../../domain/declaration';
import { AGENCY_ROLES } from '../../domain/roles';
import { freeText, text } from '../../domain/text';
import { DECISION_STEPS, STEP_OWNER, STEPS } from '../../domain/steps';
import { GateSchema as GateEntity } from '../../infra/db/entities/gate';
import type { ApiContext } from '../context';
import { crossingViewFor } from '../data-views';
import { crossingFor, crossingToActOn } from '../crossing-access';
import { CrossingClient } from '../crossing-client';
import { badRequest, forbidden } from '../problem';
import type { Api } from '../route';
import { IdParams, ProblemSchema } from '../schemas';
import { listCrossings, ListQuerySchema, CrossingListSchema } from './crossing-list';

export const CrossingViewSchema = z
  .looseObject({ id: z.string(), status: z.enum(CROSSING_STATUSES), currentStep: z.enum(STEPS).nullable() })
  .meta({ id: 'CrossingView' });

const problems = {
  400: { description: 'invalid request', schema: ProblemSchema },
  403: { description: 'not your role or gate', schema: ProblemSchema },
  404: { description: 'no such crossing', schema: ProblemSchema },
  409: { description: 'does not fit the crossing now', schema: ProblemSchema },
};

const StepParams = IdParams.extend({ step: z.enum(DECISION_STEPS) });

const TransshipmentRegistrationSchema = z
  .object({
    yardCode: text().trim().min(1).max(20),
    toVehicle: z.object({
      plate: text().trim().min(1).max(20),
      country: z.string().regex(/^[A-Z]{2}$/, 'must be a two-letter country code'),
    }),
  })
  .meta({ id: 'TransshipmentRegistration' });

/** The request's Idempotency-Key, which also becomes the Temporal Update id of the message it sends. */
const key = (req: Request) => req.header('Idempotency-Key') || undefined;

export function crossingRoutes(api: Api, ctx: ApiContext): void {
  const crossings = new CrossingClient(ctx.temporal, ctx.config.taskQueue, ctx.config.temporalCallTimeoutMs);

  api.route({
    method: 'post',
    path: '/v1/crossings',
    summary: 'Declare a crossing (the declaration is validated field by field; all errors at once)',
    tag: 'crossings',
    access: ['DECLARANT'],
    body: DeclarationSchema,
    responses: {
      201: {
        description: 'the crossing, started',
        schema: CrossingViewSchema,
        links: Object.fromEntries(
          [
            'getCrossingsId',
            'getCrossingsIdHistory',
            'putCrossingsIdDeclaration',
            'postCrossingsIdStepsStepDecision',
            'postCrossingsIdCancel',
            'getCrossingsIdFee',
            'getCrossingsIdDocumentsKind',
          ].map((operation) => [operation, { id: '$response.body#/id' }]),
        ),
      },
      ...problems,
    },
    repeatable: true,
    handler: async ({ body, caller, req }) => {
      const gate = await ctx.services.em.fork().findOne(GateEntity, { code: body.gate });
      if (!gate) {
        throw badRequest('The request is invalid; every field at fault is listed.', [
          { path: 'gate', message: `${body.gate} is not a known gate` },
        ]);
      }
      if (!caller.gates.includes(body.gate)) throw forbidden(`Your account does not declare at gate ${body.gate}.`);
      const view = await crossings.start(body, { accountId: caller.id, role: caller.role }, key(req));
      return { status: 201, body: crossingViewFor(caller.role, view), headers: { Location: `/v1/crossings/${view.id}` } };
    },
  });

  api.route({
    method: 'get',
    path: '/v1/crossings',
    summary: 'List crossings; for agency roles, the work queue of their step at their gates (priority first, then oldest)',
    tag: 'crossings',
    access: 'any',
    query: ListQuerySchema,
    responses: { 200: { description: 'a page of crossings', schema: CrossingListSchema }, ...problems },
    handler: async ({ query, caller }) => ({ body: await listCrossings(ctx, caller, query) }),
  });

  api.route({
    method: 'get',
    path: '/v1/crossings/{id}',
    summary:
      'One crossing, from the read model every change writes before it answers (so it agrees with the list); ?consistent=true asks its workflow',
    tag: 'crossings',
    access: 'any',
    params: IdParams,
    query: z.object({ consistent: z.enum(['true', 'false']).optional() }),
    responses: { 200: { description: 'the crossing', schema: CrossingViewSchema }, ...problems },
    handler: async ({ params, query, caller }) => {
      const row = await crossingFor(ctx, caller, params.id);
      // The workflow's own view when asked for; one whose history Temporal has let go answers from the read model.
      const view = (query.consistent === 'true' && (await crossings.view(params.id))) || row.view;
      return { body: crossingViewFor(caller.role, view) };
    },
  });

  api.route({
    method: 'put',
    path: '/v1/crossings/{id}/declaration',
    summary: 'Resubmit a returned form as a new declaration version',
    tag: 'crossings',
    access: ['DECLARANT'],
    params: IdParams,
    body: DeclarationSchema,
    responses: {
      200: { description: 'the crossing, waiting again at the step that returned the form', schema: CrossingViewSchema },
      ...problems,
    },
    repeatable: true,
    handler: async ({ params, body, caller, req }) => {
      await crossingFor(ctx, caller, params.id);
      const actor = { accountId: caller.id, role: caller.role };
      return { body: crossingViewFor(caller.role, await crossings.resubmit(params.id, body, actor, key(req))) };
    },
  });

  api.route({
    method: 'post',
    path: '/v1/crossings/{id}/steps/{step}/decision',
    summary: "An agency's decision on the step it owns: APPROVE, RETURN (reason and fields) or DENY (reason)",
    tag: 'crossings',
    access: [...AGENCY_ROLES],
    params: StepParams,
    body: DecisionSchema,
    responses: { 200: { description: 'the crossing after the decision', schema: CrossingViewSchema }, ...problems },
    repeatable: true,
    handler: async ({ params, body, caller, req }) => {
      const owner = STEP_OWNER[params.step];
      await crossingToActOn(ctx, caller, params.id, [owner]);
      if (params.step === 'fee-payment' && body.outcome === 'APPROVE' && !body.receiptNo) {
        throw badRequest('A direct payment is confirmed with its receipt number.', [
          { path: 'receiptNo', message: 'is required to approve fee-payment' },
        ]);
      }
      const actor = { accountId: caller.id, role: caller.role };
      return { body: crossingViewFor(caller.role, await crossings.decide(params.id, params.step, body, actor, key(req))) };
    },
  });

  api.route({
    method: 'post',
    path: '/v1/crossings/{id}/transshipment',
    summary: 'Register the transfer (sang tải) to a vehicle of the other side while the transshipment step waits for it',
    tag: 'crossings',
    access: ['DECLARANT'],
    params: IdParams,
    body: TransshipmentRegistrationSchema,
    responses: { 200: { description: 'the crossing, waiting for customs approval', schema: CrossingViewSchema }, ...problems },
    repeatable: true,
    handler: async ({ params, body, caller, req }) => {
      const row = await crossingFor(ctx, caller, params.id);
      const [yard] = await ctx.services.em
        .getConnection()
        .execute('select 1 from yard where gate_code = ? and code = ?', [row.gate_code, body.yardCode]);
      if (!yard)
        throw badRequest('The request is invalid; every field at fault is listed.', [
          { path: 'yardCode', message: `is not a yard of gate ${row.gate_code}` },
        ]);
      const actor = { accountId: caller.id, role: caller.role };
      return {
        body: crossingViewFor(
          caller.role,
          await crossings.registerTransshipment(params.id, body.yardCode, body.toVehicle, actor, key(req)),
        ),
      };
    },
  });

  api.route({
    method: 'post',
    path: '/v1/crossings/{id}/transshipment/complete',
    summary: 'The yard operator confirms the transfer was carried out as approved',
    tag: 'crossings',
    access: ['YARD_OPERATOR'],
    params: IdParams,
    body: z.object({ note: freeText().trim().max(1000).optional() }),
    responses: { 200: { description: 'the crossing, past transshipment', schema: CrossingViewSchema }, ...problems },
    repeatable: true,
    handler: async ({ params, body, caller, req }) => {
      await crossingFor(ctx, caller, params.id);
      const actor = { accountId: caller.id, role: caller.role };
      return { body: crossingViewFor(caller.role, await crossings.completeTransshipment(params.id, body.note, actor, key(req))) };
    },
  });

  api.route({
    method: 'post',
    path: '/v1/crossings/{id}/cancel',
    summary: 'Cancel a crossing; answers once its compensation has run',
    tag: 'crossings',
    access: ['DECLARANT', 'MANAGER'],
    params: IdParams,
    body: z.object({ reason: freeText().trim().min(1, 'is required').max(1000) }),
    responses: { 200: { description: 'the crossing, CANCELLED', schema: CrossingViewSchema }, ...problems },
    repeatable: true,
    handler: async ({ params, body, caller, req }) => {
      await crossingFor(ctx, caller, params.id);
      const actor = { accountId: caller.id, role: caller.role };
      return { body: crossingViewFor(caller.role, await crossings.cancel(params.id, body.reason, actor, key(req))) };
    },
  });

  api.route({
    method: 'post',
    path: '/v1/crossings/{id}/incident/retry',
    summary:
      "Try a crossing's failed side effect again, once its cause is fixed; answers the crossing (with a new incident if it fails again)",
    tag: 'crossings',
    access: ['ADMIN'],
    params: IdParams,
    repeatable: true,
    responses: { 200: { description: 'the crossing after the retry', schema: CrossingViewSchema }, ...problems },
    handler: async ({ params, caller, req }) => {
      await crossingFor(ctx, caller, params.id);
      const actor = { accountId: caller.id, role: caller.role };
      return { body: crossingViewFor(caller.role, await crossings.retryIncident(params.id, actor, key(req))) };
    },
  });

  api.route({
    method: 'get',
    path: '/v1/crossings/{id}/history',
    summary:
      'Every event of a crossing (submissions, decisions, deadlines, compensations) with actor and time, and every declaration version',
    tag: 'crossings',
    access: ['MANAGER', 'ADMIN', 'DECLARANT'],
    params: IdParams,
    responses: { 200: { description: 'the history', schema: z.looseObject({ items: z.array(z.looseObject({})) }) }, ...problems },
    handler: async ({ params, caller }) => {
      await crossingFor(ctx, caller, params.id);
      const conn = ctx.services.em.getConnection();
      const events = await conn.execute<Record<string, unknown>[]>(
        `select e.seq, e.at, e.type, e.step, e.data, e.actor_account_id, e.actor_role, a.username as actor_username
           from crossing_event e left join account a on a.id = e.actor_account_id
          where e.crossing_id = ? order by e.seq`,
        [params.id],
      );
      const versions = await conn.execute<Record<string, unknown>[]>(
        `select v.version, v.submitted_at, v.body, a.id as account_id, a.username
           from declaration_version v join account a on a.id = v.submitted_by
          where v.crossing_id = ? order by v.version`,
        [params.id],
      );
      return {
        body: {
          items: events.map((e) => ({
            seq: e.seq,
            at: new Date(e.at as string).toISOString(),
            type: e.type,
            step: e.step ?? null,
            actor: e.actor_account_id ? { accountId: e.actor_account_id, username: e.actor_username, role: e.actor_role } : null,
            data: e.data,
          })),
          declarationVersions: versions.map((v) => ({
            version: v.version,
            submittedAt: new Date(v.submitted_at as string).toISOString(),
            submittedBy: { accountId: v.account_id, username: v.username },
            declaration: v.body,
          })),
        },
      };
    },
  });
}
