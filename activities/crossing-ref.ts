/** Which crossing an activity works for: its id, and the gate it crosses at. */
export interface CrossingRef {
  crossingId: string;
  gate: string;
}
