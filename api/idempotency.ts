import { createHash } from 'node:crypto';
import type { ApiContext } from './context';
import { ApiError, conflict, invalidFields, problemBody, toApiError } from './problem';
import type { Reply } from './route';

/**
 * `Idempotency-Key` on every state-changing request (API.md): the same key with the same request gets the first
 * answer again and has no second effect; the same key with a different request is refused with 422. Keys are per
 * account. The first answer is stored once the handler has given it, unless it tells the client to retry: a 5xx, or any
 * answer with `Retry-After` (a crossing busy with other requests, a 409 whose outcome is still unknown). Storing one of
 * those would replay "retry shortly" to every retry for ever; instead the claim is released, so the retry runs for
 * real and gets the real outcome.
 *
 * A request claims its key with a lease as long as a request may run (REQUEST_TIMEOUT_MS, plus a margin). A second
 * request with the key while the lease runs gets 409 with `Retry-After`; once it has run out (the first request was
 * cut: its client left, or its API process was killed) the next one takes the claim over. Routes whose change is
 * repeatable under the same key (a Temporal Update whose id comes from the key: Temporal itself answers a repeat with
 * the first outcome) never wait: they run again and get the real outcome at once.
 */
export const LEASE_MARGIN_MS = 2000;
export const MAX_KEY_LENGTH = 200;

export function requestHash(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method} ${path}\n${JSON.stringify(body ?? null)}`)
    .digest('hex');
}

/** An answer that tells its client to come again (API.md: 503, and 409 with `Retry-After`): never kept as the outcome. */
export function tellsToRetry(status: number, headers: Record<string, string> | undefined): boolean {
  if (status >= 500) return true;
  return Object.keys(headers ?? {}).some((name) => name.toLowerCase() === 'retry-after');
}

export async function idempotent(
  ctx: ApiContext,
  request: { accountId: string; key: string; hash: string; repeatable: boolean; claimed?: boolean },
  run: () => Promise<Reply>,
): Promise<Reply> {
  const { accountId, key, hash } = request;
  if (key.length > MAX_KEY_LENGTH) throw invalidFields([{ path: 'header.Idempotency-Key', message: 'must be at most 200 characters' }]);
  const store = ctx.services.stores().idempotency;
  const leaseMs = ctx.config.requestTimeoutMs + LEASE_MARGIN_MS;
  // Claimed already by the request's opening statement (api/route.ts), or here.
  if (!(request.claimed ?? (await store.claim(accountId, key, hash, leaseMs)))) {
    const stored = await store.find(accountId, key);
    if (stored && stored.requestHash !== hash) {
      throw new ApiError(
        422,
        'Unprocessable Content',
        'This Idempotency-Key was already used with a different request; use a new key for a new action.',
      );
    }
    if (stored?.answer) return { ...stored.answer, replayed: true };
    if (!request.repeatable) {
      const busy = (ms: number) => {
        const seconds = Math.max(1, Math.ceil(ms / 1000));
        return conflict(
          `A request with this Idempotency-Key is still being processed; retry in ${seconds} s with the same key to get its answer.`,
          undefined,
          { 'Retry-After': String(seconds) },
        );
      };
      const leftMs = stored?.leaseLeftMs ?? 0;
      if (leftMs > 0) throw busy(leftMs);
      // Another retry may take the expired claim over first.
      if (!(await store.takeOver(accountId, key, leaseMs))) throw busy(1000);
    }
  }

  let reply: Reply;
  try {
    reply = await run();
  } catch (err) {
    const problem = toApiError(err);
    if (tellsToRetry(problem.status, problem.headers)) {
      // Not an answer to keep: the retry runs again (and, for a repeatable change, learns the real outcome).
      await store.release(accountId, key).catch(() => undefined);
      throw err;
    }
    reply = { status: problem.status, body: problemBody(problem), contentType: 'application/problem+json', headers: problem.headers };
  }
  if (tellsToRetry(reply.status ?? 200, reply.headers)) {
    await store.release(accountId, key).catch(() => undefined);
    return reply;
  }
  try {
    await store.answer(accountId, key, {
      status: reply.status ?? 200,
      body: (reply.kept !== undefined ? reply.kept : reply.body) ?? null,
      headers: { ...reply.headers, ...(reply.contentType ? { 'Content-Type': reply.contentType } : {}) },
    });
  } catch (err) {
    // The change is made: the client gets its real answer. A retry finds the claim expired and runs again, which a
    // repeatable change answers from Temporal; say so in the log rather than telling the client nothing happened.
    ctx.log.warn({ err }, 'could not store the answer of an idempotent request');
  }
  return reply;
}
