import { randomUUID } from 'node:crypto';
import { TokenService } from '../api/auth/tokens';

/** The token service alone: what it keeps of a token it has verified, and what it never lets that keeping change. */
const account = { id: randomUUID(), role: 'BORDER_GUARD' as const, tokenVersion: 3, gates: ['HUU_NGHI'], companyTaxCode: null };

describe('verified tokens', () => {
  afterEach(() => jest.restoreAllMocks());

  it('gives the same claims for a token verified again, and no one can change them', () => {
    const tokens = new TokenService('a secret of the test, long enough', 60);
    const { token } = tokens.issue(account);
    const first = tokens.verify(token)!;
    expect(first).toMatchObject({ sub: account.id, role: 'BORDER_GUARD', ver: 3, gts: ['HUU_NGHI'], ctn: null });
    expect(tokens.verify(token)).toBe(first);
    expect(() => (first.gts as string[]).push('LAO_CAI')).toThrow(TypeError);
    expect(() => Object.assign(first, { role: 'ADMIN' })).toThrow(TypeError);
  });

  it('ends a kept token at its expiry, as a token checked for the first time would', () => {
    const tokens = new TokenService('a secret of the test, long enough', 60);
    const { token, expiresAt } = tokens.issue(account);
    expect(tokens.verify(token)).not.toBeNull();
    jest.spyOn(Date, 'now').mockReturnValue(Date.parse(expiresAt));
    expect(tokens.verify(token)).toBeNull();
    expect(new TokenService('a secret of the test, long enough', 60).verify(token)).toBeNull();
  });

  it('refuses a token altered after its original was kept, and one signed with another secret', () => {
    const tokens = new TokenService('a secret of the test, long enough', 60);
    const { token } = tokens.issue(account);
    expect(tokens.verify(token)).not.toBeNull();
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const altered = Buffer.from(JSON.stringify({ ...claims, role: 'ADMIN' })).toString('base64url');
    expect(tokens.verify(`${header}.${altered}.${signature}`)).toBeNull();
    expect(tokens.verify(`${header}.${payload}.${signature.slice(0, -2)}AA`)).toBeNull();
    const other = new TokenService('another secret, just as long', 60).issue(account).token;
    expect(tokens.verify(other)).toBeNull();
  });

  it('keeps verifying when more tokens pass than it keeps', () => {
    const tokens = new TokenService('a secret of the test, long enough', 60);
    const issued = Array.from({ length: 5200 }, () => tokens.issue(account).token);
    for (const token of issued) expect(tokens.verify(token)).not.toBeNull();
    expect(tokens.verify(issued[0])!.sub).toBe(account.id);
  });
});
