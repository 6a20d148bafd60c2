import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * A secret the platform must read back (a device's, to check its HMAC; a webhook subscription's, to sign with) is kept
 * sealed rather than hashed: AES-256-GCM under a key from the environment (DEVICE_SECRET_KEY, WEBHOOK_SECRET_KEY;
 * outside production generated into the data folder), derived per purpose. A database dump alone then yields no
 * secret, and a tampered row fails to open.
 */
export class SecretSeal {
  private readonly key: Buffer;

  constructor(keyMaterial: string, purpose: 'device-secret' | 'webhook-secret') {
    this.key = createHash('sha256').update(`${purpose}\u0000${keyMaterial}`).digest();
  }

  seal(secret: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  open(sealed: string): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || !body) throw new Error('not a sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }
}
