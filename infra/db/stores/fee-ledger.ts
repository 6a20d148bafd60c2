import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Category } from '../../../domain/category';
import type { Declaration } from '../../../domain/declaration';
import { collectorShare, computeInvoice, type FeeRate, type Invoice } from '../../../domain/fee-tariff';
import { UnknownReference } from '../../../domain/errors';
import type { FeeCollector } from '../../../domain/gates';
import { appendAudit } from '../../audit';
import { sqlOf } from '../orm';
import type { GateStore } from './gates';
import { Where } from './sql-where';

/**
 * Fees: the tariff (rates and percent adjustments), each crossing's invoice, and its payments. Every write is
 * idempotent per crossing or per payment, because the workflow's activities and the payment provider may both repeat.
 * This is the one place `fee_invoice` and `fee_payment` are written.
 */
export interface Tariff {
  rates: FeeRate[];
  adjustments: Record<string, number>;
  collector: FeeCollector;
}

export interface PaymentRecord {
  id: string;
  crossingId: string;
  amountVnd: number;
  status: 'PENDING' | 'SUCCEEDED' | 'FAILED' | 'DISPUTED';
}

export interface ReportRow {
  day: string;
  collector: string;
  method: string;
  payments: number;
  paidVnd: number;
  refundedVnd: number;
  netVnd: number;
  collectorShareVnd: number;
  remitVnd: number;
}

export class FeeLedger {
  constructor(
    private readonly em: EntityManager,
    private readonly gates: GateStore,
  ) {}

  async tariff(gate: string): Promise<Tariff> {
    const sql = sqlOf(this.em);
    const rates = await sql<{ gate: string; direction: string; vehicle_kind: string; goods_kind: string; amount_vnd: string }>(
      `select gate, direction, vehicle_kind, goods_kind, amount_vnd from fee_rate where gate in (?, '*')`,
      [gate],
    );
    const adjustments = await sql<{ code: string; percent: number }>('select code, percent from fee_adjustment');
    const known = await this.gates.gate(gate);
    if (!known) throw new UnknownReference('gate', `${gate} is not a known gate`);
    return {
      rates: rates.map(
        (r) =>
          ({
            gate: r.gate,
            direction: r.direction,
            vehicleKind: r.vehicle_kind,
            goodsKind: r.goods_kind,
            amountVnd: Number(r.amount_vnd),
          }) as FeeRate,
      ),
      adjustments: Object.fromEntries(adjustments.map((a) => [a.code, a.percent])),
      collector: known.feeCollector,
    };
  }

  /** The crossing's invoice, computed from the tariff the first time and read back every later time. */
  async issueInvoice(crossingId: string, gate: string, declaration: Declaration, category: Category): Promise<Invoice> {
    const existing = await this.invoice(crossingId);
    if (existing) return existing;
    const tariff = await this.tariff(gate);
    const invoice = computeInvoice(declaration, category, tariff.collector, tariff.rates, tariff.adjustments);
    await sqlOf(this.em)(
      `insert into fee_invoice (crossing_id, gate_code, collector, amount_vnd, collector_share_vnd, remit_vnd, items)
       values (?, ?, ?, ?, ?, ?, ?) on conflict do nothing`,
      [crossingId, gate, invoice.collector, invoice.amountVnd, invoice.collectorShareVnd, invoice.remitVnd, JSON.stringify(invoice.items)],
    );
    return invoice;
  }

  async invoice(crossingId: string): Promise<(Invoice & { status: string; issuedAt: string }) | undefined> {
    const [row] = await sqlOf(this.em)<{
      items: Invoice['items'];
      amount_vnd: string;
      collector: FeeCollector;
      collector_share_vnd: string;
      remit_vnd: string;
      status: string;
      issued_at: string;
    }>('select * from fee_invoice where crossing_id = ?', [crossingId]);
    if (!row) return undefined;
    return {
      items: row.items,
      amountVnd: Number(row.amount_vnd),
      collector: row.collector,
      collectorShareVnd: Number(row.collector_share_vnd),
      remitVnd: Number(row.remit_vnd),
      status: row.status,
      issuedAt: new Date(row.issued_at).toISOString(),
    };
  }

  async payments(crossingId: string) {
    const rows = await sqlOf(this.em)<{
      id: string;
      method: string;
      amount_vnd: string;
      status: string;
      receipt_no: string | null;
      provider_ref: string | null;
      paid_at: string | null;
      refunded_at: string | null;
    }>(
      'select id, method, amount_vnd, status, receipt_no, provider_ref, paid_at, refunded_at from fee_payment where crossing_id = ? order by created_at',
      [crossingId],
    );
    return rows.map((p) => ({
      paymentId: p.id,
      method: p.method,
      amountVnd: Number(p.amount_vnd),
      status: p.refunded_at ? 'REFUNDED' : p.status,
      receiptNo: p.receipt_no ?? p.provider_ref ?? null,
      paidAt: p.paid_at ? new Date(p.paid_at).toISOString() : null,
    }));
  }

