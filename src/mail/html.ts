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
