/** A small HTTP client for the benchmarks: JSON in and out, the time each call took. */
export interface Timed<T = any> {
  status: number;
  body: T;
  ms: number;
  /** Seconds from `Retry-After`, when the answer says "come again" (a 503, a 409 still being processed). */
  retryAfter?: number;
  /**
   * From when the call was due to when its answer came, ms, for calls sent on a schedule (arrivals.ts): `ms` counts
   * from the actual send, so a client that falls behind its schedule shows here and not there.
   */
  sinceDueMs?: number;
}

/**
 * A client of one API, or of several (replicas of one system) taken in turn call by call, so one crossing's calls
 * alternate between them as behind a round-robin load balancer.
 */
export function client(baseUrls: string | string[]) {
  const urls = typeof baseUrls === 'string' ? [baseUrls] : baseUrls;
  let turn = 0;
  return async function call<T = any>(
    method: string,
    path: string,
    // `raw` is a JSON body sent byte for byte as given: what a device signs is exactly what goes on the wire.
    opts: { token?: string; body?: unknown; raw?: string; key?: string; headers?: Record<string, string> } = {},
  ): Promise<Timed<T>> {
    const body = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
    const baseUrl = urls[turn++ % urls.length];
    const started = performance.now();
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        ...(opts.key ? { 'idempotency-key': opts.key } : {}),
        ...opts.headers,
      },
      body,
    });
    const text = await res.text();
    const ms = performance.now() - started;
    const retryAfter = res.headers.get('retry-after');
    return {
      status: res.status,
      body: (text ? JSON.parse(text) : undefined) as T,
      ms,
      ...(retryAfter === null ? {} : { retryAfter: Number(retryAfter) }),
    };
  };
}

/** Runs `task` for 0..n-1 with at most `concurrency` at once. */
export async function pool(n: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      while (next < n) await task(next++);
    }),
  );
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** A change sent again with its key after a 503 or a 409 "still running", as API.md tells clients. */
export async function retrying(send: () => Promise<Timed>, onRetry: () => void): Promise<Timed> {
  for (let attempt = 1; ; attempt++) {
    const res = await send();
    const again = res.status === 503 || (res.status === 409 && res.retryAfter !== undefined);
    if (!again || attempt >= 10) return res;
    onRetry();
    await new Promise((r) => setTimeout(r, Math.min(res.retryAfter ?? 1, 2) * 1000));
  }
}
