// The HTML part of a plain-text email: escaped text, the template's links clickable, optional open-tracking pixel.
import { mapMarked } from './link-marks';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/**
 * `marked` is a rendered text body (src/mail/link-marks.ts): only its marked links become <a>; any
 * other text, a URL from a lead's name included, stays escaped text.
 */
export function textToHtml(marked: string, pixelUrl?: string): string {
  const body = mapMarked(marked, (url) => `<a href="${escapeHtml(url)}">${escapeHtml(url)}</a>`, escapeHtml)
    .split(/\n{2,}/)
    .map((paragraph) => `<p>${paragraph.replace(/\n/g, '<br>')}</p>`)
    .join('\n');
  const pixel = pixelUrl ? `\n${pixelTag(pixelUrl)}` : '';
  return `<!doctype html>\n<html><head><meta charset="utf-8"></head><body>\n${body}${pixel}\n</body></html>\n`;
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&#x27;': "'", '&#x3D;': '=', '&#x60;': '`' };
const HREF = /(\shref\s*=\s*)(["'])(https?:\/\/[^"'\s<>]+)\2/gi;

export interface FoundHref {
  /** Offsets of the attribute value (between the quotes) in the HTML. */
  start: number;
  end: number;
  /** The URL, entities decoded. */
  url: string;
}

/** Every absolute http(s) href of a piece of HTML (quoted, entirely within the piece). */
export function hrefsIn(html: string): FoundHref[] {
  return [...html.matchAll(HREF)].map((m) => {
    const start = m.index + m[1]!.length + 1;
    const escaped = m[3]!;
    return { start, end: start + escaped.length, url: escaped.replace(/&(amp|lt|gt|quot|#39|#x27|#x3D|#x60);/g, (e) => ENTITIES[e] ?? e) };
  });
}

/** Rewrites every absolute http(s) href of a piece of HTML (e.g. to click-tracking URLs). */
export function rewriteHrefs(html: string, rewrite: (url: string) => string): string {
  let out = '';
  let at = 0;
  for (const href of hrefsIn(html)) {
    out += html.slice(at, href.start) + escapeHtml(rewrite(href.url));
    at = href.end;
  }
  return out + html.slice(at);
}

/** Adds content (the open pixel, an unsubscribe footer) at the end of the body of an HTML document or fragment. */
export function appendToBody(html: string, extra: string): string {
  if (!extra) return html;
  const close = html.search(/<\/body\s*>/i);
  return close >= 0 ? `${html.slice(0, close)}${extra}\n${html.slice(close)}` : `${html}\n${extra}`;
}

export const pixelTag = (pixelUrl: string): string => `<img src="${escapeHtml(pixelUrl)}" width="1" height="1" alt="" style="display:none">`;
