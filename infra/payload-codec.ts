import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, ValueError, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { secretOrGenerated } from './secrets';

/**
 * Encrypts every payload the Temporal server stores (declarations, decisions, views: company data) with AES-256-GCM.
 * Used by the API's client and the worker alike, so the server only ever holds ciphertext.
 *
 * Keys rotate: PAYLOAD_KEYS is `id:base64key[,id:base64key…]`; the first encrypts, all decrypt. The key id travels in
 * each payload's metadata, so payloads written under an older key still open after a rotation. Payloads that are not
 * encrypted (written before encryption was on, or by a tool without the codec) pass through unchanged.
 * The byte layout (nonce, ciphertext, tag; metadata `encryption-key-id`) is the one Temporal's samples use, so their
 * codec tooling can read it.
 */
const ENCODING = 'binary/encrypted';
const KEY_ID = 'encryption-key-id';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export class EncryptionCodec implements PayloadCodec {
  private readonly keys: Map<string, Buffer>;

  constructor(
    keys: Map<string, Buffer>,
    private readonly activeKeyId: string,
  ) {
    for (const [id, key] of keys) if (key.length !== 32) throw new Error(`payload key ${id} must be 32 bytes (AES-256)`);
    if (!keys.has(activeKeyId)) throw new Error(`no payload key ${activeKeyId}`);
    this.keys = keys;
  }

  /** Keys from PAYLOAD_KEYS, or in development DEV_PAYLOAD_KEY or one generated into the data folder (Config). */
  static fromConfig(config: { payloadKeys?: string; devPayloadKey?: string; dataDir: string; production: boolean }): EncryptionCodec {
    if (config.payloadKeys) return EncryptionCodec.parse(config.payloadKeys);
    if (config.production) throw new Error('PAYLOAD_KEYS must be set in production');
    return EncryptionCodec.parse(
      `dev1:${secretOrGenerated(config.devPayloadKey, 'DEV_PAYLOAD_KEY', 'payload-key', { ...config, bytes: 32 })}`,
    );
  }

  static parse(spec: string): EncryptionCodec {
    const entries = spec.split(',').map((part) => {
      const [id, key] = part.trim().split(':');
      if (!id || !key) throw new Error('PAYLOAD_KEYS must be id:base64key[,id:base64key…]');
      return [id, Buffer.from(key, key.includes('-') || key.includes('_') ? 'base64url' : 'base64')] as [string, Buffer];
    });
    return new EncryptionCodec(new Map(entries), entries[0][0]);
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const key = this.keys.get(this.activeKeyId)!;
    return payloads.map((payload) => {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const data = Buffer.concat([nonce, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { [METADATA_ENCODING_KEY]: Buffer.from(ENCODING), [KEY_ID]: Buffer.from(this.activeKeyId) }, data };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
      if (!encoding || Buffer.from(encoding).toString() !== ENCODING) return payload;
      const keyId = payload.metadata?.[KEY_ID] ? Buffer.from(payload.metadata[KEY_ID]).toString() : undefined;
      const key = keyId ? this.keys.get(keyId) : undefined;
      if (!key) throw new ValueError(`cannot decrypt a payload: no key ${keyId ?? '(none named)'}`);
      const data = Buffer.from(payload.data ?? []);
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, NONCE_BYTES));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(data.subarray(NONCE_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}
