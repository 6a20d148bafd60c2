import type { Logger } from './logger';

/** Retries a connection attempt until it succeeds or the deadline passes, logging each failure once per attempt. */
export async function retryUntil<T>(
  what: string,
  attempt: () => Promise<T>,
  opts: { log?: Logger; timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      opts.log?.warn({ err: (err as Error).message }, `${what} not reachable yet, retrying`);
      await new Promise((resolve) => setTimeout(resolve, opts.intervalMs ?? 1000));
    }
  }
}
