import type { Request } from 'express';
import type { Account } from '../../infra/db/entities/account';
import { sqlOf, type Services } from '../../infra/db/orm';
import type { Role } from '../../domain/roles';
import { forbidden, unauthorized } from '../problem';
import type { TokenClaims, TokenService } from './tokens';

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

/** The bearer token of a request, checked (signature, expiry, shape), or 401. */
export function bearerClaims(req: Request, tokens: TokenService): TokenClaims {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (!match) throw unauthorized('Send "Authorization: Bearer <token>"; get a token from POST /v1/auth/login.');
  const claims = tokens.verify(match[1]);
  if (!claims) throw unauthorized('The token is invalid or has expired; log in again.');
  return claims;
}

/**
 * Who is calling: the bearer token's account, read fresh from PostgreSQL on every request (with whether the token
 * was revoked, in the same round trip), so that a disabled account, a changed role or gates, a password change and
 * a logout take effect at once.
 */
export async function authenticate(
  req: Request,
  services: Services,
  tokens: TokenService,
): Promise<Account & { tokenClaims: TokenClaims }> {
  const claims = bearerClaims(req, tokens);
  const [row] = await sqlOf(services.em.fork())<AccountRow>(
    `select a.id, a.username, a.role, a.gates, a.company_tax_code, a.display_name, a.disabled, a.token_version,
            a.created_at, a.updated_at, exists (select 1 from revoked_token r where r.jti = ?) as revoked
       from account a where a.id = ?`,
    [claims.jti, claims.sub],
  );
  if (!row || row.disabled) throw unauthorized('This account is disabled or no longer exists.');
  if (row.revoked || row.token_version !== claims.ver) {
    throw unauthorized('This token has ended (logged out, or the password or account changed); log in again.');
  }
  return {
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
    tokenClaims: claims,
  };
}

export function requireRole(account: Account, roles: readonly Role[]): void {
  if (!roles.includes(account.role)) {
    throw forbidden(`This action is for ${roles.join(', ')}; your account is ${account.role}.`);
  }
}
