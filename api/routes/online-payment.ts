import { z } from 'zod';
import type { ApiContext } from '../context';
import { crossingToActOn } from '../crossing-access';
import { conflict } from '../problem';
import type { Api } from '../route';
import { IdParams, ProblemSchema } from '../schemas';

/** The declarant starts paying the fee online; the provider calls back (payment-callback.ts). */
export function onlinePaymentRoutes(api: Api, ctx: ApiContext): void {
  api.route({
    method: 'post',
    path: '/v1/crossings/{id}/fee/online-payment',
    summary: 'Start paying the fee online; a second call returns the payment still open',
    tag: 'fees',
    access: ['DECLARANT'],
    params: IdParams,
    responses: {
      201: {
        description: 'the payment to complete at the provider',
        schema: z.object({ paymentId: z.string(), amountVnd: z.number(), payUrl: z.string() }),
      },
      409: { description: 'no fee due now', schema: ProblemSchema },
    },
    // A repeat returns the payment still open.
    repeatable: true,
    handler: async ({ params, caller }) => {
      await crossingToActOn(ctx, caller, params.id, ['DECLARANT']);
      const open = await ctx.services.stores().fees.openOnlinePayment(params.id);
      if (!open) throw conflict('No fee is due on this crossing now.');
      const payUrl = `${ctx.config.publicUrl}/dev/payment-provider/pay/${open.id}`;
      return { status: 201, body: { paymentId: open.id, amountVnd: open.amountVnd, payUrl } };
    },
  });
}
