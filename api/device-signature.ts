import { randomBytes } from 'node:crypto';
import { bodySignatureMatches, signBody } from '../infra/body-signature';

/**
 * Devices (cameras, barrier controllers) sign the raw bytes of every request: `X-Signature: sha256=<hex HMAC-SHA256 of
 * the body with the device's secret>`, as the payment provider does. The gate simulator signs with the same function.
 */
export const signDeviceRequest = signBody;

export const deviceSignatureMatches = bodySignatureMatches;

/** A new device secret: shown to the admin once, then only ever kept sealed. */
export function newDeviceSecret(): string {
  return randomBytes(32).toString('base64url');
}
