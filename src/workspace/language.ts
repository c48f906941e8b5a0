// Which language a rep reads: ?lang first, then the user directory's locale, then Accept-Language, else English.
import { en, type Messages } from './messages-en';
import { ja } from './messages-ja';

export type Lang = 'ja' | 'en';

export const messagesFor = (lang: Lang): Messages => (lang === 'ja' ? ja : en);

const isLang = (value: unknown): value is Lang => value === 'ja' || value === 'en';

/** The first of ja/en that Accept-Language names (quality order is the header's order, as browsers send it). */
export function fromAcceptLanguage(header: string | undefined): Lang | null {
  if (!header) return null;
  for (const part of header.slice(0, 200).split(',')) {
    const tag = part.split(';')[0]!.trim().toLowerCase().slice(0, 2);
    if (isLang(tag)) return tag;
  }
  return null;
}

export function chooseLang(query: unknown, locale: string | null | undefined, acceptLanguage: string | undefined): Lang {
  if (isLang(query)) return query;
  if (isLang(locale)) return locale;
  return fromAcceptLanguage(acceptLanguage) ?? 'en';
}
