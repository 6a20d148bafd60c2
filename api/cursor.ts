import { createHmac, timingSafeEqual } from 'node:crypto';
import { invalidFields } from './problem';

/**
 * Paging cursors: the last row's sort key, signed, so a cursor this API did not give out (edited, forged, or from
 * another deployment) is a 400 naming the query field, never a query built from what a client made up.
 * Format: base64url(JSON of the key) "." base64url(HMAC-SHA256, 16 bytes).
 */
export class Cursors {
  private readonly key: Buffer;

  constructor(secret: string) {
    // A key of its own, derived from the token secret: a cursor never verifies as anything else.
    this.key = createHmac('sha256', secret).update('paging-cursor').digest();
  }

  encode(sortKey: unknown[]): string {
    const body = Buffer.from(JSON.stringify(sortKey)).toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  /** The sort key of a cursor this API gave out; the shape is checked by the caller's `valid`. */
  decode<T extends unknown[]>(cursor: string | undefined, valid: (key: unknown[]) => key is T): T | undefined {
    if (cursor === undefined) return undefined;
    const [body, mac] = cursor.split('.');
    const refuse = () => invalidFields([{ path: 'query.cursor', message: 'is not a cursor this API gave out' }]);
    // Shape first: timingSafeEqual compares bytes, and 22 characters outside base64url are more than 22 bytes.
    if (!body || !mac || !/^[A-Za-z0-9_-]{22}$/.test(mac)) throw refuse();
    if (!timingSafeEqual(Buffer.from(mac), Buffer.from(this.mac(body)))) throw refuse();
    let key: unknown;
    try {
      key = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      throw refuse();
    }
    if (!Array.isArray(key) || !valid(key)) throw refuse();
    return key;
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest().subarray(0, 16).toString('base64url');
  }
}
