import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { unauthorized } from './problem';

/**
 * The payment provider signs the raw bytes of its callback: `X-Signature: sha256=<hex HMAC-SHA256 of the body with
 * PAYMENT_WEBHOOK_SECRET>`. Checked before anything else about the request, so a forged call learns nothing. The
 * development simulator signs with the same function.
 */
export function signPaymentCallback(secret: string, raw: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
}

export function checkPaymentSignature(secret: string, req: Request): void {
  const raw = (req as Request & { rawBody?: Buffer }).rawBody ?? Buffer.alloc(0);
  const given = Buffer.from(req.header('X-Signature') ?? '');
  const expected = Buffer.from(signPaymentCallback(secret, raw));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw unauthorized('The X-Signature header is missing or does not match the body.');
  }
}
