import type { Services } from '../infra/db/orm';
import type { PendingApproach } from '../infra/db/stores/tracking';
import type { Logger } from '../infra/logger';
import type { CrossingClient } from './crossing-client';
import { SweptDelivery } from './swept-delivery';

/**
 * A truck's first position in its gate's approach corridor reaches the crossing's workflow as `APPROACHING`, once,
 * after the phone had its answer (api/swept-delivery.ts); the positions themselves never do. A crossing whose workflow
 * has closed has nothing to learn: the approach is marked delivered.
 */
export class ApproachDelivery extends SweptDelivery<PendingApproach> {
  constructor(
    private readonly crossings: CrossingClient,
    private readonly services: Services,
    log: Logger,
  ) {
    super(log, 'approach');
  }

  async deliver(approach: PendingApproach): Promise<void> {
    await this.crossings.signalApproaching(approach.crossingId, { at: approach.at, segment: approach.segment });
    await this.services.stores().tracking.markApproachDelivered(approach.crossingId);
  }

  protected undelivered(olderThanMs: number, limit: number): Promise<PendingApproach[]> {
    return this.services.stores().tracking.undeliveredApproaches(olderThanMs, limit);
  }

  protected idOf(approach: PendingApproach): Record<string, unknown> {
    return { crossingId: approach.crossingId };
  }
}
