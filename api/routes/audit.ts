import { z } from 'zod';
import { text } from '../../domain/text';
import { isoDateTime } from '../../domain/time';
import { gateScope } from '../../domain/roles';
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
      const items = await ctx.services.stores().audit.list({ ...query, gates: gateScope(caller) });
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
    handler: async () => ({ body: await ctx.services.stores().audit.verify() }),
  });
}
