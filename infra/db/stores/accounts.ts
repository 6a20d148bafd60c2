import type { EntityManager } from '@mikro-orm/postgresql';
import type { Role } from '../../../domain/roles';
import type { Account } from '../entities/account';
import { sqlOf } from '../orm';

interface AccountRow {
  id: string;
  username: string;
  role: Role;
  gates: string[];
  company_tax_code: string | null;
  display_name: string | null;
  disabled: boolean;
  token_version: number;
  created_at: string;
  updated_at: string;
  revoked: boolean;
}

/** An advisory lock id of its own, for changes that must not leave the platform without an admin. */
const LAST_ADMIN_LOCK = 4240118;

/**
 * Accounts and the tokens ended before their expiry (`revoked_token`). Accounts are also loaded and changed as
 * entities (infra/db/entities/account.ts); what needs one statement, a lock or the token table is here.
 */
export class AccountStore {
  constructor(private readonly em: EntityManager) {}

  /**
   * An account as a token names it, with whether that token was revoked, in one round trip (the password hash is not
   * read). Undefined when there is no such account.
   */
  async forToken(accountId: string, jti: string): Promise<{ account: Account; revoked: boolean } | undefined> {
    const [row] = await sqlOf(this.em)<AccountRow>(
      `select a.id, a.username, a.role, a.gates, a.company_tax_code, a.display_name, a.disabled, a.token_version,
              a.created_at, a.updated_at, exists (select 1 from revoked_token r where r.jti = ?) as revoked
         from account a where a.id = ?`,
      [jti, accountId],
    );
    if (!row) return undefined;
    return {
      account: {
        id: row.id,
        username: row.username,
        passwordHash: '',
        role: row.role,
        gates: row.gates,
        companyTaxCode: row.company_tax_code,
        displayName: row.display_name,
        disabled: row.disabled,
        tokenVersion: row.token_version,
        createdAt: new Date(row.created_at),
        updatedAt: new Date(row.updated_at),
      },
      revoked: row.revoked,
    };
  }

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
