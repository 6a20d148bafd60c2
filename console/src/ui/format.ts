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

/**
 * A time in a list a person scans: the clock time when it falls on today at the gate (`14:05 UTC+7`), the date too
 * when not (`2026-12-02 08:30 UTC+7`), so an estimate for tomorrow never reads as one for today. A log of attempts
 * seconds apart asks for the seconds (`14:05:09 UTC+7`).
 */
export function dayOrClock(iso: string | null | undefined, now = new Date(), { seconds = false }: { seconds?: boolean } = {}): string {
  if (!iso) return '—';
  const full = gateLocalTime(iso, { seconds });
  return full.slice(0, 10) === gateLocalTime(now).slice(0, 10) ? full.slice(11) : full;
}

/** How far off a time is, in words: `in 25 min`, or `5 min ago` once it has passed. */
export function fromNow(t: Translate, iso: string, now = Date.now()): string {
  const seconds = (Date.parse(iso) - now) / 1000;
  return seconds >= 0 ? t('age.in', { span: span(t, seconds) }) : t('age.ago', { span: span(t, -seconds) });
}

export const vnd = (amount: number) => `${amount.toLocaleString('vi-VN')} ₫`;
