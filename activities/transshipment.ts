import type { TransferVehicle } from '../domain/transshipment';
import type { Services } from '../infra/db/orm';
import type { CrossingRef } from './crossing-ref';

/** The yard's booking of a transfer (sang tải) to a truck of the other side; cancelled by compensation. */
export function createTransshipmentBookings(services: Services) {
  return {
    async bookTransshipment(booking: CrossingRef & { yardCode: string; toVehicle: TransferVehicle }): Promise<void> {
      await services.stores().transshipmentBookings.book(booking);
    },

    async cancelTransshipmentBooking({ crossingId }: CrossingRef): Promise<void> {
      await services.stores().transshipmentBookings.cancel(crossingId);
    },
  };
}
