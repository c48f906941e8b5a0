// The frame of every workspace page: language, title, header links, the stylesheet. No script at all.
import { escapeHtml } from '../../mail/html';
import type { Messages } from '../messages-en';

export const STYLESHEET_PATH = '/app/assets/workspace.css';

export interface Frame {
  m: Messages;
  title: string;
  /** Path of this page, for the language switch (the other language's ?lang). */
  selfPath: string;
  /** Link to the rep's queue, when the page has one. */
  queuePath?: string;
  single?: boolean;
}

/** `body` is HTML built by the caller with every value escaped. */
export function page(frame: Frame, body: string): string {
  const { m } = frame;
  const other = m.lang === 'ja' ? 'en' : 'ja';
  const nav = [
    frame.queuePath ? `<a href="${escapeHtml(frame.queuePath)}" data-nav="queue">${escapeHtml(m.page.openQueue)}</a>` : '',
    `<a href="${escapeHtml(`${frame.selfPath}?lang=${other}`)}" hreflang="${other}" data-nav="lang">${escapeHtml(m.page.language)}</a>`,
  ].join('');
  return `<!doctype html>
<html lang="${m.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex">
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${STYLESHEET_PATH}">
<title>${escapeHtml(frame.title)} · leadloop</title>
</head>
<body>
<header><h1>${escapeHtml(frame.title)}</h1><nav>${nav}</nav></header>
<main${frame.single ? ' class="single"' : ''}>
${body}
</main>
</body>
</html>
`;
}

/** A page that only says something (404, 410, 403, 400 without a lead). */
export function messagePage(frame: Omit<Frame, 'single'>, text: string, kind: string): string {
  return page({ ...frame, single: true }, `<section data-message="${escapeHtml(kind)}"><p>${escapeHtml(text)}</p></section>`);
}
