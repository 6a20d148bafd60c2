import { z } from 'zod';

/**
 * The one rule for text the platform accepts, anywhere (bodies, queries, paths). Refused, with 400 naming the field:
 * - NUL and the other C0 and C1 control characters. Tab and newline are allowed only in free text (a reason, a note,
 *   a goods description), where a line break means something; nowhere in a name, a code or a plate.
 * - Lone surrogates: half of a UTF-16 pair, which is no character at all and which PostgreSQL cannot store.
 * - Bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069), which make text display in another order
 *   than it reads (a plate or a reason that looks like something else on an officer's screen).
 *
 * PostgreSQL refuses NUL in text; a NUL that reached a workflow's activity once jammed a crossing for good. Refusing it
 * at the door keeps it out of every layer behind.
 */
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;
const CONTROL_OR_LINE = /[\u0000-\u001F\u007F-\u009F]/;
const BIDI = /[\u202A-\u202E\u2066-\u2069]/;
const LONE_SURROGATE = /(?:[\uD800-\uDBFF](?![\uDC00-\uDFFF]))|(?:(?<![\uD800-\uDBFF])[\uDC00-\uDFFF])/;

export const UNSAFE_TEXT_MESSAGE = 'must not contain control characters, lone surrogates or bidirectional overrides';
export const UNSAFE_FREE_TEXT_MESSAGE =
  'must not contain control characters (other than tab and newline), lone surrogates or bidirectional overrides';

/** Whether a string breaks the text rule; `freeText` allows tab and newline. */
export function isUnsafeText(value: string, opts: { freeText?: boolean } = {}): boolean {
  return (opts.freeText ? CONTROL : CONTROL_OR_LINE).test(value) || BIDI.test(value) || LONE_SURROGATE.test(value);
}

/** A single-line text field: a name, a code, a number written as text. */
export const text = () => z.string().refine((v) => !isUnsafeText(v), UNSAFE_TEXT_MESSAGE);

/** A free-text field, where tab and newline are allowed. */
export const freeText = () => z.string().refine((v) => !isUnsafeText(v, { freeText: true }), UNSAFE_FREE_TEXT_MESSAGE);

/**
 * Every string in a parsed JSON body, query or path that breaks even the free-text rule, with its path
 * (`goods.0.description`), and every key that breaks the single-line rule. The route layer runs this over the whole
 * request besides the schemas (which hold each field to its own rule), so an unknown key or a field inside a loose
 * object meets the same door.
 */
export function unsafeTextIn(value: unknown, prefix: string[] = []): { path: string; message: string }[] {
  const found: { path: string; message: string }[] = [];
  const visit = (v: unknown, path: string[], depth: number) => {
    if (depth > 64) return;
    if (typeof v === 'string') {
      if (isUnsafeText(v, { freeText: true })) found.push({ path: path.join('.') || '(body)', message: UNSAFE_FREE_TEXT_MESSAGE });
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => visit(item, [...path, String(i)], depth + 1));
    } else if (v && typeof v === 'object') {
      for (const [key, item] of Object.entries(v)) {
        if (isUnsafeText(key)) found.push({ path: [...path, '(key)'].join('.'), message: `has a key that ${UNSAFE_TEXT_MESSAGE}` });
        else visit(item, [...path, key], depth + 1);
      }
    }
  };
  visit(value, prefix, 0);
  return found;
}
