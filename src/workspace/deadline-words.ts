// Deadlines as a rep reads them: in their own time zone and language ("Mon 7 Dec 16:00 JST",
// "12月7日(月) 16:00 JST"), with the SLA's length in words and the time left.
import { isTimeZone } from '../domain/zoned-time';
import type { Messages } from './messages-en';
import type { Lang } from './language';

const formats = new Map<string, Intl.DateTimeFormat>();
function format(locale: string, timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone}|${JSON.stringify(options)}`;
  let f = formats.get(key);
  if (!f) formats.set(key, (f = new Intl.DateTimeFormat(locale, { timeZone, ...options })));
  return f;
}

const partsOf = (f: Intl.DateTimeFormat, at: number): Record<string, string> =>
  Object.fromEntries(f.formatToParts(at).filter((p) => p.type !== 'literal').map((p) => [p.type, p.value]));

/** A short zone name: English's when it is letters ("CET"), else Japanese ICU's ("JST"), else English's offset ("GMT+9"), "UTC" for UTC. */
function zoneName(at: number, timeZone: string): string {
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') return 'UTC';
  const english = partsOf(format('en-US', timeZone, { timeZoneName: 'short' }), at).timeZoneName ?? timeZone;
  if (/^[A-Z]{2,5}$/.test(english)) return english;
  const japanese = partsOf(format('ja-JP', timeZone, { timeZoneName: 'short' }), at).timeZoneName ?? '';
  return /^[A-Z]{2,5}$/.test(japanese) ? japanese : english;
}

/** The instant in `timeZone` (UTC when it is not a zone) in the reader's language. */
export function localTime(at: number, timeZone: string | null | undefined, lang: Lang): string {
  const zone = timeZone && isTimeZone(timeZone) ? timeZone : 'UTC';
  const p = partsOf(format('en-GB', zone, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }), at);
  const name = zoneName(at, zone);
  if (lang === 'en') return `${p.weekday} ${p.day} ${p.month} ${p.hour}:${p.minute} ${name}`;
  const j = partsOf(format('ja-JP', zone, { weekday: 'short', day: 'numeric', month: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }), at);
  return `${j.month}月${j.day}日(${j.weekday}) ${j.hour}:${j.minute} ${name}`;
}

const UNITS: [RegExp, keyof Messages['when']][] = [
  [/^(\d+)\s*bh$/i, 'withinBusinessHours'],
  [/^(\d+)\s*bd$/i, 'withinBusinessDays'],
  [/^(\d+)\s*h$/i, 'withinHours'],
  [/^(\d+)\s*m$/i, 'withinMinutes'],
  [/^(\d+)\s*d$/i, 'withinDays'],
];

/** "within 8 business hours" for a policy's SLA ("8bh"); null for a form it has no words for. */
export function slaWords(m: Messages, sla: string | undefined): string | null {
  const value = (sla ?? '').trim().slice(0, 20);
  for (const [pattern, key] of UNITS) {
    const match = pattern.exec(value);
    if (match) return (m.when[key] as (n: number) => string)(Number(match[1]));
  }
  return null;
}

/** "3 h 20 min left" / "overdue by 1 d 2 h". */
export function timeLeft(m: Messages, deadline: number, now: number): { text: string; overdue: boolean } {
  const ms = Math.abs(deadline - now);
  const minutes = Math.floor(ms / 60_000);
  const d = m.when.duration(Math.floor(minutes / 1440), Math.floor((minutes % 1440) / 60), minutes % 60);
  return deadline >= now ? { text: m.when.left(d), overdue: false } : { text: m.when.overdue(d), overdue: true };
}
