import type { Logger } from './logger';

/**
 * Retries a connection attempt until it succeeds or the deadline passes, logging each failure once per attempt. An
 * error `retryIf` says waiting cannot cure (a wrong setting) is thrown at once.
 */
export async function retryUntil<T>(
  what: string,
  attempt: () => Promise<T>,
  opts: { log?: Logger; timeoutMs?: number; intervalMs?: number; retryIf?: (err: unknown) => boolean } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (Date.now() > deadline || (opts.retryIf && !opts.retryIf(err))) throw err;
      opts.log?.warn({ err }, `${what} not reachable yet, retrying`);
      await new Promise((resolve) => setTimeout(resolve, opts.intervalMs ?? 1000));
    }
  }
}
