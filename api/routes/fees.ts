import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { z } from 'zod';
import { GATE_CODE, FEE_COLLECTORS } from '../../domain/gates';
import { GOODS_KINDS, VEHICLE_KINDS } from '../../domain/fee-tariff';
import { PAYMENT_PROVIDER_ACCOUNT_ID } from '../../domain/system-accounts';
import { text } from '../../domain/text';
import { isoDate } from '../../domain/time';
import { appendAudit } from '../../infra/audit';
import { sqlOf } from '../../infra/db/orm';
import type { ApiContext } from '../context';
import { crossingFor, crossingToActOn } from '../crossing-access';
import { INVOICE_READERS } from '../data-views';
import { CrossingClient } from '../crossing-client';
import { ApiError, badRequest, conflict, notFound, unauthorized } from '../problem';
import type { Api } from '../route';
import { IdParams, ProblemSchema } from '../schemas';

/**
 * Fees and payments. The invoice is computed by the workflow's activity when the fee step opens; here it is read,
 * paid online (the provider calls back with an HMAC-signed body), and reconciled. A callback is checked, settled in
 * PostgreSQL once, and passed to the crossing as an Update whose id is the payment's, so a repeated callback has
 * one effect however often it comes.
 */
/** Resolved once at start-up (api/main.ts): from the environment, or generated into the data folder in development. */
export function paymentWebhookSecret(ctx: ApiContext): string {
  if (!ctx.config.paymentWebhookSecret) throw new Error('the payment webhook secret was not resolved at start-up');
  return ctx.config.paymentWebhookSecret;
}

export function signPaymentCallback(secret: string, raw: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
}

const CallbackSchema = z
  .object({
    paymentId: z.uuid(),
    status: z.enum(['SUCCEEDED', 'FAILED']),
    amountVnd: z.number().int().nonnegative().max(1_000_000_000_000),
    providerRef: text().trim().min(1).max(100),
  })
  .meta({ id: 'PaymentCallback' });

const ReportQuery = z.object({
  gate: z.string().regex(GATE_CODE).optional(),
  collector: z.enum(FEE_COLLECTORS).optional(),
  from: isoDate().optional(),
  to: isoDate().optional(),
});

const RateSchema = z
  .object({
    gate: z.union([z.literal('*'), z.string().regex(GATE_CODE, 'must be a gate code or *')]),
    direction: z.enum(['*', 'EXPORT', 'IMPORT']),
    vehicleKind: z.enum(VEHICLE_KINDS),
    goodsKind: z.enum(GOODS_KINDS),
    amountVnd: z.number().int().nonnegative().max(1_000_000_000),
  })
  .meta({ id: 'FeeRate' });

interface PaymentRow {
  id: string;
  crossing_id: string;
  amount_vnd: string;
  status: string;
}

