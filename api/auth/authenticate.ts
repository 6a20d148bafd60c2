import type { Request } from 'express';
import type { Account } from '../../infra/db/entities/account';
import type { Opening } from '../../infra/db/stores/request-opening';
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
 * Who is calling: the bearer token's account as the request's opening statement read it, fresh from PostgreSQL on
 * every request (infra/db/stores/request-opening.ts), so that a disabled account, a changed role or gates, a password
 * change and a logout take effect at once.
 */
export function callerOf(opening: Opening, claims: TokenClaims): Account & { tokenClaims: TokenClaims } {
  const { account } = opening;
  if (!account || account.disabled) throw unauthorized('This account is disabled or no longer exists.');
  if (opening.revoked || account.tokenVersion !== claims.ver) {
    throw unauthorized('This token has ended (logged out, or the password or account changed); log in again.');
  }
  return { ...account, tokenClaims: claims };
}

export function requireRole(account: Account, roles: readonly Role[]): void {
  if (!roles.includes(account.role)) {
    throw forbidden(`This action is for ${roles.join(', ')}; your account is ${account.role}.`);
  }
}
