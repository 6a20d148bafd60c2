import { z } from 'zod';
import type { ApiContext } from '../context';
import { crossingFor } from '../crossing-access';
import { INVOICE_READERS } from '../../domain/data-views';
import { notFound } from '../problem';
import type { Api } from '../route';
import { IdParams, ProblemSchema } from '../schemas';

/** A crossing's invoice, issued by its workflow when the fee step opens, with its payments. */
export function invoiceRoutes(api: Api, ctx: ApiContext): void {
  api.route({
    method: 'get',
    path: '/v1/crossings/{id}/fee',
    summary: 'The invoice of a crossing: items, amount, collector, payments',
    tag: 'fees',
    access: INVOICE_READERS,
    params: IdParams,
    responses: {
      200: { description: 'the invoice', schema: z.looseObject({ amountVnd: z.number() }) },
      404: { description: 'no invoice yet', schema: ProblemSchema },
    },
    handler: async ({ params, caller }) => {
      await crossingFor(ctx, caller, params.id);
      const fees = ctx.services.stores().fees;
      const invoice = await fees.invoice(params.id);
      if (!invoice) throw notFound('This crossing has no invoice yet: it is issued when the fee step opens.');
      return { body: { crossingId: params.id, ...invoice, payments: await fees.payments(params.id) } };
    },
  });
}
