import type { Request } from 'express';
import type { Account } from '../../infra/db/entities/account';
import type { Services } from '../../infra/db/orm';
import type { Role } from '../../domain/roles';
import { forbidden, unauthorized } from '../problem';
import type { TokenClaims, TokenService } from './tokens';

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
  const found = await services.stores().accounts.forToken(claims.sub, claims.jti);
  if (!found || found.account.disabled) throw unauthorized('This account is disabled or no longer exists.');
  if (found.revoked || found.account.tokenVersion !== claims.ver) {
    throw unauthorized('This token has ended (logged out, or the password or account changed); log in again.');
  }
  return { ...found.account, tokenClaims: claims };
}

export function requireRole(account: Account, roles: readonly Role[]): void {
  if (!roles.includes(account.role)) {
    throw forbidden(`This action is for ${roles.join(', ')}; your account is ${account.role}.`);
  }
}
