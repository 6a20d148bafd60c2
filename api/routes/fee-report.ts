import { z } from 'zod';
import { FEE_COLLECTORS, GATE_CODE } from '../../domain/gates';
import { gateScope } from '../../domain/roles';
import { isoDate } from '../../domain/time';
import type { ApiContext } from '../context';
import type { Api } from '../route';

const ReportQuery = z.object({
  gate: z.string().regex(GATE_CODE).optional(),
  collector: z.enum(FEE_COLLECTORS).optional(),
  from: isoDate().optional(),
  to: isoDate().optional(),
});

const COLUMNS = ['day', 'collector', 'method', 'payments', 'paidVnd', 'refundedVnd', 'netVnd', 'collectorShareVnd', 'remitVnd'] as const;
const CSV_HEADER = 'day,collector,method,payments,paid_vnd,refunded_vnd,net_vnd,collector_share_vnd,remit_vnd';

/** Reconciliation for collectors, managers and admins: JSON, or CSV with `Accept: text/csv`. */
export function feeReportRoutes(api: Api, ctx: ApiContext): void {
  api.route({
    method: 'get',
    path: '/v1/fees/report',
    summary:
      'Reconciliation: totals by collector, method and day, paid and refunded, the 10 % kept and 90 % remitted (CSV with Accept: text/csv)',
    tag: 'fees',
    access: ['FEE_COLLECTOR', 'MANAGER', 'ADMIN'],
    query: ReportQuery,
    responses: { 200: { description: 'the report', schema: z.looseObject({ rows: z.array(z.looseObject({})) }) } },
    handler: async ({ query, caller, req, res }) => {
      const rows = await ctx.services.stores().fees.report({ ...query, gates: gateScope(caller) });
      if (req.accepts(['application/json', 'text/csv']) === 'text/csv') {
        res.type('text/csv').send([CSV_HEADER, ...rows.map((r) => COLUMNS.map((c) => r[c]).join(','))].join('\n') + '\n');
        return;
      }
      const total = (key: 'paidVnd' | 'refundedVnd' | 'netVnd' | 'collectorShareVnd' | 'remitVnd') => rows.reduce((s, r) => s + r[key], 0);
      return {
        body: {
          rows,
          totals: {
            paidVnd: total('paidVnd'),
            refundedVnd: total('refundedVnd'),
            netVnd: total('netVnd'),
            collectorShareVnd: total('collectorShareVnd'),
            remitVnd: total('remitVnd'),
          },
        },
      };
    },
  });
}
