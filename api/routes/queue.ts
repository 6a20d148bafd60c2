import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { CATEGORIES } from '../../domain/category';
import { DIRECTIONS } from '../../domain/declaration';
import { QUEUE_STATUSES } from '../../domain/queue';
import { AGENCY_ROLES, servesGate } from '../../domain/roles';
import { freeText } from '../../domain/text';
import { isoDateTime } from '../../domain/time';
import { storesOver } from '../../infra/db/stores';
import type { ApiContext } from '../context';
import { conflict, notFound } from '../problem';
import { wakeQueue } from '../queue-wake';
import { wakeSubscribers } from '../webhook-wake';
import type { Api, Caller } from '../route';
import { ClosureSchema, GateSchema, ProblemSchema, GateParams } from '../schemas';

/**
 * The virtual queue's HTTP surface (API.md, "The virtual queue"): a gate's queue in call order, and the manager's
 * closure and reopening. The calls themselves are the dispatcher's (workflows/queue-dispatcher.ts).
 */

const QueueEntrySchema = z
  .object({
    crossingId: z.string(),
    direction: z.enum(DIRECTIONS),
    plate: z.string(),
    category: z.enum(CATEGORIES),
    priority: z.boolean(),
    status: z.enum(QUEUE_STATUSES),
    /** 1 is called next; null once called. */
    position: z.number().int().nullable(),
    joinedAt: z.string(),
    calledAt: z.string().nullable(),
    arriveBy: z.string().nullable(),
    /** From the calls of the last hour; null when there were none, or the gate is closed with no reopening given. */
    estimatedCallAt: z.string().nullable(),
    noShows: z.number().int(),
  })
  .meta({ id: 'QueueEntry' });

const GateQueueSchema = z
  .object({
    gate: z.string(),
    /** False where the gate keeps no queue: every crossing may come at once, and `entries` is empty. */
    keepsQueue: z.boolean(),
    open: z.boolean(),
    closure: ClosureSchema.nullable(),
    entries: z.array(QueueEntrySchema),
  })
  .meta({ id: 'GateQueue' });

const ClosureRequestSchema = z
  .object({
    reason: freeText().trim().min(1, 'is required').max(500),
    expectedReopenAt: isoDateTime()
      .refine((at) => Date.parse(at) > Date.now(), 'must be in the future')
      .nullish(),
  })
  .strict()
  .meta({ id: 'ClosureRequest' });

const problems = {
  400: { description: 'invalid request', schema: ProblemSchema },
  404: { description: 'no such gate among those the account serves', schema: ProblemSchema },
  409: { description: 'does not fit now', schema: ProblemSchema },
};

