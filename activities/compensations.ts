import type { CrossingStatus } from '../domain/crossing-view';
import type { Services } from '../infra/db/orm';
import type { CrossingRef } from './yard';

/**
 * Undos that have no home of their own yet. A refund is recorded (the fee step records payments by receipt number;
 * moving the money back through the collector or the payment provider belongs with the fees). A turn-back order is
 * recorded as the crossing's document, listed in its view.
 */
export function createCompensations({ em }: Services) {
  return {
    async refundFee({ crossingId }: CrossingRef): Promise<void> {
      await em.getConnection().execute('insert into fee_refund (crossing_id) values (?) on conflict do nothing', [crossingId]);
    },

    async issueTurnBackOrder({
      crossingId,
      gate,
      endedAs,
    }: CrossingRef & { endedAs: CrossingStatus }): Promise<{ kind: string; url: string }> {
      await em
        .getConnection()
        .execute(`insert into crossing_document (crossing_id, kind, data) values (?, 'turn-back-order', ?) on conflict do nothing`, [
          crossingId,
          JSON.stringify({ gate, endedAs }),
        ]);
      return { kind: 'turn-back-order', url: `/v1/crossings/${crossingId}/documents/turn-back-order` };
    },
  };
}
