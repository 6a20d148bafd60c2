import { createHmac } from 'node:crypto';

/**
 * `X-Signature: sha256=<hex HMAC-SHA256 of the raw body, keyed with the device secret>`, as API.md asks of a device.
 * Stands in for `api/device-signature.ts`'s `signDeviceRequest` until that is on main.
 */
export function signDeviceRequest(secret: string, raw: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
}
