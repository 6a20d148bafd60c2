import { gateLocalTime } from '../../../domain/local-time';
import type { Translate } from '../i18n';

/** Times as a person at the gate reads them: gate-local, with the zone shown. */
export const localTime = (iso: string | null | undefined, opts?: { seconds?: boolean }) => (iso ? gateLocalTime(iso, opts) : '—');

/** A clock time of today for "updated at" lines: 14:05:09 UTC+7. */
export const clockTime = (at: Date) => gateLocalTime(at).slice(11);

/** A span in words a person reads at a glance: 45 s, 12 min, 3 h 5 min, 2 d 4 h. */
export function span(t: Translate, seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return t('app.none');
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return t('age.seconds', { n: s });
  if (s < 3600) return t('age.minutes', { n: Math.floor(s / 60) });
  if (s < 86_400) return t('age.hours', { h: Math.floor(s / 3600), m: Math.floor((s % 3600) / 60) });
  return t('age.days', { d: Math.floor(s / 86_400), h: Math.floor((s % 86_400) / 3600) });
}

export const since = (t: Translate, iso: string | null | undefined, now = Date.now()) =>
  iso ? span(t, (now - Date.parse(iso)) / 1000) : t('app.none');

export const vnd = (amount: number) => `${amount.toLocaleString('vi-VN')} ₫`;
