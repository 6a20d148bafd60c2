import { z } from 'zod';
import { CrossingEnded, CrossingRejected } from '../../domain/errors';
import { PAYMENT_PROVIDER_ACCOUNT_ID } from '../../domain/system-accounts';
import { text } from '../../domain/text';
import type { ApiContext } from '../context';
import { CrossingClient } from '../crossing-client';
import { checkPaymentSignature } from '../payment-signature';
import { notFound } from '../problem';
import type { Api } from '../route';
import { ProblemSchema } from '../schemas';

const CallbackSchema = z
  .object({
    paymentId: z.uuid(),
    status: z.enum(['SUCCEEDED', 'FAILED']),
    amountVnd: z.number().int().nonnegative().max(1_000_000_000_000),
    providerRef: text().trim().min(1).max(100),
  })
  .meta({ id: 'PaymentCallback' });

/**
 * The payment provider's callback. It is checked (signature over the raw body), settled in PostgreSQL once, and passed
 * to the crossing as an Update whose id is the payment's, so a repeated callback has one effect however often it comes.
 */
export function paymentCallbackRoutes(api: Api, ctx: ApiContext, secret: string): void {
  const crossings = new CrossingClient(ctx.temporal, ctx.config.taskQueue, ctx.config.temporalCallTimeoutMs);
  api.route({
    method: 'post',
    path: '/v1/payments/callback',
    summary: "The payment provider's callback, signed: X-Signature: sha256=<hex HMAC of the raw body>",
    tag: 'fees',
    access: 'public',
    before: (req) => checkPaymentSignature(secret, req),
    body: CallbackSchema,
    responses: {
      200: { description: 'settled (also on a repeat)', schema: z.looseObject({ status: z.string() }) },
      401: { description: 'bad signature', schema: ProblemSchema },
    },
    handler: async ({ body }) => {
      const actor = { accountId: PAYMENT_PROVIDER_ACCOUNT_ID, role: 'FEE_COLLECTOR' as const };
      const fees = ctx.services.stores().fees;
      const outcome = await fees.settle(body, actor.accountId);
      if (!outcome) throw notFound('There is no payment with this id.');
      if (outcome.status === 'SUCCEEDED') {
        // Also on a repeat: if the first delivery settled the payment but did not reach the crossing, this does.
        try {
          await crossings.confirmPayment(outcome.payment.crossingId, body.paymentId, body.providerRef, outcome.payment.amountVnd, actor);
        } catch (err) {
          if (!(err instanceof CrossingRejected || err instanceof CrossingEnded)) throw err;
          // A repeat of a payment the crossing took, which has moved on or ended since: nothing to undo.
          if (await fees.takenByCrossing(body.paymentId)) {
            return { body: { paymentId: body.paymentId, status: outcome.status, repeated: outcome.repeated } };
          }
          // The crossing can no longer take it (it ended, or was paid otherwise, meanwhile): the money goes back.
          await fees.refundPayment(body.paymentId, actor.accountId);
          return { body: { paymentId: body.paymentId, status: 'REFUNDED', detail: err.message } };
        }
      }
      return { body: { paymentId: body.paymentId, status: outcome.status, repeated: outcome.repeated } };
    },
  });
}
