import type { EntityManager } from '@mikro-orm/postgresql';
import type { TransferVehicle } from '../../../domain/transshipment';
import { sqlOf } from '../orm';

/** The yard's bookings of transfers (sang tải) to a truck of the other side: one per crossing, cancelled once. */
export class TransshipmentBookingStore {
  constructor(private readonly em: EntityManager) {}

  /** Books the transfer; a retry finds the booking already made. */
  async book(booking: { crossingId: string; gate: string; yardCode: string; toVehicle: TransferVehicle }): Promise<void> {
    await sqlOf(this.em)(
      `insert into transshipment_booking (crossing_id, gate_code, yard_code, to_plate, to_country)
       values (?, ?, ?, ?, ?) on conflict (crossing_id) do nothing`,
      [booking.crossingId, booking.gate, booking.yardCode, booking.toVehicle.plate, booking.toVehicle.country],
    );
  }

  async cancel(crossingId: string): Promise<void> {
    await sqlOf(this.em)('update transshipment_booking set cancelled_at = now() where crossing_id = ? and cancelled_at is null', [
      crossingId,
    ]);
  }
}
