import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * A gate pass a barrier can check with no connection: the pass's essential fields, signed with Ed25519, travel in its
 * QR code after the online link (`<PUBLIC_URL>/v1/verify/<code>#<signed pass>`). A phone opening the link asks the
 * server (the fragment never leaves the phone); a verifier at a barrier with no network checks the signature against
 * the platform's public key, published at `GET /.well-known/gate-pass-keys` and kept on the verifier beforehand.
 *
 * Signed pass: base64url(JSON of the fields) "." base64url(64-byte Ed25519 signature of that text).
 */
export interface GatePassFields {
  /** Format version. */
  v: 1;
  /** The signing key's id (see `keyId`), so verifiers pick the right key after a rotation. */
  k: string;
  /** The verification code (the online lookup's). */
  c: string;
  /** Crossing id. */
  id: string;
  gate: string;
  plate: string;
  trailer?: string;
  direction: 'EXPORT' | 'IMPORT';
  /** When border-exit approved it, ISO 8601. */
  clearedAt: string;
}

/** A short id of a public key: the first 8 bytes of the SHA-256 of its raw 32 bytes. */
export function keyId(publicKey: KeyObject): string {
  return createHash('sha256').update(rawPublicKey(publicKey)).digest().subarray(0, 8).toString('base64url');
}

function rawPublicKey(publicKey: KeyObject): Buffer {
  // The SPKI DER of an Ed25519 key ends with its 32 raw bytes.
  return publicKey.export({ type: 'spki', format: 'der' }).subarray(-32);
}

export class GatePassSigner {
  readonly publicKey: KeyObject;
  readonly keyId: string;

  constructor(private readonly privateKey: KeyObject) {
    if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('GATE_PASS_SIGNING_KEY must be an Ed25519 private key');
    this.publicKey = createPublicKey(privateKey);
    this.keyId = keyId(this.publicKey);
  }

  /**
   * The signing key from GATE_PASS_SIGNING_KEY (PKCS#8 PEM), or in development one generated into the data folder once.
   * Production refuses to run without it.
   */
  static fromConfig(opts: { gatePassSigningKey?: string; dataDir: string; production: boolean }): GatePassSigner {
    if (opts.gatePassSigningKey) return new GatePassSigner(createPrivateKey(opts.gatePassSigningKey.replace(/\\n/g, '\n')));
    if (opts.production) throw new Error('GATE_PASS_SIGNING_KEY must be set in production (an Ed25519 private key, PKCS#8 PEM)');
    const file = path.join(opts.dataDir, 'gate-pass-key.pem');
    if (!fs.existsSync(file)) {
      const { privateKey } = generateKeyPairSync('ed25519');
      fs.mkdirSync(opts.dataDir, { recursive: true });
      try {
        fs.writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { flag: 'wx', mode: 0o600 });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
    return new GatePassSigner(createPrivateKey(fs.readFileSync(file, 'utf8')));
  }

  sign(fields: Omit<GatePassFields, 'v' | 'k'>): string {
    const body = Buffer.from(JSON.stringify({ v: 1, k: this.keyId, ...fields })).toString('base64url');
    return `${body}.${sign(null, Buffer.from(body), this.privateKey).toString('base64url')}`;
  }

  /** The public key as verifiers fetch it. */
  published(): { kid: string; alg: 'Ed25519'; publicKey: string; pem: string } {
    return {
      kid: this.keyId,
      alg: 'Ed25519',
      publicKey: rawPublicKey(this.publicKey).toString('base64url'),
      pem: this.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    };
  }
}

/**
 * Checks a signed pass (or a whole QR text, link and fragment) against public keys, with no network: the fields when
 * the signature holds, or why not.
 */
export function verifyGatePass(
  qrText: string,
  publicKeys: KeyObject[],
): { valid: true; fields: GatePassFields } | { valid: false; reason: string } {
  const signed = qrText.includes('#') ? qrText.slice(qrText.indexOf('#') + 1) : qrText;
  const [body, signature] = signed.split('.');
  if (!body || !signature) return { valid: false, reason: 'no signed pass in this text' };
  let fields: GatePassFields;
  try {
    fields = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return { valid: false, reason: 'the signed pass is not readable' };
  }
  const key = publicKeys.find((k) => keyId(k) === fields.k);
  if (!key) return { valid: false, reason: `signed with key ${fields.k}, which this verifier does not hold` };
  if (!verify(null, Buffer.from(body), key, Buffer.from(signature, 'base64url'))) {
    return { valid: false, reason: 'the signature does not match: the pass was altered or not issued by the platform' };
  }
  return { valid: true, fields };
}
