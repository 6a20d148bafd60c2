import type { Request } from 'express';
import { z } from 'zod';
import { CancelRequestSchema, TransshipmentCompletionSchema } from '../../domain/crossing-messages';
import { DecisionSchema } from '../../domain/decision';
import { CustomsChannelRequestSchema } from '../../domain/gate-floor';
import { decisionProblem } from '../../domain/decision-rules';
import { TransshipmentRegistrationSchema } from '../../domain/transshipment';
import { DeclarationSchema } from '../../domain/declaration';
import { AGENCY_ROLES, ROLES, servesGate } from '../../domain/roles';
import { DECISION_STEPS, STEP_OWNER } from '../../domain/steps';
import { UnknownReference } from '../../domain/errors';
import type { ApiContext } from '../context';
import { CROSSING_READERS, CrossingViewSchema, crossingViewFor, TRACK_READERS } from '../../domain/data-views';
import type { QueuePlace } from '../../domain/queue';
import { crossingFor, crossingToActOn } from '../crossing-access';
import { CrossingClient } from '../crossing-client';
import { forbidden, invalidFields } from '../problem';
import type { Api, Caller } from '../route';
import { trackingSummaryOf } from '../../infra/db/stores/tracking';
import { IdParams, ProblemSchema } from '../schemas';
import { listCrossings, ListQuerySchema, CrossingListSchema } from './crossing-list';

const problems = {
  400: { description: 'invalid request', schema: ProblemSchema },
  403: { description: 'not your role or gate', schema: ProblemSchema },
  404: { description: 'no such crossing', schema: ProblemSchema },
  409: { description: 'does not fit the crossing now', schema: ProblemSchema },
};

const StepParams = IdParams.extend({ step: z.enum(DECISION_STEPS) });

/** The request's Idempotency-Key, which also becomes the Temporal Update id of the message it sends. */
const key = (req: Request) => req.header('Idempotency-Key') || undefined;

