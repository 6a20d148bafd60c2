import type { Logger } from '../infra/logger';

/** A fact not yet taken by its crossing this long after it was stored is delivered again by the sweep. */
const REDELIVER_AFTER_MS = 5000;
const SWEEP_EVERY_MS = 5000;
const SWEEP_BATCH = 100;

/**
 * Facts that reach a crossing's workflow after their sender had its answer (a plate read, a first position in the
 * corridor): each is stored undelivered first, sent at once in the background, and a sweep in every API process
 * delivers what an earlier attempt did not (the API stopped, Temporal was away). Two processes delivering one fact is
 * harmless: the crossing keeps each once.
 */
export abstract class SweptDelivery<T> {
  private timer: NodeJS.Timeout | undefined;
  private sweeping = false;

  protected constructor(
    protected readonly log: Logger,
    /** What is delivered, for the log: "arrival", "approach". */
    private readonly what: string,
  ) {}

  /** Delivers one fact and marks it delivered. */
  abstract deliver(item: T): Promise<void>;
  /** The facts still undelivered `olderThanMs` after they were stored. */
  protected abstract undelivered(olderThanMs: number, limit: number): Promise<T[]>;
  /** What names a fact in the log (never personal data). */
  protected abstract idOf(item: T): Record<string, unknown>;

  /** Delivers one fact now, in the background; a failure leaves it to the sweep. */
  soon(item: T): void {
    this.deliver(item).catch((err) => this.log.warn({ err, ...this.idOf(item) }, `${this.what} not delivered yet; the sweep retries`));
  }

  start(): void {
    this.timer = setInterval(() => void this.sweep(), SWEEP_EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Delivers what is still undelivered a while after it was stored; returns how many were delivered. */
  async sweep(): Promise<number> {
    if (this.sweeping) return 0;
    this.sweeping = true;
    let delivered = 0;
    try {
      for (const item of await this.undelivered(REDELIVER_AFTER_MS, SWEEP_BATCH)) {
        // One fact that keeps failing must not hold the others up: it is tried again at the next sweep.
        try {
          await this.deliver(item);
          delivered++;
        } catch (err) {
          this.log.warn({ err, ...this.idOf(item) }, `${this.what} not delivered; the next sweep retries it`);
        }
      }
    } catch (err) {
      this.log.warn({ err }, `${this.what} sweep stopped early; it runs again shortly`);
    } finally {
      this.sweeping = false;
    }
    return delivered;
  }
}