  /** A direct payment confirmed by the collector with its receipt number: recorded once, and the invoice paid. */
  async recordDirectPayment(crossingId: string, receiptNo: string, paidAt: string): Promise<void> {
    await this.em.transactional(async (tx) => {
      const sql = sqlOf(tx);
      await sql(
        `insert into fee_payment (id, crossing_id, method, amount_vnd, status, receipt_no, paid_at)
         select ?, crossing_id, 'DIRECT', amount_vnd, 'SUCCEEDED', ?, ? from fee_invoice where crossing_id = ?
         on conflict do nothing`,
        [randomUUID(), receiptNo, paidAt, crossingId],
      );
      await sql(`update fee_invoice set status = 'PAID', paid_at = ? where crossing_id = ? and status = 'DUE'`, [paidAt, crossingId]);
    });
  }

  /** The invoice of an online payment is paid (the payment itself was settled by the provider's callback). */
  async markInvoicePaid(crossingId: string, paidAt: string): Promise<void> {
    await sqlOf(this.em)(`update fee_invoice set status = 'PAID', paid_at = ? where crossing_id = ? and status = 'DUE'`, [
      paidAt,
      crossingId,
    ]);
  }

  /** The compensation of a paid fee: the payment and the invoice are marked refunded, once, and audited. */
  async refund(crossingId: string): Promise<void> {
    await this.em.transactional(async (tx) => {
      const sql = sqlOf(tx);
      const refunded = await sql<{ id: string }>(
        `update fee_payment set refunded_at = now() where crossing_id = ? and status = 'SUCCEEDED' and refunded_at is null returning id`,
        [crossingId],
      );
      await sql(`update fee_invoice set status = 'REFUNDED', refunded_at = now() where crossing_id = ? and status = 'PAID'`, [crossingId]);
      if (refunded.length) {
        await appendAudit(sql, [
          {
            at: new Date(),
            actor: 'system',
            action: 'FEE_REFUNDED',
            crossingId,
            details: { payments: refunded.map((r) => r.id) },
            sourceKey: `refund:${crossingId}`,
          },
        ]);
      }
    });
  }

  /** A payment the crossing could no longer take (it ended meanwhile): the money goes back, once, audited. */
  async refundPayment(paymentId: string, by: string): Promise<void> {
    await this.em.transactional(async (tx) => {
      const sql = sqlOf(tx);
      const [refunded] = await sql<{ crossing_id: string }>(
        `update fee_payment set refunded_at = now() where id = ? and refunded_at is null returning crossing_id`,
        [paymentId],
      );
      if (refunded) {
        await appendAudit(sql, [
          {
            at: new Date(),
            actor: by,
            action: 'PAYMENT_REFUNDED',
            crossingId: refunded.crossing_id,
            details: { paymentId, reason: 'the crossing could no longer take it' },
            sourceKey: `refund-payment:${paymentId}`,
          },
        ]);
      }
    });
  }

  /**
   * Whether the crossing took this online payment: its history holds the payment with the provider's reference. A
   * repeated callback for a payment taken must not be refunded because the crossing has moved on or ended since.
   */
  async takenByCrossing(paymentId: string): Promise<boolean> {
    const [row] = await sqlOf(this.em)<{ taken: boolean }>(
      `select exists (select 1 from fee_payment p
                        join crossing_event e on e.crossing_id = p.crossing_id and e.type = 'PAYMENT'
                                             and e.data ->> 'providerRef' = p.provider_ref
                       where p.id = ?) as taken`,
      [paymentId],
    );
    return row.taken;
  }

  /**
   * The online payment a declarant completes at the provider: the one still open for the crossing, or a new one for the
   * fee due. Undefined when no fee is due now.
   */
  async openOnlinePayment(crossingId: string): Promise<{ id: string; amountVnd: number } | undefined> {
    const sql = sqlOf(this.em);
    const [due] = await sql<{ status: string; amount_vnd: string; current_step: string | null }>(
      'select i.status, i.amount_vnd, c.current_step from fee_invoice i join crossing c on c.id = i.crossing_id where i.crossing_id = ?',
      [crossingId],
    );
    if (!due || due.status !== 'DUE' || due.current_step !== 'fee-payment') return undefined;
    await sql(
      `insert into fee_payment (id, crossing_id, method, amount_vnd, status) values (?, ?, 'ONLINE', ?, 'PENDING') on conflict do nothing`,
      [randomUUID(), crossingId, due.amount_vnd],
    );
    const [open] = await sql<{ id: string; amount_vnd: string }>(
      `select id, amount_vnd from fee_payment where crossing_id = ? and method = 'ONLINE' and status = 'PENDING'`,
      [crossingId],
    );
    return { id: open.id, amountVnd: Number(open.amount_vnd) };
  }