/** A crossing's history as `GET …/history` answers it: every event with its actor, and every declaration version. */
const HistorySchema = z
  .object({
    items: z.array(
      z.object({
        seq: z.number().int(),
        at: z.string(),
        type: z.string(),
        step: z.string().nullable(),
        actor: z.object({ accountId: z.string(), username: z.string().nullable(), role: z.enum(ROLES).nullable() }).nullable(),
        data: z.record(z.string(), z.unknown()),
      }),
    ),
    declarationVersions: z.array(
      z.object({
        version: z.number().int(),
        submittedAt: z.string(),
        submittedBy: z.object({ accountId: z.string(), username: z.string() }),
        declaration: z.record(z.string(), z.unknown()),
      }),
    ),
  })
  .meta({ id: 'CrossingHistory' });

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
    openGate: (body) => body.gate,
    handler: async ({ body, caller, req }) => {
      const gate = caller.opened?.gate?.row;
      if (!gate) throw new UnknownReference('gate', `${body.gate} is not a known gate`);
      if (!servesGate(caller, body.gate)) throw forbidden(`Your account does not declare at gate ${body.gate}.`);
      const queued = gate.queued;
      const view = await crossings.start(body, { accountId: caller.id, role: caller.role }, key(req), { queued });
      return {
        status: 201,
        body: crossingViewFor(caller.role, await withQueuePlace(ctx, view)),
        headers: { Location: `/v1/crossings/${view.id}` },
      };
    },
  });

  api.route({
    method: 'get',
    path: '/v1/crossings',
    summary: 'List crossings; for agency roles, the work queue of their step at their gates (priority first, then oldest)',
    tag: 'crossings',
    access: [...CROSSING_READERS],
    query: ListQuerySchema,
    // Polled every second by every officer's work queue: one round trip, the token checked in the list's statement.
    claimsRead: true,
    responses: { 200: { description: 'a page of crossings', schema: CrossingListSchema }, ...problems },
    handler: async ({ query, caller }) => ({ body: await listCrossings(ctx, caller, query) }),
  });

  api.route({
    method: 'get',
    path: '/v1/crossings/{id}',
    summary:
      'One crossing, from the read model every change writes before it answers (so it agrees with the list); ?consistent=true asks its workflow',
    tag: 'crossings',
    access: [...CROSSING_READERS],
    params: IdParams,
    query: z.object({ consistent: z.enum(['true', 'false']).optional() }),
    responses: { 200: { description: 'the crossing', schema: CrossingViewSchema }, ...problems },
    handler: async ({ params, query, caller }) => {
      const row = await crossingFor(ctx, caller, params.id);
      // The workflow's own view when asked for; one whose history Temporal has let go answers from the read model.
      const view = (query.consistent === 'true' && (await crossings.view(params.id))) || row.view;
      return { body: crossingViewFor(caller.role, await withTracking(ctx, caller, await withQueuePlace(ctx, view))) };
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
      const problem = decisionProblem(params.step, body);
      if (problem) throw invalidFields([{ path: problem.path, message: problem.message }]);
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
      await ctx.services.stores().gates.requireYard(row.gate_code, body.yardCode);
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
    body: TransshipmentCompletionSchema,
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
    path: '/v1/crossings/{id}/customs-channel',
    summary:
      "Customs' channel for the declaration: GREEN passes customs-inspection as a system decision, YELLOW and RED wait for an officer (RED until set)",
    tag: 'crossings',
    access: ['CUSTOMS_OFFICER'],
    params: IdParams,
    body: CustomsChannelRequestSchema,
    responses: { 200: { description: 'the crossing with its channel', schema: CrossingViewSchema }, ...problems },
    repeatable: true,
    handler: async ({ params, body, caller, req }) => {
      await crossingToActOn(ctx, caller, params.id, ['CUSTOMS_OFFICER']);
      const actor = { accountId: caller.id, role: caller.role };
      return {
        body: crossingViewFor(caller.role, await crossings.setCustomsChannel(params.id, body.channel, body.source, actor, key(req))),
      };
    },
  });

  api.route({
    method: 'post',
    path: '/v1/crossings/{id}/cancel',
    summary: 'Cancel a crossing; answers once its compensation has run',
    tag: 'crossings',
    access: ['DECLARANT', 'MANAGER'],
    params: IdParams,
    body: CancelRequestSchema,
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
    responses: { 200: { description: 'the history', schema: HistorySchema }, ...problems },
    handler: async ({ params, caller }) => {
      await crossingFor(ctx, caller, params.id);
      return { body: await ctx.services.stores().readModel.history(params.id) };
    },
  });
}

/**
 * A crossing waiting for its call, with where it stands now: its position and estimated call are the queue's and
 * change with every call at the gate, so they are read from it, never kept in the view.
 */
async function withQueuePlace<V extends { id: string; queue?: QueuePlace | null }>(ctx: ApiContext, view: V): Promise<V> {
  if (view.queue?.status !== 'WAITING' && view.queue?.status !== 'NO_SHOW') return view;
  const place = await ctx.services.stores().queue.placeOf(view.id);
  return place ? { ...view, queue: { ...view.queue, ...place } } : view;
}

/** The truck's latest position on the approach, for the roles that may read it (the phone's, never the workflow's). */
async function withTracking<V extends { id: string; tracking?: unknown }>(ctx: ApiContext, caller: Caller, view: V): Promise<V> {
  if (!TRACK_READERS.includes(caller.role)) return view;
  // Read with the crossing by the request's opening statement, when it was.
  const opened = caller.opened?.crossing?.id === view.id ? caller.opened.crossing.row : undefined;
  const track = opened ? opened.track && trackingSummaryOf(opened.track) : await ctx.services.stores().tracking.summaryOf(view.id);
  return { ...view, tracking: track ?? null };
}
