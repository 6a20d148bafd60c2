import type { Account } from '../infra/db/entities/account';

/** An account as the API shows it: never the password hash. */
export function accountView(account: Account) {
  return {
    id: account.id,
    username: account.username,
    role: account.role,
    gates: account.gates,
    companyTaxCode: account.companyTaxCode,
    displayName: account.displayName,
    disabled: account.disabled,
    createdAt: account.createdAt.toISOString(),
    updatedAt: account.updatedAt.toISOString(),
  };
}
