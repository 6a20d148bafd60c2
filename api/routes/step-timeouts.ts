import { z } from 'zod';
import { crossingsGovernedBy, type PolicyChange } from '../../activities/policy-fanout';
import { StepTimeoutChangeSchema } from '../../domain/step-timeouts';
import { appendAudit } from '../../infra/audit';
import { GateSchema as GateEntity } from '../../infra/db/entities/gate';
import { sqlOf } from '../../infra/db/orm';
import type { deadlinePolicyFanOut } from '../../workflows/policy-fanout';
import type { ApiContext } from '../context';
import { badRequest } from '../problem';
import type { Api } from '../route';
import { ProblemSchema } from '../schemas';

const PolicySchema = z
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
  .meta({ id: 'StepTimeoutPolicy' });

interface Row {
  gate: string;
  category: string;
  step: string;
  sla: string;
  expire_after: string;
  version: number;
  updated_by: string | null;
  updated_at: Date | string;
}

const toPolicy = (r: Row) => ({
  gate: r.gate,
  category: r.category,
  step: r.step,
  sla: r.sla,
  expireAfter: r.expire_after,
  version: r.version,
  updatedBy: r.updated_by,
  updatedAt: new Date(r.updated_at).toISOString(),
});

/**
 * Admins edit step deadlines while crossings run. A change is kept as a new version (every version stays in the
 * history table, with who and when), audited, and carried to the running crossings it governs by a workflow of its
 * own, started before the answer: reaching them does not depend on this process staying up.
 */
export function stepTimeoutRoutes(api: Api, ctx: ApiContext): void {
  api.route({
    method: 'get',
    path: '/v1/admin/step-timeouts',
    summary: 'Every step deadline policy row in force',
    tag: 'admin',
    access: ['ADMIN', 'MANAGER'],
    responses: { 200: { description: 'the rows', schema: z.array(PolicySchema) } },
    handler: async () => {
      const rows = await sqlOf(ctx.services.em.fork())<Row>('select * from step_timeout_policy order by step, gate, category');
      return { body: rows.map(toPolicy) };
    },
  });

  api.route({
    method: 'get',
    path: '/v1/admin/step-timeouts/history',
    summary: 'Every version of every step deadline policy row, newest first',
    tag: 'admin',
    access: ['ADMIN'],
    responses: { 200: { description: 'the versions', schema: z.array(PolicySchema) } },
    handler: async () => {
      const rows = await sqlOf(ctx.services.em.fork())<Row>('select * from step_timeout_policy_version order by updated_at desc, id desc');
      return { body: rows.map(toPolicy) };
    },
  });

  api.route({
    method: 'put',
    path: '/v1/admin/step-timeouts',
    summary: 'Set the deadlines of a step for a gate and category (or *); running crossings waiting there take the change',
    tag: 'admin',
    access: ['ADMIN'],
    body: StepTimeoutChangeSchema,
    responses: {
      200: {
        description: 'the new row and how many running crossings it reaches',
        schema: z.object({ policy: PolicySchema, affectedRunning: z.number().int() }),
      },
      400: { description: 'invalid durations, gate or step', schema: ProblemSchema },
    },
    handler: async ({ body, caller }) => {
      const em = ctx.services.em.fork();
      if (body.gate !== '*' && !(await em.findOne(GateEntity, { code: body.gate }))) {
        throw badRequest('The request is invalid; every field at fault is listed.', [
          { path: 'gate', message: `${body.gate} is not a known gate` },
        ]);
      }
      const now = new Date();
      const row = await em.transactional(async (tx) => {
        const sql = sqlOf(tx);
        const [saved] = await sql<Row>(
          `insert into step_timeout_policy (gate, category, step, sla, expire_after, version, updated_by, updated_at)
           values (?, ?, ?, ?, ?, 1, ?, ?)
           on conflict (gate, category, step) do update set sla = excluded.sla, expire_after = excluded.expire_after,
             version = step_timeout_policy.version + 1, updated_by = excluded.updated_by, updated_at = excluded.updated_at
           returning *`,
          [body.gate, body.category, body.step, body.sla, body.expireAfter, caller.id, now],
        );
        await sql(
          `insert into step_timeout_policy_version (gate, category, step, sla, expire_after, version, updated_by, updated_at)
           values (?, ?, ?, ?, ?, ?, ?, ?)`,
          [saved.gate, saved.category, saved.step, saved.sla, saved.expire_after, saved.version, caller.id, now],
        );
        await appendAudit(sql, [{ at: now, actor: caller.id, action: 'STEP_TIMEOUT_CHANGED', details: toPolicy(saved) }]);
        return saved;
      });

      const change: PolicyChange = {
        gate: body.gate,
        category: body.category,
        step: body.step,
        version: row.version,
        changedBy: caller.id,
        changedAt: now.toISOString(),
      };
      const affected = await crossingsGovernedBy(ctx.services, change);
      // One fan-out per policy version: a retried request starts nothing twice.
      await ctx.temporal.workflow.start<typeof deadlinePolicyFanOut>('deadlinePolicyFanOut', {
        workflowId: `policy-fanout-${body.step}-${body.gate}-${body.category}-v${row.version}`,
        taskQueue: ctx.config.taskQueue,
        args: [change],
        workflowIdConflictPolicy: 'USE_EXISTING',
      });
      return { body: { policy: toPolicy(row), affectedRunning: affected.length } };
    },
  });
}