export function queueRoutes(api: Api, ctx: ApiContext): void {
  api.route({
    method: 'get',
    path: '/v1/gates/{code}/queue',
    summary: "A gate's queue in call order: called and arrived trucks first, then the waiting ones by position, with estimated calls",
    tag: 'queue',
    access: ['MANAGER', 'ADMIN', 'DECLARANT', ...AGENCY_ROLES],
    params: GateParams,
    query: z.object({ direction: z.enum(DIRECTIONS).optional() }),
    responses: { 200: { description: "the gate's queue (a declarant sees its own trucks only)", schema: GateQueueSchema }, ...problems },
    handler: async ({ params, query, caller }) => {
      // A gate the account does not serve is, to it, no gate at all (like a crossing there).
      if (!servesGate(caller, params.code)) throw notFound(`No gate ${params.code} among the gates you serve.`);
      const listed = await ctx.services.stores().queue.list(params.code, query.direction);
      if (!listed) throw notFound(`No gate ${params.code}.`);
      const { queue, entries } = listed;
      const seen = caller.role === 'DECLARANT' ? entries.filter((e) => e.companyTaxCode === caller.companyTaxCode) : entries;
      return {
        body: {
          gate: queue.gate,
          keepsQueue: queue.settings !== null,
          open: queue.closure === null,
          closure: queue.closure && {
            reason: queue.closure.reason,
            expectedReopenAt: queue.closure.expectedReopenAt,
            closedAt: queue.closure.closedAt,
          },
          entries: seen.map(({ companyTaxCode: _company, ...entry }) => entry),
        },
      };
    },
  });

  api.route({
    method: 'post',
    path: '/v1/gates/{code}/closure',
    summary: 'Close a gate with a reason and an expected reopening: calls stop, and every truck queued or called is told by SMS',
    tag: 'queue',
    access: ['MANAGER'],
    params: GateParams,
    body: ClosureRequestSchema,
    responses: { 200: { description: 'the gate, closed', schema: GateSchema }, ...problems },
    handler: async ({ params, body, caller }) => {
      await requireServedGate(ctx, caller, params.code);
      const gate = await ctx.services.stores().em.transactional(async (tx) => {
        const inTx = storesOver(tx);
        // The audit entry first: every writer takes the audit chain's lock before any queue entry's (a crossing's
        // write, a guard's link), so none waits for another in a circle. A refusal rolls it back with the rest.
        await inTx.audit.append([
          {
            at: new Date(),
            actor: caller.id,
            action: 'GATE_CLOSED',
            details: { gate: params.code, reason: body.reason, expectedReopenAt: body.expectedReopenAt ?? null },
          },
        ]);
        const closure = await inTx.queue.close(params.code, body, randomUUID(), caller.id);
        if (!closure) {
          const current = (await inTx.queue.gateQueue(params.code))?.closure;
          throw conflict(`Gate ${params.code} is already closed, since ${current?.closedAt ?? 'earlier'}: ${current?.reason ?? ''}`.trim());
        }
        const told = await inTx.webhooks.enqueueGateEvent({
          source: `closure:${closure.id}:closed`,
          event: 'gate.closed',
          gate: params.code,
          at: new Date(closure.closedAt),
          data: {
            gate: params.code,
            open: false,
            closure: { reason: closure.reason, expectedReopenAt: closure.expectedReopenAt, closedAt: closure.closedAt },
          },
        });
        return { gate: (await inTx.gates.list(params.code))[0], told };
      });
      // The dispatchers sleep until told: they tell the trucks whose calls were withdrawn (not waited for).
      void wakeQueue(ctx, params.code);
      void wakeSubscribers(ctx, gate.told);
      return { body: gate.gate };
    },
  });

  api.route({
    method: 'delete',
    path: '/v1/gates/{code}/closure',
    summary: 'Reopen a closed gate: calls resume in order, and everyone queued or called is told',
    tag: 'queue',
    access: ['MANAGER'],
    params: GateParams,
    responses: { 200: { description: 'the gate, open', schema: GateSchema }, ...problems },
    handler: async ({ params, caller }) => {
      await requireServedGate(ctx, caller, params.code);
      const gate = await ctx.services.stores().em.transactional(async (tx) => {
        const inTx = storesOver(tx);
        await inTx.audit.append([{ at: new Date(), actor: caller.id, action: 'GATE_REOPENED', details: { gate: params.code } }]);
        const closure = await inTx.queue.reopen(params.code, caller.id);
        if (!closure) throw conflict(`Gate ${params.code} is not closed.`);
        const told = await inTx.webhooks.enqueueGateEvent({
          source: `closure:${closure.id}:reopened`,
          event: 'gate.reopened',
          gate: params.code,
          at: new Date(),
          data: { gate: params.code, open: true, closure: null },
        });
        return { gate: (await inTx.gates.list(params.code))[0], told };
      });
      void wakeQueue(ctx, params.code);
      void wakeSubscribers(ctx, gate.told);
      return { body: gate.gate };
    },
  });
}

async function requireServedGate(ctx: ApiContext, caller: Caller, code: string): Promise<void> {
  if (!servesGate(caller, code)) throw notFound(`No gate ${code} among the gates you serve.`);
  await ctx.services
    .stores()
    .gates.requireGate(code)
    .catch(() => {
      throw notFound(`No gate ${code}.`);
    });
}
