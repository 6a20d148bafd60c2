import type { Services } from '../infra/db/orm';
import type { Stores } from '../infra/db/stores';
import type { CrossingRef } from './crossing-ref';
import { permanent } from './failures';

/**
 * Yard places. A truck admitted at barrier 1 gets a place in the gate's yard with the most room; the place is freed
 * when the truck leaves, or by compensation when the crossing ends early. Both are idempotent.
 */
export function createYard(services: Services) {
  return {
    async reserveYardPlace(ref: CrossingRef): Promise<{ yardCode: string }> {
      return { yardCode: await reserveYardPlace(services.stores(), ref) };
    },

    async releaseYardPlace({ crossingId }: CrossingRef): Promise<void> {
      await services.stores().gates.releaseYardPlace(crossingId);
    },
  };
}

/** Reserves the crossing's place (the one it has, when it has one); a gate with no yard is for an admin to fix. */
export async function reserveYardPlace(stores: Stores, { crossingId, gate }: CrossingRef): Promise<string> {
  const yardCode = await stores.gates.reserveYardPlace(crossingId, gate);
  if (!yardCode) throw permanent(`gate ${gate} has no yard to reserve a place in; an admin adds one`);
  return yardCode;
}
