import { createHash } from 'node:crypto';
import { sqlOf } from '../infra/db/orm';
import type { ApiContext } from './context';
import { ApiError, badRequest, conflict, problemBody, toApiError } from './problem';
import type { Reply } from './route';

/**
 * `Idempotency-Key` on every state-changing request (API.md): the same key with the same request gets the first
 * answer again and has no second effect; the same key with a different request is refused with 422. Keys are per
 * account. The first answer is stored once the handler has given it (an answer of 5xx is not stored: the client may
 * retry that). A key whose first request is still running answers 409; one abandoned by a crashed process for longer
 * than STALE_MS is taken over.
 *
 * The crossing routes also pass the key to Temporal as the Update id, so even two requests racing past this table
 * reach the workflow as one message.
 */
const STALE_MS = 120_000;

interface Stored {
  request_hash: string;
  status: number | null;
  body: unknown;
  headers: Record<string, string> | null;
  created_at: Date | string;
}

export function requestHash(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method} ${path}\n${JSON.stringify(body ?? null)}`)
    .digest('hex');
}

export async function idempotent(ctx: ApiContext, accountId: string, key: string, hash: string, run: () => Promise<Reply>): Promise<Reply> {
  if (key.length > 200)
    throw badRequest('The Idempotency-Key is too long.', [{ path: 'header.Idempotency-Key', message: 'must be at most 200 characters' }]);
  const sql = sqlOf(ctx.services.em.fork());
  const claimed = await sql(
    `insert into idempotency_record (account_id, key, request_hash) values (?, ?, ?) on conflict do nothing returning key`,
    [accountId, key, hash],
  );
  if (claimed.length === 0) {
    const [stored] = await sql<Stored>(
      'select request_hash, status, body, headers, created_at from idempotency_record where account_id = ? and key = ?',
      [accountId, key],
    );
    if (stored && stored.request_hash !== hash) {
      throw new ApiError(
        422,
        'Unprocessable Content',
        'This Idempotency-Key was already used with a different request; use a new key for a new action.',
      );
    }
    if (stored?.status != null) return { status: stored.status, body: stored.body, headers: stored.headers ?? {}, replayed: true };
    const stale = stored && Date.now() - new Date(stored.created_at).getTime() > STALE_MS;
    if (!stale) throw conflict('A request with this Idempotency-Key is still being processed; retry shortly.');
    await sql('update idempotency_record set created_at = now() where account_id = ? and key = ?', [accountId, key]);
  }

  let reply: Reply;
  try {
    reply = await run();
  } catch (err) {
    const problem = toApiError(err);
    if (problem.status >= 500) {
      await sql('delete from idempotency_record where account_id = ? and key = ?', [accountId, key]);
      throw err;
    }
    reply = { status: problem.status, body: problemBody(problem), contentType: 'application/problem+json' };
  }
  await sql('update idempotency_record set status = ?, body = ?, headers = ? where account_id = ? and key = ?', [
    reply.status ?? 200,
    JSON.stringify(reply.body ?? null),
    JSON.stringify({ ...reply.headers, ...(reply.contentType ? { 'Content-Type': reply.contentType } : {}) }),
    accountId,
    key,
  ]);
  return reply;
}
