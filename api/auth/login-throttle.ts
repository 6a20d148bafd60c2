import type { Services } from '../../infra/db/orm';
import { storesOver, type Stores } from '../../infra/db/stores';
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
const WINDOW_S = 15 * 60;
const FREE_TRIES = 3;
const MAX_WAIT_S = 15 * 60;

type Failures = Stores['loginFailures'];
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
      const failures = storesOver(tx).loginFailures;
      // Always the pair first, then the address: two tries never wait for each other in a circle.
      await failures.lock([k.pair, k.address]);
      await this.refuseIfWaiting(failures, k);
      await this.count(failures, k);
    });
  }

  /** The password was right: the try is not a failure, and the address's count for the account starts again. */
  async succeeded(username: string, address: string): Promise<void> {
    const k = keys(username, address);
    await this.services.em.fork().transactional(async (tx) => {
      const failures = storesOver(tx).loginFailures;
      await failures.clear([k.pair, k.account]);
      await failures.forgiveOne(k.address, this.limits.perAddress);
    });
  }

  private async refuseIfWaiting(failures: Failures, k: Keys): Promise<void> {
    const waiting = await failures.waiting([k.pair, k.address]);
    if (!waiting) return;
    const what = waiting.key === k.pair ? 'for this account from this address' : 'from this address';
    throw new ApiError(
      429,
      'Too Many Requests',
      `Too many failed logins ${what}; wait ${waiting.waitS} s before trying again.`,
      undefined,
      undefined,
      { 'Retry-After': String(waiting.waitS) },
    );
  }

  private async count(failures: Failures, k: Keys): Promise<void> {
    // One statement counts the try on all three keys; a count whose window has passed starts again.
    const counts = await failures.count([k.pair, k.account, k.address], WINDOW_S);
    const failuresOf = (key: string) => counts.get(key) ?? 0;
    const underAttack = failuresOf(k.account) >= this.limits.perAccount;
    const pairWait = waitAfter(failuresOf(k.pair), underAttack ? 1 : FREE_TRIES);
    const addressWait = waitAfter(failuresOf(k.address), this.limits.perAddress);
    await failures.block([
      { key: k.pair, seconds: pairWait },
      { key: k.address, seconds: addressWait },
    ]);
    // Old counters are of no use; clear some now and then rather than on a schedule.
    if (Math.random() < 0.01) await failures.prune();
  }
}
