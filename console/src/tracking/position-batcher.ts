/**
 * The driver's phone sends its positions in batches (API.md: `POST /v1/crossings/{id}/positions`, 1–100 points): a
 * batch goes when `maxPoints` fixes are waiting or `everyMs` has passed since the last one, whichever comes first, and
 * the very first fix goes at once so the truck is on the police's map from the moment the page opens.
 *
 * Each batch has its own Idempotency-Key, chosen when the batch is cut. A batch whose outcome is unknown (no answer,
 * a 5xx) is kept whole and sent again with the same key, before any newer point, so a batch the server did store
 * is never stored twice and points keep their order. Fixes arriving meanwhile wait for the next batch. A batch the
 * server refused for good (400: bad points) is dropped; an ended crossing or a dead link (`stop`) stops the sending.
 */
export interface Fix {
  at: string;
  lat: number;
  lon: number;
  speedKmh?: number;
  headingDeg?: number;
  accuracyM?: number;
}

/** What became of one attempt: stored, to be tried again with the same key, refused for good, or no more sending. */
export type SendOutcome = 'sent' | 'retry' | 'drop' | 'stop';

export interface BatcherState {
  /** Fixes not yet stored by the server (the batch in flight or to retry, and those waiting). */
  pending: number;
  lastSentAt: Date | null;
  /** The last attempt did not reach the server: the batch will be sent again. */
  retrying: boolean;
  stopped: boolean;
}

const MAX_PER_BATCH = 100;

export class PositionBatcher {
  private waiting: Fix[] = [];
  private unsent: { points: Fix[]; key: string } | null = null;
  private inFlight = false;
  private sentOnce = false;
  private timer: ReturnType<typeof setInterval> | undefined;
  private state: BatcherState = { pending: 0, lastSentAt: null, retrying: false, stopped: false };

  constructor(
    private readonly send: (points: Fix[], idempotencyKey: string) => Promise<SendOutcome>,
    private readonly onChange: (state: BatcherState) => void,
    private readonly opts: { everyMs: number; maxPoints: number; newKey: () => string } = {
      everyMs: 30_000,
      maxPoints: 10,
      newKey: () => crypto.randomUUID(),
    },
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.opts.everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.update({ stopped: true });
  }

  add(fix: Fix): void {
    if (this.state.stopped) return;
    this.waiting.push(fix);
    this.update({});
    if (!this.sentOnce || this.waiting.length >= this.opts.maxPoints) void this.flush();
  }

  /** Sends the batch to retry, else the fixes waiting; one request at a time. */
  async flush(): Promise<void> {
    if (this.inFlight || this.state.stopped) return;
    if (!this.unsent && this.waiting.length === 0) return;
    const batch = this.unsent ?? { points: this.waiting.splice(0, MAX_PER_BATCH), key: this.opts.newKey() };
    this.unsent = batch;
    this.inFlight = true;
    let outcome: SendOutcome;
    try {
      outcome = await this.send(batch.points, batch.key);
    } catch {
      outcome = 'retry';
    }
    this.inFlight = false;
    if (outcome === 'retry') {
      this.update({ retrying: true });
      return;
    }
    this.unsent = null;
    this.sentOnce = true;
    if (outcome === 'stop') {
      this.waiting = [];
      this.stop();
      return;
    }
    this.update(outcome === 'sent' ? { retrying: false, lastSentAt: new Date() } : { retrying: false });
    if (this.waiting.length >= this.opts.maxPoints) void this.flush();
  }

  private update(change: Partial<BatcherState>): void {
    this.state = { ...this.state, ...change, pending: this.waiting.length + (this.unsent?.points.length ?? 0) };
    this.onChange(this.state);
  }
}

/** A browser's fix as the API takes a point: km/h from m/s, and only the readings the phone really has. */
export function fixOf(position: GeolocationPosition): Fix {
  const { latitude, longitude, speed, heading, accuracy } = position.coords;
  const fix: Fix = { at: new Date(position.timestamp).toISOString(), lat: latitude, lon: longitude };
  if (typeof speed === 'number' && Number.isFinite(speed) && speed >= 0) fix.speedKmh = Math.min(250, Math.round(speed * 36) / 10);
  if (typeof heading === 'number' && Number.isFinite(heading) && heading >= 0 && heading <= 360) fix.headingDeg = heading;
  if (typeof accuracy === 'number' && Number.isFinite(accuracy) && accuracy >= 0) fix.accuracyM = Math.min(100_000, accuracy);
  return fix;
}
