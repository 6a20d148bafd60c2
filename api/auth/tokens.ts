import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Role } from '../../domain/roles';

/**
 * Signed, expiring bearer tokens (HS256). Each names its account (`sub`), the account's token version when issued
 * (`ver`) and its own id (`jti`). The account is read on every request: a token whose version is behind the
 * account's (after a password change, a disable or a re-enable) or whose id was revoked (a logout) stops working at
 * once.
 */
export interface TokenClaims {
  sub: string;
  role: Role;
  ver: number;
  jti: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
  /**
   * The account's gates and company when the token was issued: what a list needs, so that it can be read in the same
   * statement that checks the token still holds (infra/db/stores/request-opening.ts `tokenGuard`). Absent in tokens
   * issued before they were added.
   */
  gts?: string[];
  ctn?: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Tokens whose signature this process has checked, kept until they expire: a console polling every second sends the same one. */
const VERIFIED_KEPT = 5000;

export class TokenService {
  // A key object made once: given a string, jsonwebtoken first tries (and fails) to read it as a public key on every
  // verification, which showed up in the API's CPU profile under load.
  private readonly secret: KeyObject;
  /**
   * The claims of tokens already verified here, by the token's text, oldest first (a Map keeps insertion order). A
   * signature once checked stays good, so only the expiry is looked at again; whether the token still holds (its
   * account's version, a logout) is never cached: the request's opening statement checks it every time. Verifying
   * was 4 % of the API's CPU at 500 reads a second (bench/results/latest.md).
   */
  private readonly verified = new Map<string, TokenClaims>();

  constructor(
    secret: string,
    private readonly ttlSeconds: number,
  ) {
    this.secret = createSecretKey(Buffer.from(secret, 'utf8'));
  }

  issue(account: { id: string; role: Role; tokenVersion: number; gates: string[]; companyTaxCode: string | null }): {
    token: string;
    expiresAt: string;
  } {
    const claims = { role: account.role, ver: account.tokenVersion, gts: account.gates, ctn: account.companyTaxCode };
    const token = jwt.sign(claims, this.secret, {
      algorithm: 'HS256',
      subject: account.id,
      jwtid: randomUUID(),
      expiresIn: this.ttlSeconds,
      issuer: 'border-gate-clearance',
    });
    const { exp } = jwt.decode(token) as { exp: number };
    return { token, expiresAt: new Date(exp * 1000).toISOString() };
  }

  /** The claims of a valid token, or null for a missing, malformed, forged, expired or incomplete one. */
  verify(token: string): TokenClaims | null {
    const known = this.verified.get(token);
    if (known) {
      if (known.exp * 1000 > Date.now()) return known;
      this.verified.delete(token);
      return null;
    }
    const claims = this.check(token);
    if (claims) {
      if (this.verified.size >= VERIFIED_KEPT) this.verified.delete(this.verified.keys().next().value!);
      // Frozen: one object now answers every request made with this token, and none may change it for the next.
      Object.freeze(claims.gts);
      this.verified.set(token, Object.freeze(claims));
    }
    return claims;
  }

  private check(token: string): TokenClaims | null {
    try {
      const payload = jwt.verify(token, this.secret, { algorithms: ['HS256'], issuer: 'border-gate-clearance' });
      if (typeof payload === 'string') return null;
      // A token without an expiry would never end; one whose ids are not ours was not made here.
      if (typeof payload.exp !== 'number' || !Number.isInteger(payload.ver)) return null;
      if (typeof payload.sub !== 'string' || !UUID.test(payload.sub) || typeof payload.jti !== 'string' || !UUID.test(payload.jti)) {
        return null;
      }
      const claims: TokenClaims = { sub: payload.sub, role: payload.role as Role, ver: payload.ver, jti: payload.jti, exp: payload.exp };
      if (Array.isArray(payload.gts) && payload.gts.every((g) => typeof g === 'string')) claims.gts = payload.gts;
      if (typeof payload.ctn === 'string' || payload.ctn === null) claims.ctn = payload.ctn;
      return claims;
    } catch {
      return null;
    }
  }
}
