import type { TransferVehicle } from '../domain/transshipment';
import { sqlOf, type Services } from '../infra/db/orm';
import type { CrossingRef } from './crossing-ref';

/** The yard's booking of a transfer (sang tải) to a truck of the other side; cancelled by compensation. */
export function createTransshipmentBookings(services: Services) {
  return {
    async bookTransshipment({
      crossingId,
      gate,
      yardCode,
      toVehicle,
    }: CrossingRef & { yardCode: string; toVehicle: TransferVehicle }): Promise<void> {
      await sqlOf(services.em.fork())(
        `insert into transshipment_booking (crossing_id, gate_code, yard_code, to_plate, to_country)
         values (?, ?, ?, ?, ?) on conflict (crossing_id) do nothing`,
        [crossingId, gate, yardCode, toVehicle.plate, toVehicle.country],
      );
    },

    async cancelTransshipmentBooking({ crossingId }: CrossingRef): Promise<void> {
      await sqlOf(services.em.fork())(
        'update transshipment_booking set cancelled_at = now() where crossing_id = ? and cancelled_at is null',
        [crossingId],
      );
    },
  };
}
