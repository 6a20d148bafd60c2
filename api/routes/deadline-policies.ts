import { z } from 'zod';
import type { DeadlinePolicyEdit } from '../../domain/deadline-policy';
import { DeadlinePolicyChangeSchema } from '../../domain/deadline-policy-change';
import type { deadlinePolicyFanOut } from '../../workflows/deadline-policy-fanout';
import type { ApiContext } from '../context';
import { outcomeUnknown, toApiError } from '../problem';
import type { Api } from '../route';
import { ProblemSchema } from '../schemas';

const DeadlinePolicySchema = z
  .object({
    gate: z.string(),
    category: z.string(),
    step: z.string(),
    sla: z.string(),
    expireAfter: z.string(),
    version: z.number().int(),
    updatedBy: z.string().nullable(),
    updatedAt: z.string(),
  })
  .meta({ id: 'DeadlinePolicy' });

/**
 * Admins edit step deadlines while crossings run (the contract calls them step timeouts). A change is kept as a new
 * version (every version stays in the history, with who and when), audited, and carried to the running crossings it
 * governs by a workflow of its own, started before the answer: reaching them does not depend on this process.
 */
export function deadlinePolicyRoutes(api: Api, ctx: ApiContext): void {
  api.route({
    method: 'get',
    path: '/v1/admin/step-timeouts',
    summary: 'Every step deadline policy row in force',
    tag: 'admin',
    access: ['ADMIN', 'MANAGER'],
    responses: { 200: { description: 'the rows', schema: z.array(DeadlinePolicySchema) } },
    handler: async () => ({ body: await ctx.services.stores().deadlinePolicies.list() }),
  });

  api.route({
    method: 'get',
    path: '/v1/admin/step-timeouts/history',
    summary: 'Every version of every step deadline policy row, newest first',
    tag: 'admin',
    access: ['ADMIN'],
    responses: { 200: { description: 'the versions', schema: z.array(DeadlinePolicySchema) } },
    handler: async () => ({ body: await ctx.services.stores().deadlinePolicies.history() }),
  });

  api.route({
    method: 'put',
    path: '/v1/admin/step-timeouts',
    summary: 'Set the deadlines of a step for a gate and category (or *); running crossings waiting there take the change',
    tag: 'admin',
    access: ['ADMIN'],
    body: DeadlinePolicyChangeSchema,
    // Setting what is already in force keeps its version, and the fan-out of a version is started once.
    repeatable: true,
    responses: {
      200: {
        description: 'the new row and how many running crossings it reaches',
        schema: z.object({ policy: DeadlinePolicySchema, affectedRunning: z.number().int() }),
      },
      400: { description: 'invalid durations, gate or step', schema: ProblemSchema },
    },
    handler: async ({ body, caller }) => {
      const stores = ctx.services.stores();
      if (body.gate !== '*') await stores.gates.requireGate(body.gate);
      const now = new Date();
      const row = await stores.deadlinePolicies.set(body, caller.id, now);
      const change: DeadlinePolicyEdit = {
        gate: body.gate,
        category: body.category,
        step: body.step,
        version: row.version,
        changedBy: caller.id,
        changedAt: now.toISOString(),
      };
      try {
        const affectedRunning = await stores.deadlinePolicies.countGoverned(change);
        // One fan-out per policy version: a retried request starts nothing twice.
        await ctx.temporal.workflow.start<typeof deadlinePolicyFanOut>('deadlinePolicyFanOut', {
          workflowId: `policy-fanout-${body.step}-${body.gate}-${body.category}-v${row.version}`,
          taskQueue: ctx.config.taskQueue,
          args: [change],
          workflowIdConflictPolicy: 'USE_EXISTING',
        });
        return { body: { policy: row, affectedRunning } };
      } catch (err) {
        // The row is saved; whether running crossings heard of it is not known. The same PUT again finishes the work.
        if (toApiError(err).status === 503) throw outcomeUnknown(err);
        throw err;
      }
    },
  });
}
