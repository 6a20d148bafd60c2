import { randomUUID } from 'node:crypto';
import type { Category } from '../domain/category';
import type { Declaration } from '../domain/declaration';
import { computeInvoice, type FeeRate, type Invoice } from '../domain/fee-tariff';
import type { FeeCollector } from '../domain/gates';
import { appendAudit } from '../infra/audit';
import { sqlOf, type Services } from '../infra/db/orm';
import type { CrossingRef } from './yard';

/**
 * Fees: the invoice computed from the tariff when the fee step opens, a direct payment recorded with the collector's
 * receipt number, and the refund when a paid crossing ends early. Each is idempotent per crossing.
 */
export async function loadTariff(
  services: Services,
  gate: string,
): Promise<{ rates: FeeRate[]; adjustments: Record<string, number>; collector: FeeCollector }> {
  const sql = sqlOf(services.em.fork());
  const rates = await sql<{ gate: string; direction: string; vehicle_kind: string; goods_kind: string; amount_vnd: string }>(
    `select gate, direction, vehicle_kind, goods_kind, amount_vnd from fee_rate where gate in (?, '*')`,
    [gate],
  );
  const adjustments = await sql<{ code: string; percent: number }>('select code, percent from fee_adjustment');
  const [row] = await sql<{ fee_collector: FeeCollector }>('select fee_collector from gate where code = ?', [gate]);
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
    collector: row.fee_collector,
  };
}

export function createFees(services: Services) {
  return {
    async issueInvoice({
      crossingId,
      gate,
      declaration,
      category,
    }: CrossingRef & { declaration: Declaration; category: Category }): Promise<Invoice> {
      const sql = sqlOf(services.em.fork());
      const [existing] = await sql<{
        items: Invoice['items'];
        amount_vnd: string;
        collector: FeeCollector;
        collector_share_vnd: string;
        remit_vnd: string;
      }>('select items, amount_vnd, collector, collector_share_vnd, remit_vnd from fee_invoice where crossing_id = ?', [crossingId]);
      if (existing) {
        return {
          items: existing.items,
          amountVnd: Number(existing.amount_vnd),
          collector: existing.collector,
          collectorShareVnd: Number(existing.collector_share_vnd),
          remitVnd: Number(existing.remit_vnd),
        };
      }
      const tariff = await loadTariff(services, gate);
      const invoice = computeInvoice(declaration, category, tariff.collector, tariff.rates, tariff.adjustments);
      await sql(
        `insert into fee_invoice (crossing_id, gate_code, collector, amount_vnd, collector_share_vnd, remit_vnd, items)
         values (?, ?, ?, ?, ?, ?, ?) on conflict do nothing`,
        [
          crossingId,
          gate,
          invoice.collector,
          invoice.amountVnd,
          invoice.collectorShareVnd,
          invoice.remitVnd,
          JSON.stringify(invoice.items),
        ],
      );
      return invoice;
    },

    async recordDirectPayment({ crossingId, receiptNo, paidAt }: CrossingRef & { receiptNo: string; paidAt: string }): Promise<void> {
      await services.em.fork().transactional(async (tx) => {
        const sql = sqlOf(tx);
        await sql(
          `insert into fee_payment (id, crossing_id, method, amount_vnd, status, receipt_no, paid_at)
           select ?, crossing_id, 'DIRECT', amount_vnd, 'SUCCEEDED', ?, ? from fee_invoice where crossing_id = ?
           on conflict do nothing`,
          [randomUUID(), receiptNo, paidAt, crossingId],
        );
        await sql(`update fee_invoice set status = 'PAID', paid_at = ? where crossing_id = ? and status = 'DUE'`, [paidAt, crossingId]);
      });
    },

    /** Marks an online payment's invoice paid (the payment row itself was settled by the callback). */
    async recordOnlinePayment({ crossingId, paidAt }: CrossingRef & { paidAt: string }): Promise<void> {
      await sqlOf(services.em.fork())(`update fee_invoice set status = 'PAID', paid_at = ? where crossing_id = ? and status = 'DUE'`, [
        paidAt,
        crossingId,
      ]);
    },

    /** The compensation of a paid fee: the payment and the invoice are marked refunded, once. */
    async refundFee({ crossingId }: CrossingRef): Promise<void> {
      await services.em.fork().transactional(async (tx) => {
        const sql = sqlOf(tx);
        const refunded = await sql<{ id: string; amount_vnd: string }>(
          `update fee_payment set refunded_at = now() where crossing_id = ? and status = 'SUCCEEDED' and refunded_at is null returning id, amount_vnd`,
          [crossingId],
        );
        await sql(`update fee_invoice set status = 'REFUNDED', refunded_at = now() where crossing_id = ? and status = 'PAID'`, [
          crossingId,
        ]);
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
    },
  };
}
