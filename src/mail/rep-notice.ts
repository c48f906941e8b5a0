// The emails to sales people about one lead (the owner's handoff, the reminder, the manager's
// escalation): who, why, by when and links, in the reader's language and time zone, as text and
// HTML. Lead fields are hostile: defanged so that no mail client can turn them into a link
// (unlinkable.ts), HTML-escaped in the HTML part, and only the company, cleaned and bounded, ever
// reaches the subject. Nothing here logs.
import type { BreakdownLine } from '../domain/scoring';
import type { ScoringModel } from '../domain/types';
import { localTime, slaWords } from '../workspace/deadline-words';
import { messagesFor, type Lang } from '../workspace/language';
import type { Messages } from '../workspace/messages-en';
import { scoreLines } from '../workspace/score-words';
import { escapeHtml } from './html';
import { headerSafe, unlinkable } from './unlinkable';

export interface NoticeLead {
  name: string | null;
  company: string | null;
  title: string | null;
}

export interface NoticeScore {
  total: number;
  fit: number;
  behavior: number;
  breakdown: Pick<BreakdownLine, 'kind' | 'ruleId' | 'points' | 'eventType' | 'attribute' | 'value'>[];
}

export type RepNotice =
  | { kind: 'handoff' | 'reassigned'; score: NoticeScore; model: ScoringModel | null; deadline: number; sla: string | null }
  | { kind: 'reminder'; attempts: number; maxAttempts: number; dueAt: number }
  | { kind: 'escalation'; missedBy: string; breach: number; deadline: number; outcome: 'reassigned' | 'recycled'; nextOwner: string | null };

export interface NoticeReader {
  lang: Lang;
  /** The reader's zone (user directory), else the team's (business hours), else UTC. */
  timeZone: string | null;
}

export interface NoticeLinks {
  lead?: string;
  queue?: string;
  board?: string;
}

export interface RenderedNotice {
  subject: string;
  text: string;
  html: string;
}

/** A block of the email: a heading and its lines (plain text; HTML escapes them). */
interface Block {
  heading?: string;
  lines: string[];
}

const field = (value: string | null, m: Messages): string => (value && value.trim() ? unlinkable(value.trim().slice(0, 200)) : m.mail.unknown);

function whoBlock(m: Messages, lead: NoticeLead): Block {
  return { heading: m.mail.who, lines: [`${m.mail.name}: ${field(lead.name, m)}`, `${m.mail.company}: ${field(lead.company, m)}`, `${m.mail.title}: ${field(lead.title, m)}`] };
}

function subjectOf(m: Messages, notice: RepNotice, company: string, when: (at: number) => string): string {
  switch (notice.kind) {
    case 'handoff':
      return m.mail.subjectHandoff(notice.score.total, company);
    case 'reassigned':
      return m.mail.subjectReassigned(notice.score.total, company);
    case 'reminder':
      return m.mail.subjectReminder(notice.attempts, notice.maxAttempts, company);
    case 'escalation':
      return m.mail.subjectEscalation(notice.missedBy, when(notice.deadline), company);
  }
}

function bodyBlocks(m: Messages, notice: RepNotice, lead: NoticeLead, when: (at: number) => string): Block[] {
  switch (notice.kind) {
    case 'handoff':
    case 'reassigned': {
      const within = slaWords(m, notice.sla ?? undefined);
      const by = m.when.by(when(notice.deadline));
      return [
        { lines: [notice.kind === 'handoff' ? m.mail.introHandoff : m.mail.introReassigned] },
        whoBlock(m, lead),
        { heading: m.mail.why, lines: [m.score.summary(notice.score.total, notice.score.fit, notice.score.behavior), ...scoreLines(m, notice.score.breakdown, notice.model, unlinkable).map((l) => `• ${l.text}`)] },
        { heading: m.mail.byWhen, lines: [within ? m.mail.firstContact(within, by) : m.mail.firstContactNoSla(by)] },
      ];
    }
    case 'reminder':
      return [{ lines: [m.mail.reminder(notice.attempts, when(notice.dueAt)), m.mail.reminderLimit(notice.maxAttempts)] }, whoBlock(m, lead)];
    case 'escalation': {
      const outcome =
        notice.outcome === 'recycled' ? m.mail.outcomeRecycled : notice.nextOwner ? m.mail.outcomeReassigned(notice.nextOwner) : m.mail.outcomeNextRep(notice.missedBy);
      return [{ lines: [m.mail.escalation(notice.missedBy, notice.breach, when(notice.deadline)), outcome] }, whoBlock(m, lead)];
    }
  }
}

function linkItems(m: Messages, links: NoticeLinks): { label: string; url: string }[] {
  return [
    ...(links.lead ? [{ label: m.mail.openLead, url: links.lead }] : []),
    ...(links.queue ? [{ label: m.mail.openQueue, url: links.queue }] : []),
    ...(links.board ? [{ label: m.mail.slaBoard, url: links.board }] : []),
  ];
}

function textOf(m: Messages, blocks: Block[], links: { label: string; url: string }[]): string {
  const parts = blocks.map((b) => [...(b.heading ? [`${b.heading}:`] : []), ...b.lines].join('\n'));
  if (links.length) parts.push([`${m.mail.links}:`, ...links.map((l) => `${l.label}: ${l.url}`), ...(links.length > 0 ? [m.mail.linkNote] : [])].join('\n'));
  return `${parts.join('\n\n')}\n`;
}

function htmlOf(m: Messages, blocks: Block[], links: { label: string; url: string }[]): string {
  const body = blocks
    .map((b) => `${b.heading ? `<h3 style="margin:16px 0 4px;font-size:15px">${escapeHtml(b.heading)}</h3>\n` : ''}<p style="margin:0">${b.lines.map(escapeHtml).join('<br>')}</p>`)
    .join('\n');
  const anchors = links.map((l) => `<a href="${escapeHtml(l.url)}">${escapeHtml(l.label)}</a>`).join('<br>');
  const linkBlock = links.length ? `\n<h3 style="margin:16px 0 4px;font-size:15px">${escapeHtml(m.mail.links)}</h3>\n<p style="margin:0">${anchors}</p>\n<p style="color:#5b6475;font-size:12px">${escapeHtml(m.mail.linkNote)}</p>` : '';
  return `<!doctype html>\n<html lang="${m.lang}"><head><meta charset="utf-8"></head><body style="font-family:sans-serif;font-size:14px;line-height:1.5">\n${body}${linkBlock}\n</body></html>\n`;
}

/** The whole email; `links` are our own absolute URLs (the only links it carries). */
export function renderRepNotice(notice: RepNotice, lead: NoticeLead, reader: NoticeReader, links: NoticeLinks): RenderedNotice {
  const m = messagesFor(reader.lang);
  const when = (at: number) => localTime(at, reader.timeZone, reader.lang);
  const company = lead.company ? headerSafe(lead.company) : '';
  const blocks = bodyBlocks(m, notice, lead, when);
  const items = linkItems(m, links);
  return { subject: subjectOf(m, notice, company, when), text: textOf(m, blocks, items), html: htmlOf(m, blocks, items) };
}
