import { sqlOf, type Services } from '../../infra/db/orm';
import { ApiError } from '../problem';

/**
 * Password guessing is slowed down where it comes from, never by locking an account: anyone can send wrong passwords
 * for any username, so a lock on the account would let anyone lock out anyone, the admin included.
 *
 * - An address that keeps failing for one account waits, after FREE_TRIES failures, 1 s, then 2, 4, 8 … up to 15 min
 *   before its next try for that account is even checked.
 * - When an account has many failures from everywhere (LOGIN_FAILURES_PER_ACCOUNT in 15 min: guessing spread over many
 *   addresses), every failing address waits from its first failure on.
 * - An address failing across accounts (LOGIN_FAILURES_PER_ADDRESS in 15 min: credential stuffing) waits the same way
 *   for any account.
 * - An address that has not been failing always has its password checked: the right password from there logs in.
 *
 * The counters live in PostgreSQL, so every API replica sees the same ones; a success clears its address's count for
 * that account and the account's count.
 */
const WINDOW = "interval '15 minutes'";
const FREE_TRIES = 3;
const MAX_WAIT_S = 15 * 60;

type Sql = ReturnType<typeof sqlOf>;
type Keys = ReturnType<typeof keys>;

const keys = (username: string, address: string) => ({
  pair: `pair:${username.toLowerCase()}|${address}`,
  account: `account:${username.toLowerCase()}`,
  address: `address:${address}`,
});

/** The wait after `failures` failures once `free` are spent, in seconds (0: no wait yet). */
const waitAfter = (failures: number, free: number) => (failures < free ? 0 : Math.min(MAX_WAIT_S, 2 ** (failures - free)));

export class LoginThrottle {
  constructor(
    private readonly services: Services,
    private readonly limits: { perAccount: number; perAddress: number },
  ) {}

  /**
   * Before a password is checked: refuses (429, with Retry-After) a try from an address that must wait, and otherwise
   * counts the try as a failure until `succeeded` takes it back. Tries of one account from one address, and tries from
   * one address, are checked and counted one at a time (advisory locks, a few milliseconds), so a burst of parallel
   * guesses cannot all pass the check before the first of them is counted.
   */
  async begin(username: string, address: string): Promise<void> {
    const k = keys(username, address);
    await this.services.em.fork().transactional(async (tx) => {
      const sql = sqlOf(tx);
      // Always the pair first, then the address: two tries never wait for each other in a circle.
      await sql('select pg_advisory_xact_lock(hashtext(?))', [k.pair]);
      await sql('select pg_advisory_xact_lock(hashtext(?))', [k.address]);
      await this.refuseIfWaiting(sql, k);
      await this.count(sql, k);
    });
  }

  /** The password was right: the try is not a failure, and the address's count for the account starts again. */
  async succeeded(username: string, address: string): Promise<void> {
    const k = keys(username, address);
    await this.services.em.fork().transactional(async (tx) => {
      const sql = sqlOf(tx);
      await sql('delete from login_failure where key in (?, ?)', [k.pair, k.account]);
      await sql(
        `update login_failure set failures = greatest(failures - 1, 0),
                blocked_until = case when failures - 1 < ? then null else blocked_until end
          where key = ?`,
        [this.limits.perAddress, k.address],
      );
    });
  }

  private async refuseIfWaiting(sql: Sql, k: Keys): Promise<void> {
    const [row] = await sql<{ key: string; wait_s: number }>(
      `select key, ceil(extract(epoch from blocked_until - now()))::int as wait_s from login_failure
        where key in (?, ?) and blocked_until > now() order by blocked_until desc limit 1`,
      [k.pair, k.address],
    );
    if (!row) return;
    const what = row.key === k.pair ? 'for this account from this address' : 'from this address';
    throw new ApiError(
      429,
      'Too Many Requests',
      `Too many failed logins ${what}; wait ${row.wait_s} s before trying again.`,
      undefined,
      undefined,
      { 'Retry-After': String(row.wait_s) },
    );
  }

  private async count(sql: Sql, k: Keys): Promise<void> {
    // One statement counts the try on all three keys; a count whose window has passed starts again.
    const counts = await sql<{ key: string; failures: number }>(
      `insert into login_failure (key, failures, first_at, last_at) values (?, 1, now(), now()), (?, 1, now(), now()), (?, 1, now(), now())
       on conflict (key) do update set
         failures = case when login_failure.first_at < now() - ${WINDOW} then 1 else login_failure.failures + 1 end,
         first_at = case when login_failure.first_at < now() - ${WINDOW} then now() else login_failure.first_at end,
         last_at = now()
       returning key, failures`,
      [k.pair, k.account, k.address],
    );
    const failures = (key: string) => counts.find((c) => c.key === key)?.failures ?? 0;
    const underAttack = failures(k.account) >= this.limits.perAccount;
    const pairWait = waitAfter(failures(k.pair), underAttack ? 1 : FREE_TRIES);
    const addressWait = waitAfter(failures(k.address), this.limits.perAddress);
    await sql(
      `update login_failure set blocked_until = case key when ? then now() + ? * interval '1 second'
                                                        when ? then now() + ? * interval '1 second' end
        where key in (?, ?)`,
      [k.pair, pairWait, k.address, addressWait, k.pair, k.address],
    );
    // Old counters are of no use; clear some now and then rather than on a schedule.
    if (Math.random() < 0.01) await sql(`delete from login_failure where last_at < now() - interval '1 day'`);
  }
}
