import type { Services } from '../infra/db/orm';
import { permanent } from './failures';

export interface CrossingRef {
  crossingId: string;
  gate: string;
}

/**
 * Yard places. A truck admitted at barrier 1 gets a place in the gate's yard with the most room; the place is freed
 * when the truck leaves, or by compensation when the crossing ends early. Both are idempotent (one reservation per
 * crossing; releasing twice releases once).
 */
export function createYard({ em }: Services) {
  return {
    async reserveYardPlace({ crossingId, gate }: CrossingRef): Promise<{ yardCode: string }> {
      const conn = em.getConnection();
      await conn.execute(
        `insert into yard_reservation (crossing_id, gate_code, yard_code, reserved_at)
         select ?, y.gate_code, y.code, now() from yard y
          where y.gate_code = ?
          order by y.capacity - (select count(*) from yard_reservation r
                                  where r.gate_code = y.gate_code and r.yard_code = y.code and r.released_at is null) desc, y.code
          limit 1
         on conflict (crossing_id) do nothing`,
        [crossingId, gate],
      );
      const [row] = await conn.execute<{ yard_code: string }[]>('select yard_code from yard_reservation where crossing_id = ?', [
        crossingId,
      ]);
      if (!row) throw permanent(`gate ${gate} has no yard to reserve a place in; an admin adds one`);
      return { yardCode: row.yard_code };
    },

    async releaseYardPlace({ crossingId }: CrossingRef): Promise<void> {
      await em
        .getConnection()
        .execute('update yard_reservation set released_at = now() where crossing_id = ? and released_at is null', [crossingId]);
    },
  };
}
