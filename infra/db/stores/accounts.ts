import type { EntityManager } from '@mikro-orm/postgresql';
import { sqlOf } from '../orm';

/** An advisory lock id of its own, for changes that must not leave the platform without an admin. */
const LAST_ADMIN_LOCK = 4240118;

/**
 * Accounts and the tokens ended before their expiry (`revoked_token`). Accounts are also loaded and changed as
 * entities (infra/db/entities/account.ts); what needs one statement, a lock or the token table is here.
 */
export class AccountStore {
  constructor(private readonly em: EntityManager) {}

  /**
   * How many admins other than this account are not disabled. Run inside the transaction that disables an admin: it
   * serialises such changes, so two admins disabling each other at once cannot leave none.
   */
  async otherActiveAdmins(accountId: string): Promise<number> {
    const sql = sqlOf(this.em);
    await sql(`select pg_advisory_xact_lock(${LAST_ADMIN_LOCK})`);
    const [{ others }] = await sql<{ others: number }>(
      `select count(*)::int as others from account where role = 'ADMIN' and not disabled and id <> ?`,
      [accountId],
    );
    return others;
  }

  /** Ends a token before its expiry (`exp`, epoch seconds); revoked tokens past their expiry are cleared a few at a time. */
  async revokeToken(jti: string, accountId: string, exp: number): Promise<void> {
    const sql = sqlOf(this.em);
    await sql('insert into revoked_token (jti, account_id, expires_at) values (?, ?, to_timestamp(?)) on conflict do nothing', [
      jti,
      accountId,
      exp,
    ]);
    // A revoked token past its expiry is refused for that alone: its row can go.
    await sql('delete from revoked_token where jti in (select jti from revoked_token where expires_at < now() limit 100)');
  }
}
