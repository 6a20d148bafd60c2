import { CorridorMap } from '../domain/corridor-geometry';
import type { Services } from '../infra/db/orm';
import type { GateApproach } from '../infra/db/stores/gates';

/**
 * Each gate's approach as geometry, kept per API process so that placing a batch of positions costs no database
 * round trip. An admin's change is seen at once by the process that made it and within `STALE_MS` by every other
 * (the only state the API keeps between requests besides the other caches of api/).
 */
const STALE_MS = 30_000;

export interface PlacedApproach {
  approach: GateApproach;
  map: CorridorMap;
}

export class CorridorCache {
  private readonly gates = new Map<string, { at: number; placed: Promise<PlacedApproach | undefined> }>();

  constructor(private readonly services: Services) {}

  of(gate: string): Promise<PlacedApproach | undefined> {
    const kept = this.gates.get(gate);
    if (kept && Date.now() - kept.at < STALE_MS) return kept.placed;
    const placed = this.services
      .stores()
      .gates.approaches(gate)
      .then(([approach]) => approach && { approach, map: new CorridorMap(approach.corridor, approach.holdingAreas) });
    // A failed read is not kept: the next request asks again.
    placed.catch(() => this.gates.delete(gate));
    this.gates.set(gate, { at: Date.now(), placed });
    return placed;
  }

  forget(gate: string): void {
    this.gates.delete(gate);
  }
}
