import type { Services } from '../infra/db/orm';
import type { PendingArrival } from '../infra/db/stores/gate-reads';
import type { Logger } from '../infra/logger';
import type { CrossingClient } from './crossing-client';

/** A read not yet taken by its crossing this long after it was answered is delivered again by the sweep. */
const REDELIVER_AFTER_MS = 5000;
const SWEEP_EVERY_MS = 5000;
const SWEEP_BATCH = 100;

/**
 * Arrivals reach the crossing's workflow after the device had its answer: a barrier cannot wait for an Update
 * (~100–200 ms), so the read is answered from the read model and committed, and only then is the workflow signalled.
 * Nothing is lost between the two: every matched read is stored undelivered first, and a sweep in every API process
 * delivers what an earlier attempt did not (the API stopped, Temporal was away). Two processes delivering one read
 * is harmless: the crossing keeps each eventId once. A crossing whose workflow has closed (a cleared truck read at
 * the exit barrier) gets the arrival written to its read model directly.
 */
export class ArrivalDelivery {
  private timer: NodeJS.Timeout | undefined;
  private sweeping = false;

  constructor(
    private readonly crossings: CrossingClient,
    private readonly services: Services,
    private readonly log: Logger,
  ) {}

  /** Delivers one arrival now, in the background; a failure leaves it to the sweep. */
  soon(pending: PendingArrival): void {
    this.deliver(pending).catch((err) =>
      this.log.warn({ err, eventId: pending.arrival.eventId }, 'arrival not delivered yet; the sweep retries'),
    );
  }

  async deliver(pending: PendingArrival): Promise<void> {
    const reads = this.services.stores().gateReads;
    if (!(await this.crossings.signalArrival(pending.crossingId, pending.arrival))) await reads.recordClosedArrival(pending);
    await reads.markDelivered(pending.arrival.eventId);
  }

  start(): void {
    this.timer = setInterval(() => void this.sweep(), SWEEP_EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Delivers what is still undelivered a while after it was answered; returns how many were delivered. */
  async sweep(): Promise<number> {
    if (this.sweeping) return 0;
    this.sweeping = true;
    let delivered = 0;
    try {
      for (const pending of await this.services.stores().gateReads.undelivered(REDELIVER_AFTER_MS, SWEEP_BATCH)) {
        // One arrival that keeps failing must not hold the others up: it is tried again at the next sweep.
        try {
          await this.deliver(pending);
          delivered++;
        } catch (err) {
          this.log.warn({ err, eventId: pending.arrival.eventId }, 'arrival not delivered; the next sweep retries it');
        }
      }
    } catch (err) {
      this.log.warn({ err }, 'arrival sweep stopped early; it runs again shortly');
    } finally {
      this.sweeping = false;
    }
    return delivered;
  }
}
