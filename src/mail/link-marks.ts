// Which links of a rendered plain-text body the template wrote. Template links (and the helper
// links {{track}} and {{unsubscribeUrl}}) leave the renderer wrapped in two private-use characters;
// lead values are stripped of those characters before rendering, so text that came from a lead can
// never carry the marks, and only marked text becomes a link in the HTML alternative.
const START = '\uE000';
const END = '\uE001';
const MARKS = /[\uE000\uE001]/g;
const MARKED = /\uE000([^\uE000\uE001]*)\uE001/g;

export const markLink = (url: string): string => `${START}${url}${END}`;
export const stripMarks = (text: string): string => text.replace(MARKS, '');

/** `text` with every marked link replaced by `link(url)` and every other part by `plain(part)`. */
export function mapMarked(text: string, link: (url: string) => string, plain: (part: string) => string): string {
  let out = '';
  let at = 0;
  for (const m of text.matchAll(MARKED)) {
    out += plain(stripMarks(text.slice(at, m.index))) + link(m[1]!);
    at = m.index + m[0].length;
  }
  return out + plain(stripMarks(text.slice(at)));
}

/** The same value with the marks removed from every string in it (lead fields, before rendering). */
export function withoutMarks<T>(value: T): T {
  if (typeof value === 'string') return stripMarks(value) as T;
  if (Array.isArray(value)) return value.map(withoutMarks) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, withoutMarks(v)])) as T;
  }
  return value;
}

const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"'()]+[^\s<>"'().,;:!?]/g;
/** Characters a URL may continue with: a template URL followed by these and then a field is completed by lead data. */
const URL_TAIL = /^[^\s<>"'()]*$/;

export interface Found {
  start: number;
  end: number;
  url: string;
}

/**
 * The http(s) URLs in a piece of template text. With `continued` (a field follows the piece), a URL
 * running to the piece's end is left out: the lead's value would complete it, and a link built
 * from lead data is never tracked.
 */
export function urlsInText(text: string, continued = false): Found[] {
  const found: Found[] = [];
  for (const m of text.matchAll(URL_IN_TEXT)) {
    const end = m.index + m[0].length;
    if (continued && URL_TAIL.test(text.slice(end))) continue;
    found.push({ start: m.index, end, url: m[0] });
  }
  return found;
}
