// The rep's queue: open leads, soonest deadline (so overdue) first, each linked to its lead page.
import { escapeHtml } from '../../mail/html';
import { localTime, timeLeft } from '../deadline-words';
import type { Lang } from '../language';
import type { Messages } from '../messages-en';
import type { QueueEntry } from '../queue';
import { page } from './layout';

export interface QueuePageView {
  entries: QueueEntry[];
  m: Messages;
  lang: Lang;
  timeZone: string | null;
  now: number;
  selfPath: string;
  rep: string;
}

const h = escapeHtml;

function row(v: QueuePageView, e: QueueEntry): string {
  const { m } = v;
  const left = e.deadline ? timeLeft(m, e.deadline.at, v.now) : null;
  const who = [e.name, e.company].filter(Boolean).join(' · ') || e.leadId;
  const due = e.deadline
    ? `${h(m.page.deadlines[e.deadline.kind])}: ${h(localTime(e.deadline.at, v.timeZone, v.lang))}<br><span class="${left!.overdue ? 'overdue' : 'muted'}">${left!.overdue ? `<span class="badge">${h(m.page.overdueBadge)}</span> ` : ''}${h(left!.text)}</span>`
    : h(m.page.deadlines.none);
  return `<tr data-lead="${h(e.leadId)}"${left?.overdue ? ' class="late"' : ''}><td><a href="${h(e.link)}">${h(who)}</a>${e.title ? `<br><span class="muted">${h(e.title)}</span>` : ''}</td>
<td>${h(m.page.stages[e.stage] ?? e.stage)}</td><td>${due}</td><td>${e.score}</td></tr>`;
}

export function queuePage(v: QueuePageView): string {
  const { m } = v;
  const c = m.page.queueColumns;
  const body = v.entries.length
    ? `<table data-queue><thead><tr><th>${h(c.lead)}</th><th>${h(c.stage)}</th><th>${h(c.deadline)}</th><th>${h(c.score)}</th></tr></thead><tbody>
${v.entries.map((e) => row(v, e)).join('\n')}</tbody></table>`
    : `<p class="muted" data-empty>${h(m.page.queueEmpty)}</p>`;
  return page({ m, title: `${m.page.queueTitle} · ${v.rep}`, selfPath: v.selfPath, single: true }, `<section class="wide">${body}</section>`);
}
