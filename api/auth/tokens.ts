import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Role } from '../../domain/roles';

/** Signed, expiring bearer tokens (HS256). The account is loaded again on every request, so disabling one bites at once. */
export interface TokenClaims {
  sub: string;
  role: Role;
}

export class TokenService {
  // A key object made once: given a string, jsonwebtoken first tries (and fails) to read it as a public key on every
  // verification, which showed up in the API's CPU profile under load.
  private readonly secret: KeyObject;

  constructor(
    secret: string,
    private readonly ttlSeconds: number,
  ) {
    this.secret = createSecretKey(Buffer.from(secret, 'utf8'));
  }

  issue(claims: TokenClaims): { token: string; expiresAt: string } {
    const token = jwt.sign({ role: claims.role }, this.secret, {
      algorithm: 'HS256',
      subject: claims.sub,
      expiresIn: this.ttlSeconds,
      issuer: 'border-gate-clearance',
    });
    const { exp } = jwt.decode(token) as { exp: number };
    return { token, expiresAt: new Date(exp * 1000).toISOString() };
  }

  /** The claims of a valid token, or null for a missing, malformed, forged or expired one. */
  verify(token: string): TokenClaims | null {
    try {
      const payload = jwt.verify(token, this.secret, { algorithms: ['HS256'], issuer: 'border-gate-clearance' });
      if (typeof payload === 'string' || !payload.sub) return null;
      return { sub: payload.sub, role: payload.role as Role };
    } catch {
      return null;
    }
  }
}
