import type { Request } from 'express';
import { bodySignatureMatches, signBody } from '../infra/body-signature';
import { unauthorized } from './problem';

/**
 * The payment provider signs the raw bytes of its callback: `X-Signature: sha256=<hex HMAC-SHA256 of the body with
 * PAYMENT_WEBHOOK_SECRET>`. Checked before anything else about the request, so a forged call learns nothing. The
 * development simulator signs with the same function.
 */
export const signPaymentCallback = signBody;

export function checkPaymentSignature(secret: string, req: Request): void {
  const raw = (req as Request & { rawBody?: Buffer }).rawBody ?? Buffer.alloc(0);
  if (!bodySignatureMatches(secret, raw, req.header('X-Signature'))) {
    throw unauthorized('The X-Signature header is missing or does not match the body.');
  }
}
