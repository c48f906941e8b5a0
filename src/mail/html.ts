// The HTML part of a plain-text email: escaped text, clickable links, optional open-tracking pixel.
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

export function textToHtml(text: string, pixelUrl?: string): string {
  const body = escapeHtml(text)
    .replace(/https?:\/\/[^\s<>"']+/g, (url) => `<a href="${url}">${url}</a>`)
    .split(/\n{2,}/)
    .map((paragraph) => `<p>${paragraph.replace(/\n/g, '<br>')}</p>`)
    .join('\n');
  const pixel = pixelUrl ? `\n<img src="${escapeHtml(pixelUrl)}" width="1" height="1" alt="" style="display:none">` : '';
  return `<!doctype html>\n<html><head><meta charset="utf-8"></head><body>\n${body}${pixel}\n</body></html>\n`;
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&#x27;': "'", '&#x3D;': '=', '&#x60;': '`' };
const HREF = /(\shref\s*=\s*)(["'])(https?:\/\/[^"'\s<>]+)\2/gi;

/** Rewrites every absolute http(s) href of an HTML body (e.g. to click-tracking URLs). */
export function rewriteHrefs(html: string, rewrite: (url: string) => string): string {
  return html.replace(HREF, (_match, prefix: string, quote: string, escaped: string) => {
    const url = escaped.replace(/&(amp|lt|gt|quot|#39|#x27|#x3D|#x60);/g, (e) => ENTITIES[e] ?? e);
    return `${prefix}${quote}${escapeHtml(rewrite(url))}${quote}`;
  });
}

/** Adds content (the open pixel, an unsubscribe footer) at the end of the body of an HTML document or fragment. */
export function appendToBody(html: string, extra: string): string {
  if (!extra) return html;
  const close = html.search(/<\/body\s*>/i);
  return close >= 0 ? `${html.slice(0, close)}${extra}\n${html.slice(close)}` : `${html}\n${extra}`;
}

export const pixelTag = (pixelUrl: string): string => `<img src="${escapeHtml(pixelUrl)}" width="1" height="1" alt="" style="display:none">`;
