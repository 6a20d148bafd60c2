import type { Request } from 'express';
import { AccountSchema, type Account } from '../../infra/db/entities/account';
import type { Services } from '../../infra/db/orm';
import type { Role } from '../../domain/roles';
import { forbidden, unauthorized } from '../problem';
import type { TokenService } from './tokens';

/**
 * Who is calling: the bearer token's account, loaded fresh from PostgreSQL on every request so that a disabled
 * account or a changed role takes effect at once.
 */
export async function authenticate(req: Request, services: Services, tokens: TokenService): Promise<Account> {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw unauthorized('Send "Authorization: Bearer <token>"; get a token from POST /v1/auth/login.');
  const claims = tokens.verify(match[1]);
  if (!claims) throw unauthorized('The token is invalid or has expired; log in again.');
  const account = await services.em.fork().findOne(AccountSchema, { id: claims.sub });
  if (!account || account.disabled) throw unauthorized('This account is disabled or no longer exists.');
  return account;
}

export function requireRole(account: Account, roles: readonly Role[]): void {
  if (!roles.includes(account.role)) {
    throw forbidden(`This action is for ${roles.join(', ')}; your account is ${account.role}.`);
  }
}
