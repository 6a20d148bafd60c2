import { z } from 'zod';
import type { ApiContext } from '../context';
import { notFound } from '../problem';
import type { Api } from '../route';
import { signPaymentCallback } from '../payment-signature';

/**
 * A stand-in for the payment provider, mounted only outside production: it "completes" a payment by calling this
 * API's own callback exactly as the provider would (signed raw body over HTTP), so the online path can be tried by
 * hand and is exercised by the tests end to end.
 */
export function paymentSimulatorRoutes(api: Api, ctx: ApiContext): void {
  api.route({
    method: 'post',
    path: '/dev/payment-provider/payments/{paymentId}',
    summary: 'Development only: the simulated provider completes a payment and calls back',
    tag: 'development',
    access: 'public',
    params: z.object({ paymentId: z.uuid() }),
    body: z.object({
      status: z.enum(['SUCCEEDED', 'FAILED']).default('SUCCEEDED'),
      amountVnd: z.number().int().nonnegative().max(1_000_000_000_000).optional(),
      /** Send a wrong signature, to see the API refuse it. */
      forgeSignature: z.boolean().default(false),
    }),
    responses: { 200: { description: "the API's answer to the callback", schema: z.looseObject({}) } },
    handler: async ({ params, body }) => {
      const payment = await ctx.services.stores().fees.payment(params.paymentId);
      if (!payment) throw notFound('There is no payment with this id.');
      const raw = JSON.stringify({
        paymentId: params.paymentId,
        status: body.status,
        amountVnd: body.amountVnd ?? payment.amountVnd,
        providerRef: `SIM-${params.paymentId.slice(0, 8).toUpperCase()}`,
      });
      const signature = body.forgeSignature
        ? signPaymentCallback('not-the-secret', raw)
        : signPaymentCallback(ctx.secrets.paymentWebhookSecret, raw);
      const res = await fetch(`http://127.0.0.1:${ctx.config.port}/v1/payments/callback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-signature': signature },
        body: raw,
      });
      return { body: { callbackStatus: res.status, callbackAnswer: await res.json() } };
    },
  });

  api.route({
    method: 'get',
    path: '/dev/payment-provider/pay/{paymentId}',
    summary: 'Development only: the page a payUrl opens',
    tag: 'development',
    access: 'public',
    params: z.object({ paymentId: z.uuid() }),
    responses: { 200: { description: 'an HTML page', schema: z.string(), contentType: 'text/html' } },
    handler: async ({ params, res }) => {
      const payment = await ctx.services.stores().fees.payment(params.paymentId);
      if (!payment) throw notFound('There is no payment with this id.');
      res.type('text/html').send(`<!doctype html><meta charset="utf-8"><title>Payment simulator</title>
<h1>Simulated payment provider</h1><p>Payment ${params.paymentId}: ${payment.amountVnd.toLocaleString('vi-VN')} ₫ — ${payment.status}</p>
<form method="post" action="/dev/payment-provider/payments/${params.paymentId}"><button type="submit">Pay (simulated) / Thanh toán (mô phỏng)</button></form>
<p>Or POST /dev/payment-provider/payments/${params.paymentId} with {"status":"SUCCEEDED"} or {"status":"FAILED"} to call back.</p>`);
    },
  });
}
