import type { Category } from '../domain/category';
import type { Declaration } from '../domain/declaration';
import { NoTariffRate, type Invoice } from '../domain/fee-tariff';
import type { Services } from '../infra/db/orm';
import type { Stores } from '../infra/db/stores';
import type { CrossingRef } from './crossing-ref';
import { permanent } from './failures';

/**
 * Fees for the crossing's workflow: the invoice computed from the tariff when the fee step opens, a direct payment
 * recorded with the collector's receipt number, an online payment's invoice marked paid, and the refund when a paid
 * crossing ends early (infra/db/stores/fee-ledger.ts). Each is idempotent per crossing.
 */
export function createFees(services: Services) {
  return {
    async issueInvoice({
      crossingId,
      gate,
      declaration,
      category,
    }: CrossingRef & { declaration: Declaration; category: Category }): Promise<Invoice> {
      return issueInvoice(services.stores(), { crossingId, gate }, declaration, category);
    },

    async recordDirectPayment({ crossingId, receiptNo, paidAt }: CrossingRef & { receiptNo: string; paidAt: string }): Promise<void> {
      await services.stores().fees.recordDirectPayment(crossingId, receiptNo, paidAt);
    },

    /** Marks an online payment's invoice paid (the payment row itself was settled by the callback). */
    async recordOnlinePayment({ crossingId, paidAt }: CrossingRef & { paidAt: string }): Promise<void> {
      await services.stores().fees.markInvoicePaid(crossingId, paidAt);
    },

    /** The compensation of a paid fee: the payment and the invoice are marked refunded, once. */
    async refundFee({ crossingId }: CrossingRef): Promise<void> {
      await services.stores().fees.refund(crossingId);
    },
  };
}

/** The crossing's invoice, issued once from the gate's tariff; a tariff with no rate for it is for an admin to fix. */
export async function issueInvoice(
  stores: Stores,
  { crossingId, gate }: CrossingRef,
  declaration: Declaration,
  category: Category,
): Promise<Invoice> {
  try {
    return await stores.fees.issueInvoice(crossingId, gate, declaration, category);
  } catch (err) {
    if (err instanceof NoTariffRate) throw permanent(err.message);
    throw err;
  }
}
