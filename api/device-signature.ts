import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Devices (cameras, barrier controllers) sign the raw bytes of every request: `X-Signature: sha256=<hex HMAC-SHA256 of
 * the body with the device's secret>`, as the payment provider does. The gate simulator signs with the same function.
 */
export function signDeviceRequest(secret: string, raw: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
}

export function deviceSignatureMatches(secret: string | undefined, raw: Buffer, given: string | undefined): boolean {
  if (secret === undefined) return false;
  const expected = Buffer.from(signDeviceRequest(secret, raw));
  const actual = Buffer.from(given ?? '');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A new device secret: shown to the admin once, then only ever kept sealed. */
export function newDeviceSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The API must read a device's secret back to check its HMAC, so it is kept sealed rather than hashed: AES-256-GCM
 * under DEVICE_SECRET_KEY (from the environment; outside production generated into the data folder). A database dump
 * alone then yields no secret, and a tampered row fails to open.
 */
export class DeviceSecretSeal {
  private readonly key: Buffer;

  constructor(keyMaterial: string) {
    this.key = createHash('sha256').update(`device-secret\u0000${keyMaterial}`).digest();
  }

  seal(secret: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  open(sealed: string): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || !body) throw new Error('not a sealed device secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }
}