  async payment(paymentId: string): Promise<PaymentRecord | undefined> {
    const [row] = await sqlOf(this.em)<{ id: string; crossing_id: string; amount_vnd: string; status: PaymentRecord['status'] }>(
      'select id, crossing_id, amount_vnd, status from fee_payment where id = ?',
      [paymentId],
    );
    return row && { id: row.id, crossingId: row.crossing_id, amountVnd: Number(row.amount_vnd), status: row.status };
  }

  /**
   * The provider's report on a payment, settled once: SUCCEEDED (the whole fee), FAILED, or DISPUTED (another amount).
   * Audited under the payment's id, so a repeated callback settles and audits nothing more.
   */
  async settle(
    report: { paymentId: string; status: 'SUCCEEDED' | 'FAILED'; amountVnd: number; providerRef: string },
    actor: string,
  ): Promise<{ payment: PaymentRecord; status: PaymentRecord['status']; repeated: boolean } | undefined> {
    return this.em.transactional(async (tx) => {
      const sql = sqlOf(tx);
      const [row] = await sql<{ id: string; crossing_id: string; amount_vnd: string; status: PaymentRecord['status'] }>(
        'select id, crossing_id, amount_vnd, status from fee_payment where id = ? for update',
        [report.paymentId],
      );
      if (!row) return undefined;
      const payment: PaymentRecord = { id: row.id, crossingId: row.crossing_id, amountVnd: Number(row.amount_vnd), status: row.status };
      if (payment.status !== 'PENDING') return { payment, status: payment.status, repeated: true };
      const status = report.status === 'FAILED' ? 'FAILED' : report.amountVnd === payment.amountVnd ? 'SUCCEEDED' : 'DISPUTED';
      await sql(
        `update fee_payment set status = ?, provider_ref = ?, reported_amount_vnd = ?, paid_at = case when ? = 'SUCCEEDED' then now() end where id = ?`,
        [status, report.providerRef, report.amountVnd, status, payment.id],
      );
      await appendAudit(sql, [
        {
          at: new Date(),
          actor,
          action: `PAYMENT_${status}`,
          crossingId: payment.crossingId,
          details: report,
          sourceKey: `payment:${payment.id}`,
        },
      ]);
      return { payment, status, repeated: false };
    });
  }

  /**
   * Reconciliation: paid and refunded totals by day (in Vietnam's time zone, where the money is collected), collector
   * and method, with the collector's share and what it remits.
   */
  async report(filter: { gates?: readonly string[]; gate?: string; collector?: string; from?: string; to?: string }): Promise<ReportRow[]> {
    const where = new Where(`p.status = 'SUCCEEDED'`);
    if (filter.gates) where.in('i.gate_code', filter.gates);
    if (filter.gate) where.add('i.gate_code = ?', filter.gate);
    if (filter.collector) where.add('i.collector = ?', filter.collector);
    if (filter.from) where.add(`(p.paid_at at time zone 'Asia/Ho_Chi_Minh')::date >= ?`, filter.from);
    if (filter.to) where.add(`(p.paid_at at time zone 'Asia/Ho_Chi_Minh')::date <= ?`, filter.to);
    const rows = await sqlOf(this.em)<{
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
        where ${where.sql}
        group by 1, 2, 3 order by 1, 2, 3`,
      where.params,
    );
    return rows.map((r) => {
      const net = Number(r.paid_vnd) - Number(r.refunded_vnd);
      const kept = collectorShare(net);
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
  }

  async rates() {
    const sql = sqlOf(this.em);
    const rates = await sql<Record<string, unknown>>('select * from fee_rate order by vehicle_kind, goods_kind, gate, direction');
    const adjustments = await sql<{ code: string; percent: number; description: string }>(
      'select code, percent, description from fee_adjustment order by code',
    );
    return {
      rates: rates.map((r) => ({
        gate: r.gate as string,
        direction: r.direction as string,
        vehicleKind: r.vehicle_kind as string,
        goodsKind: r.goods_kind as string,
        amountVnd: Number(r.amount_vnd),
        version: r.version as number,
      })),
      adjustments,
    };
  }

  /** Sets one rate row (a new version of it), audited. */
  async setRate(rate: FeeRate, by: string): Promise<void> {
    await this.em.transactional(async (tx) => {
      const sql = sqlOf(tx);
      await sql(
        `insert into fee_rate (gate, direction, vehicle_kind, goods_kind, amount_vnd, updated_by) values (?, ?, ?, ?, ?, ?)
         on conflict (gate, direction, vehicle_kind, goods_kind) do update set amount_vnd = excluded.amount_vnd,
           version = fee_rate.version + 1, updated_by = excluded.updated_by, updated_at = now()`,
        [rate.gate, rate.direction, rate.vehicleKind, rate.goodsKind, rate.amountVnd, by],
      );
      await appendAudit(sql, [{ at: new Date(), actor: by, action: 'FEE_RATE_CHANGED', details: rate }]);
    });
  }
}
