import { z } from 'zod';
import { text } from '../../domain/text';
import { isoDateTime } from '../../domain/time';
import { entryOf, verifyChain, type AuditRow } from '../../infra/audit';
import { sqlOf } from '../../infra/db/orm';
import type { ApiContext } from '../context';
import type { Api } from '../route';

const AuditEntrySchema = z
  .object({
    seq: z.number().int(),
    at: z.string(),
    actor: z.string(),
    action: z.string(),
    crossingId: z.string().nullable(),
    digest: z.string(),
    prevHash: z.string(),
    hash: z.string(),
  })
  .meta({ id: 'AuditEntry' });

const AuditQuerySchema = z.object({
  crossingId: z.uuid().optional(),
  actor: text().max(100).optional(),
  from: isoDateTime().optional(),
  to: isoDateTime().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  after: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
});

export function auditRoutes(api: Api, ctx: ApiContext): void {
  api.route({
    method: 'get',
    path: '/v1/audit',
    summary: 'Audit entries, oldest first (managers see the entries of crossings at their gates)',
    tag: 'audit',
    access: ['ADMIN', 'MANAGER'],
    query: AuditQuerySchema,
    responses: {
      200: { description: 'entries', schema: z.object({ items: z.array(AuditEntrySchema), nextAfter: z.number().nullable() }) },
    },
    handler: async ({ query, caller }) => {
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (sql: string, ...values: unknown[]) => {
        where.push(sql);
        params.push(...values);
      };
      if (caller.role === 'MANAGER') {
        add(
          caller.gates.length
            ? `crossing_id in (select id from crossing where gate_code in (${caller.gates.map(() => '?').join(', ')}))`
            : 'false',
          ...caller.gates,
        );
      }
      if (query.crossingId) add('crossing_id = ?', query.crossingId);
      if (query.actor) add('actor = ?', query.actor);
      if (query.from) add('at >= ?', query.from);
      if (query.to) add('at < ?', query.to);
      if (query.after !== undefined) add('seq > ?', query.after);
      const rows = await sqlOf(ctx.services.em.fork())<AuditRow>(
        `select * from audit_entry ${where.length ? `where ${where.join(' and ')}` : ''} order by seq limit ?`,
        [...params, query.limit],
      );
      const items = rows.map(entryOf);
      return { body: { items, nextAfter: items.length === query.limit ? items[items.length - 1].seq : null } };
    },
  });

  api.route({
    method: 'get',
    path: '/v1/audit/verify',
    summary: 'Walk the whole hash chain and name the first entry that was edited or deleted',
    tag: 'audit',
    access: ['ADMIN', 'MANAGER'],
    responses: {
      200: { description: 'the verdict', schema: z.object({ ok: z.boolean(), entries: z.number(), firstBadSeq: z.number().nullable() }) },
    },
    handler: async () => ({ body: await verifyChain(sqlOf(ctx.services.em.fork())) }),
  });
}