export function feeRoutes(api: Api, ctx: ApiContext): void {
  const crossings = new CrossingClient(ctx.temporal, ctx.config.taskQueue, ctx.config.temporalCallTimeoutMs);
  const sql = () => sqlOf(ctx.services.em.fork());

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
      const [invoice] = await sql()<Record<string, unknown>>('select * from fee_invoice where crossing_id = ?', [params.id]);
      if (!invoice) throw notFound('This crossing has no invoice yet: it is issued when the fee step opens.');
      const payments = await sql()<Record<string, unknown>>(
        'select id, method, amount_vnd, status, receipt_no, provider_ref, created_at, paid_at, refunded_at from fee_payment where crossing_id = ? order by created_at',
        [params.id],
      );
      return {
        body: {
          crossingId: params.id,
          collector: invoice.collector,
          items: invoice.items,
          amountVnd: Number(invoice.amount_vnd),
          collectorShareVnd: Number(invoice.collector_share_vnd),
          remitVnd: Number(invoice.remit_vnd),
          status: invoice.status,
          issuedAt: new Date(invoice.issued_at as string).toISOString(),
          payments: payments.map((p) => ({
            paymentId: p.id,
            method: p.method,
            amountVnd: Number(p.amount_vnd),
            status: p.refunded_at ? 'REFUNDED' : p.status,
            receiptNo: p.receipt_no ?? p.provider_ref ?? null,
            paidAt: p.paid_at ? new Date(p.paid_at as string).toISOString() : null,
          })),
        },
      };
    },
  });

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
    repeatable: true,
    handler: async ({ params, caller }) => {
      await crossingToActOn(ctx, caller, params.id, ['DECLARANT']);
      const [row] = await sql()<{ status: string; amount_vnd: string; current_step: string | null }>(
        'select i.status, i.amount_vnd, c.current_step from fee_invoice i join crossing c on c.id = i.crossing_id where i.crossing_id = ?',
        [params.id],
      );
      if (!row || row.status !== 'DUE' || row.current_step !== 'fee-payment') throw conflict('No fee is due on this crossing now.');
      const id = randomUUID();
      await sql()(
        `insert into fee_payment (id, crossing_id, method, amount_vnd, status) values (?, ?, 'ONLINE', ?, 'PENDING') on conflict do nothing`,
        [id, params.id, row.amount_vnd],
      );
      const [open] = await sql()<{ id: string; amount_vnd: string }>(
        `select id, amount_vnd from fee_payment where crossing_id = ? and method = 'ONLINE' and status = 'PENDING'`,
        [params.id],
      );
      const payUrl = `${ctx.config.publicUrl}/dev/payment-provider/pay/${open.id}`;
      return { status: 201, body: { paymentId: open.id, amountVnd: Number(open.amount_vnd), payUrl } };
    },
  });

  api.route({
    method: 'post',
    path: '/v1/payments/callback',
    summary: "The payment provider's callback, signed: X-Signature: sha256=<hex HMAC of the raw body>",
    tag: 'fees',
    access: 'public',
    // The signature is checked before anything else about the request: a forged call learns nothing.
    before: (req) => checkSignature(ctx, req),
    body: CallbackSchema,
    responses: {
      200: { description: 'settled (also on a repeat)', schema: z.looseObject({ status: z.string() }) },
      401: { description: 'bad signature', schema: ProblemSchema },
    },
    handler: async ({ body }) => {
      const actor = { accountId: PAYMENT_PROVIDER_ACCOUNT_ID, role: 'FEE_COLLECTOR' as const };
      const outcome = await ctx.services.em.fork().transactional(async (tx) => {
        const q = sqlOf(tx);
        const [payment] = await q<PaymentRow>('select id, crossing_id, amount_vnd, status from fee_payment where id = ? for update', [
          body.paymentId,
        ]);
        if (!payment) throw notFound('There is no payment with this id.');
        if (payment.status !== 'PENDING') return { payment, status: payment.status, repeated: true };
        const status = body.status === 'FAILED' ? 'FAILED' : body.amountVnd === Number(payment.amount_vnd) ? 'SUCCEEDED' : 'DISPUTED';
        await q(
          `update fee_payment set status = ?, provider_ref = ?, reported_amount_vnd = ?, paid_at = case when ? = 'SUCCEEDED' then now() end where id = ?`,
          [status, body.providerRef, body.amountVnd, status, payment.id],
        );
        await appendAudit(q, [
          {
            at: new Date(),
            actor: actor.accountId,
            action: `PAYMENT_${status}`,
            crossingId: payment.crossing_id,
            details: body,
            sourceKey: `payment:${payment.id}`,
          },
        ]);
        return { payment, status, repeated: false };
      });
      if (outcome.status === 'SUCCEEDED') {
        // Also on a repeat: if the first delivery settled the payment but did not reach the crossing, this does.
        try {
          await crossings.confirmPayment(
            outcome.payment.crossing_id,
            body.paymentId,
            body.providerRef,
            Number(outcome.payment.amount_vnd),
            actor,
          );
        } catch (err) {
          if (!(err instanceof ApiError && err.status === 409)) throw err;
          // The crossing can no longer take it (it ended meanwhile): the money goes back.
          await sql()(`update fee_payment set refunded_at = coalesce(refunded_at, now()) where id = ?`, [body.paymentId]);
          return { body: { paymentId: body.paymentId, status: 'REFUNDED', detail: err.detail } };
        }
      }
      return { body: { paymentId: body.paymentId, status: outcome.status, repeated: outcome.repeated } };
    },
  });

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
      const where: string[] = [`p.status = 'SUCCEEDED'`];
      const params: unknown[] = [];
      const add = (clause: string, ...values: unknown[]) => {
        where.push(clause);
        params.push(...values);
      };
      if (caller.role !== 'ADMIN') {
        add(caller.gates.length ? `i.gate_code in (${caller.gates.map(() => '?').join(', ')})` : 'false', ...caller.gates);
      }
      if (query.gate) add('i.gate_code = ?', query.gate);
      if (query.collector) add('i.collector = ?', query.collector);
      // Days are counted in Vietnam's time zone, where the money is collected.
      if (query.from) add(`(p.paid_at at time zone 'Asia/Ho_Chi_Minh')::date >= ?`, query.from);
      if (query.to) add(`(p.paid_at at time zone 'Asia/Ho_Chi_Minh')::date <= ?`, query.to);
      const rows = await sql()<{
        day: string;
        collector: string;
        method: string;
        payments: string;
        paid_vnd: string;
        refunded_vnd: string;
      }>(
        `select to_char((p.paid_at at time zone 'Asia/Ho_Chi_Minh')::date, 'YYYY-MM-DD') as day, i.collector, p.method,
                count(*) as payments, sum(p.amount_vnd) as paid_vnd,
                coalesce(sum(p.amount_vnd) filter (where p.refunded_at is not null), 0) as refunded_vnd
           from fee_payment p join fee_invoice i on i.crossing_id = p.crossing_id
          where ${where.join(' and ')}
          group by 1, 2, 3 order by 1, 2, 3`,
        params,
      );
      const report = rows.map((r) => {
        const net = Number(r.paid_vnd) - Number(r.refunded_vnd);
        const kept = Math.round(net / 10);
        return {
          day: r.day,
          collector: r.collector,
          method: r.method,
          payments: Number(r.payments),
          paidVnd: Number(r.paid_vnd),
          refundedVnd: Number(r.refunded_vnd),
          netVnd: net,
          collectorShareVnd: kept,
          remitVnd: net - kept,
        };
      });
      if (req.accepts(['application/json', 'text/csv']) === 'text/csv') {
        const header = 'day,collector,method,payments,paid_vnd,refunded_vnd,net_vnd,collector_share_vnd,remit_vnd';
        const lines = report.map((r) =>
          [r.day, r.collector, r.method, r.payments, r.paidVnd, r.refundedVnd, r.netVnd, r.collectorShareVnd, r.remitVnd].join(','),
        );
        res.type('text/csv').send([header, ...lines].join('\n') + '\n');
        return;
      }
      const total = (key: 'paidVnd' | 'refundedVnd' | 'netVnd' | 'collectorShareVnd' | 'remitVnd') =>
        report.reduce((s, r) => s + r[key], 0);
      return {
        body: {
          rows: report,
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

  api.route({
    method: 'get',
    path: '/v1/admin/fee-rates',
    summary: 'The tariff: every rate row and the percent adjustments',
    tag: 'admin',
    access: ['ADMIN', 'MANAGER', 'FEE_COLLECTOR'],
    responses: { 200: { description: 'the tariff', schema: z.looseObject({ rates: z.array(RateSchema) }) } },
    handler: async () => {
      const rates = await sql()<Record<string, unknown>>('select * from fee_rate order by vehicle_kind, goods_kind, gate, direction');
      const adjustments = await sql()<Record<string, unknown>>('select code, percent, description from fee_adjustment order by code');
      return {
        body: {
          rates: rates.map((r) => ({
            gate: r.gate,
            direction: r.direction,
            vehicleKind: r.vehicle_kind,
            goodsKind: r.goods_kind,
            amountVnd: Number(r.amount_vnd),
            version: r.version,
          })),
          adjustments,
        },
      };
    },
  });

  api.route({
    method: 'put',
    path: '/v1/admin/fee-rates',
    summary: 'Set one tariff rate (gate or *, direction or *, vehicle kind, goods kind); applies to invoices issued from now on',
    tag: 'admin',
    access: ['ADMIN'],
    body: RateSchema,
    responses: { 200: { description: 'the rate', schema: RateSchema } },
    handler: async ({ body, caller }) => {
      if (body.gate !== '*') {
        const [gate] = await sql()('select 1 from gate where code = ?', [body.gate]);
        if (!gate)
          throw badRequest('The request is invalid; every field at fault is listed.', [
            { path: 'gate', message: `${body.gate} is not a known gate` },
          ]);
      }
      await ctx.services.em.fork().transactional(async (tx) => {
        const q = sqlOf(tx);
        await q(
          `insert into fee_rate (gate, direction, vehicle_kind, goods_kind, amount_vnd, updated_by) values (?, ?, ?, ?, ?, ?)
           on conflict (gate, direction, vehicle_kind, goods_kind) do update set amount_vnd = excluded.amount_vnd,
             version = fee_rate.version + 1, updated_by = excluded.updated_by, updated_at = now()`,
          [body.gate, body.direction, body.vehicleKind, body.goodsKind, body.amountVnd, caller.id],
        );
        await appendAudit(q, [{ at: new Date(), actor: caller.id, action: 'FEE_RATE_CHANGED', details: body }]);
      });
      return { body };
    },
  });
}

function checkSignature(ctx: ApiContext, req: Request): void {
  const raw = (req as Request & { rawBody?: Buffer }).rawBody ?? Buffer.alloc(0);
  const given = Buffer.from(req.header('X-Signature') ?? '');
  const expected = Buffer.from(signPaymentCallback(paymentWebhookSecret(ctx), raw));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw unauthorized('The X-Signature header is missing or does not match the body.');
  }
}
