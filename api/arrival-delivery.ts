import type { Services } from '../infra/db/orm';
import type { PendingArrival } from '../infra/db/stores/gate-reads';
import type { Logger } from '../infra/logger';
import type { CrossingClient } from './crossing-client';
import { SweptDelivery } from './swept-delivery';

/**
 * Arrivals reach the crossing's workflow after the device had its answer: a barrier cannot wait for an Update
 * (~100–200 ms), so the read is answered from the read model and committed, and only then is the workflow signalled
 * (api/swept-delivery.ts says how nothing is lost between the two). A crossing whose workflow has closed (a cleared
 * truck read at the exit barrier) gets the arrival written to its read model directly.
 */
export class ArrivalDelivery extends SweptDelivery<PendingArrival> {
  constructor(
    private readonly crossings: CrossingClient,
    private readonly services: Services,
    log: Logger,
  ) {
    super(log, 'arrival');
  }

  async deliver(pending: PendingArrival): Promise<void> {
    const reads = this.services.stores().gateReads;
    if (!(await this.crossings.signalArrival(pending.crossingId, pending.arrival))) await reads.recordClosedArrival(pending);
    await reads.markDelivered(pending.arrival.eventId);
  }

  protected undelivered(olderThanMs: number, limit: number): Promise<PendingArrival[]> {
    return this.services.stores().gateReads.undelivered(olderThanMs, limit);
  }

  protected idOf(pending: PendingArrival): Record<string, unknown> {
    return { eventId: pending.arrival.eventId };
  }
}
