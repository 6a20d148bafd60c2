import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Every signed body on the platform, in and out, is signed one way: `X-Signature: sha256=<hex HMAC-SHA256 of the raw
 * bytes with the shared secret>` (the payment provider's callbacks, devices' reads, webhooks to subscribers).
 */
export function signBody(secret: string, raw: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
}

/** Compared in constant time, so a forger learns nothing from how long a refusal takes. */
export function bodySignatureMatches(secret: string | undefined, raw: Buffer | string, given: string | undefined): boolean {
  if (secret === undefined) return false;
  const expected = Buffer.from(signBody(secret, raw));
  const actual = Buffer.from(given ?? '');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
