import type { Logger } from '../infra/logger';

/**
 * A keeper's round at the worker's start and then every `everyMs`: what makes sure a process that ends when idle and
 * is started by a wake (a queue dispatcher, a subscription's deliveries) runs all the same when its wake was lost,
 * Temporal being away at that moment. A failed round is said and tried again at the next.
 */
export function startKeeper(opts: { everyMs: number; log: Logger; failure: string }, round: () => Promise<void>) {
  let stopped = false;
  const run = async () => {
    try {
      await round();
    } catch (err) {
      if (!stopped) opts.log.warn({ error: String(err) }, opts.failure);
    }
  };
  void run();
  const timer = setInterval(() => void run(), opts.everyMs);
  timer.unref();
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
