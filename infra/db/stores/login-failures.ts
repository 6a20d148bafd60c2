import type { EntityManager } from '@mikro-orm/postgresql';
import { sqlOf } from '../orm';
import { sqlIn } from './sql-where';

/**
 * Failed-login counters by key (an account, an address, an account from an address), each counting within a window,
 * with the time its key must wait until. The throttle's rules are api/auth/login-throttle.ts; this is only its
 * table. Run inside one transaction per try, so the locks hold until it is counted.
 */
export class LoginFailureStore {
  constructor(private readonly em: EntityManager) {}

  /** Takes each key's transaction-scoped lock, in the order given (callers keep one order, so none wait in a circle). */
  async lock(keys: readonly string[]): Promise<void> {
    for (const key of keys) await sqlOf(this.em)('select pg_advisory_xact_lock(hashtext(?))', [key]);
  }

  /** The key of these that must wait longest, and for how many seconds more; undefined when none must wait. */
  async waiting(keys: readonly string[]): Promise<{ key: string; waitS: number } | undefined> {
    const within = sqlIn('key', keys);
    const [row] = await sqlOf(this.em)<{ key: string; wait_s: number }>(
      `select key, ceil(extract(epoch from blocked_until - now()))::int as wait_s from login_failure
        where ${within.sql} and blocked_until > now() order by blocked_until desc limit 1`,
      within.params,
    );
    return row && { key: row.key, waitS: row.wait_s };
  }

  /** Counts one failure on every key; a count whose window (seconds) has passed starts again. Answers each key's count. */
  async count(keys: readonly string[], windowS: number): Promise<Map<string, number>> {
    const rows = await sqlOf(this.em)<{ key: string; failures: number }>(
      `insert into login_failure (key, failures, first_at, last_at) values ${keys.map(() => '(?, 1, now(), now())').join(', ')}
       on conflict (key) do update set
         failures = case when login_failure.first_at < now() - ? * interval '1 second' then 1 else login_failure.failures + 1 end,
         first_at = case when login_failure.first_at < now() - ? * interval '1 second' then now() else login_failure.first_at end,
         last_at = now()
       returning key, failures`,
      [...keys, windowS, windowS],
    );
    return new Map(rows.map((r) => [r.key, r.failures]));
  }

  /** Each key waits this many seconds from now (0: not at all). */
  async block(waits: readonly { key: string; seconds: number }[]): Promise<void> {
    if (!waits.length) return;
    const within = sqlIn(
      'key',
      waits.map((w) => w.key),
    );
    await sqlOf(this.em)(
      `update login_failure set blocked_until = case key ${waits.map(() => `when ? then now() + ? * interval '1 second'`).join(' ')} end
        where ${within.sql}`,
      [...waits.flatMap((w) => [w.key, w.seconds]), ...within.params],
    );
  }

  /** Forgets these keys' counts. */
  async clear(keys: readonly string[]): Promise<void> {
    const within = sqlIn('key', keys);
    await sqlOf(this.em)(`delete from login_failure where ${within.sql}`, within.params);
  }

  /** Takes one failure back from a key, and lifts its wait once it is under `blockFrom` failures. */
  async forgiveOne(key: string, blockFrom: number): Promise<void> {
    await sqlOf(this.em)(
      `update login_failure set failures = greatest(failures - 1, 0),
              blocked_until = case when failures - 1 < ? then null else blocked_until end
        where key = ?`,
      [blockFrom, key],
    );
  }

  /** Counters untouched for a day are of no use. */
  async prune(): Promise<void> {
    await sqlOf(this.em)(`delete from login_failure where last_at < now() - interval '1 day'`);
  }
}
