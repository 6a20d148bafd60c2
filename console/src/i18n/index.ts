import { signal, useSignal } from '../ui/signal';
import { en } from './en';
import { vi, type MessageKey } from './vi';
import { zh } from './zh';

export type Language = 'vi' | 'en';
const CATALOGUES: Record<Language, Record<MessageKey, string>> = { vi, en };
const KEY = 'border-gate.language';

/** Vietnamese unless the person switched to English on this machine. */
export const language = signal<Language>(localStorage.getItem(KEY) === 'en' ? 'en' : 'vi');

export function setLanguage(next: Language): void {
  localStorage.setItem(KEY, next);
  document.documentElement.lang = next;
  language.value = next;
}

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

export function translate(lang: Language): Translate {
  return (key, values) => {
    const text = CATALOGUES[lang][key] ?? key;
    return values ? text.replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? '')) : text;
  };
}

/** The translation function of the current language; the component re-renders when the language changes. */
export function useT(): Translate {
  return translate(useSignal(language));
}

/** A code the API sends (a step, a status, a role) as words, or the code itself when the catalogue has none. */
export function label(t: Translate, prefix: string, code: string | null | undefined): string {
  if (!code) return t('app.none');
  const key = `${prefix}.${code}` as MessageKey;
  return key in vi ? t(key) : code;
}

export type { MessageKey };

/** The words of the driver's page, the one page that also speaks Chinese (a driver of nationality CN). */
export type DriverKey = Extract<MessageKey, `driver.${string}`>;
export type DriverLanguage = 'vi' | 'zh';
export type DriverTranslate = (key: DriverKey, values?: Record<string, string | number>) => string;

export function translateDriver(lang: DriverLanguage): DriverTranslate {
  return lang === 'zh'
    ? (key, values) => (values ? zh[key].replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? '')) : zh[key])
    : translate('vi');
}
