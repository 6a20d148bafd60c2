import { CancellationScope, sleep } from '@temporalio/workflow';

/**
 * The crossing's one deadline timer, as in Temporal's updatable-timer sample: the deadline is data, and the timer is
 * moved when the data moves. It is kept while the next deadline is no earlier than when it rings (ringing early only
 * re-arms it), so a crossing that moves faster than its SLAs starts one timer in all instead of cancelling and
 * starting one at every transition: two history events fewer per decision.
 */
export class DeadlineAlarm {
  private current: { at: number; scope: CancellationScope; rang: boolean } | undefined;

  /** Rings at `at` (epoch ms), unless it already rings no later. */
  set(at: number): void {
    if (this.current && !this.current.rang && this.current.at <= at) return;
    this.current?.scope.cancel();
    const next = { at, scope: new CancellationScope(), rang: false };
    next.scope
      .run(() => sleep(Math.max(1, at - Date.now())))
      .then(
        () => (next.rang = true),
        () => undefined, // cancelled: a nearer deadline replaced it
      );
    this.current = next;
  }

  get rang(): boolean {
    return this.current?.rang === true;
  }

  /** After a ring is handled: the next `set` starts a new timer. */
  reset(): void {
    this.current = undefined;
  }
}
