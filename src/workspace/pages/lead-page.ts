// The lead page: profile, score in words, the deadline in the rep's zone with the time left, the
// three actions (forms carrying the page's CSRF token) and the timeline, newest first. Every value
// from the lead, the rep or a tool is escaped; nothing on the page runs script.
import type { TransitionRecord } from '../../leads/store';
import { escapeHtml } from '../../mail/html';
import { CONTACT_CHANNELS, CONTACT_OUTCOMES, REJECTION_REASONS } from '../../domain/types';
import { localTime, timeLeft } from '../deadline-words';
import type { Lang } from '../language';
import type { LeadPageData } from '../lead-workspace';
import { repDeadline } from '../lead-deadline';
import type { Messages } from '../messages-en';
import { eventWords, scoreLines } from '../score-words';
import { page } from './layout';

export interface LeadPageView {
  data: LeadPageData;
  m: Messages;
  lang: Lang;
  timeZone: string | null;
  now: number;
  /** Path of this page (from /), the forms post to it plus /contact|/accept|/reject. */
  selfPath: string;
  queuePath: string;
  csrf: string;
  notice?: { kind: 'done' | 'error'; text: string };
}

const h = escapeHtml;
const BANT_KEYS = ['budget', 'authority', 'need', 'timeline'] as const;

function profile(v: LeadPageView): string {
  const { m } = v;
  const row = v.data.reading.row;
  const item = (label: string, value: string | null, key: string) => `<dt>${h(label)}</dt><dd data-field="${key}">${h(value ?? m.mail.unknown)}</dd>`;
  return `<section data-section="profile"><h2>${h(m.page.profile)}</h2><dl>
${item(m.mail.name, row.name, 'name')}${item(m.mail.company, row.company, 'company')}${item(m.mail.title, row.title, 'title')}${item(m.page.email, row.email, 'email')}
<dt>${h(m.page.stage)}</dt><dd data-stage="${h(v.data.reading.stage)}">${h(m.page.stages[v.data.reading.stage] ?? v.data.reading.stage)}</dd>
</dl></section>`;
}

function score(v: LeadPageView): string {
  const { m } = v;
  const live = v.data.reading.live;
  const lines = live ? scoreLines(m, live.score.breakdown, v.data.config?.model ?? null) : [];
  const summary = live ? m.score.summary(live.score.total, live.score.fit, live.score.behavior) : '';
  return `<section data-section="score"><h2>${h(m.page.score)}</h2><p class="big" data-score="${v.data.reading.score}">${v.data.reading.score}</p>
${summary ? `<p class="muted">${h(summary)}</p>` : ''}<ul>${lines.map((l) => `<li>${h(l.text)}</li>`).join('')}</ul></section>`;
}

function deadline(v: LeadPageView): string {
  const { m } = v;
  const due = repDeadline(v.data.reading.live);
  if (!due) return `<section data-section="deadline"><h2>${h(m.page.deadline)}</h2><p>${h(m.page.deadlines.none)}</p></section>`;
  const left = timeLeft(m, due.at, v.now);
  return `<section data-section="deadline"><h2>${h(m.page.deadlines[due.kind])}</h2>
<p class="big" data-deadline="${new Date(due.at).toISOString()}">${h(localTime(due.at, v.timeZone, v.lang))}</p>
<p class="${left.overdue ? 'overdue' : 'ok'}" data-overdue="${left.overdue}">${h(left.text)}</p></section>`;
}

const options = (values: readonly string[], labels: Record<string, string>, selected?: string) =>
  values.map((value) => `<option value="${h(value)}"${value === selected ? ' selected' : ''}>${h(labels[value] ?? value)}</option>`).join('');

function actions(v: LeadPageView): string {
  const { m } = v;
  const csrf = `<input type="hidden" name="csrf" value="${h(v.csrf)}">`;
  const note = `<label>${h(m.page.note)}<textarea name="note" maxlength="5000"></textarea></label>`;
  const required = v.data.config?.policy.bantRequired ?? 3;
  return `<section data-section="actions"><h2>${h(m.page.actions)}</h2>
<form method="post" action="${h(`${v.selfPath}/contact`)}" data-form="contact"><h3>${h(m.page.logAttempt)}</h3>${csrf}
<label>${h(m.page.outcome)}<select name="outcome">${options(CONTACT_OUTCOMES, m.page.outcomes, 'no_answer')}</select></label>
<label>${h(m.page.channel)}<select name="channel">${options(CONTACT_CHANNELS, m.page.channels, 'call')}</select></label>
${note}<button type="submit">${h(m.page.save)}</button></form>
<form method="post" action="${h(`${v.selfPath}/accept`)}" data-form="accept"><h3>${h(m.page.accept)}</h3>${csrf}
<p class="muted">${h(m.page.bant)}: ${h(m.page.bantHint(required))}</p>
${BANT_KEYS.map((k) => `<label class="check"><input type="checkbox" name="${k}" value="on"> ${h(m.page.bantItems[k] ?? k)}</label>`).join('\n')}
${note}<button type="submit">${h(m.page.accept)}</button></form>
<form method="post" action="${h(`${v.selfPath}/reject`)}" data-form="reject"><h3>${h(m.page.reject)}</h3>${csrf}
<label>${h(m.page.reason)}<select name="reason">${options(REJECTION_REASONS, m.page.rejectionReasons)}</select></label>
${note}<label class="check"><input type="checkbox" name="disqualify" value="on"> ${h(m.page.disqualify)}</label>
<button type="submit" class="danger">${h(m.page.reject)}</button></form></section>`;
}

interface Item {
  at: string;
  kind: 'event' | 'email' | 'transition';
  text: string;
}

/** Recorded transitions, plus the workflow's recent ones not yet recorded. */
function transitionsOf(v: LeadPageView): TransitionRecord[] {
  const recorded = v.data.reading.transitions;
  const seen = new Set(recorded.map((t) => t.seq));
  const fresh = (v.data.reading.live?.transitions ?? []).filter((t) => !seen.has(t.seq));
  return [
    ...recorded,
    ...fresh.map((t) => ({ seq: t.seq, from: t.from, to: t.to, reason: t.reason, at: t.at, cycle: t.cycle, score: t.score, owner: t.owner ?? null, rep: t.rep ?? null, rejectionReason: t.rejectionReason ?? null, note: t.note ?? null, details: {} })),
  ] as TransitionRecord[];
}

function transitionText(m: Messages, t: TransitionRecord): string {
  const parts = [m.page.reasons[t.reason] ?? t.reason];
  const outcome = (t.details as Record<string, unknown>)?.outcome;
  if (typeof outcome === 'string' && m.page.outcomes[outcome]) parts.push(`(${m.page.outcomes[outcome]})`);
  if (t.rejectionReason) parts.push(`(${m.page.rejectionReasons[t.rejectionReason] ?? t.rejectionReason})`);
  if (t.rep) parts.push(`— ${m.page.by(t.rep)}`);
  if (t.note) parts.push(`: ${t.note}`);
  return parts.join(' ');
}

function timeline(v: LeadPageView): string {
  const { m } = v;
  const items: Item[] = [
    ...v.data.events.map((e): Item => ({ at: e.occurred_at.toISOString(), kind: 'event', text: eventWords(m, e.type, e.properties ?? {}) })),
    ...v.data.emails.map((e): Item => ({ at: e.at, kind: 'email', text: `${m.page.emailSent(m.page.emailKinds[e.kind] ?? e.kind, m.page.emailStatuses[e.status] ?? e.status)}: ${e.subject}` })),
    ...transitionsOf(v).map((t): Item => ({ at: t.at, kind: 'transition', text: transitionText(m, t) })),
  ].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  const list = items.length
    ? `<ol class="timeline">${items
        .map((i) => `<li data-kind="${i.kind}"><span class="kind">${h(m.page.timelineKinds[i.kind])}</span> ${h(i.text)} <time datetime="${h(i.at)}">${h(localTime(Date.parse(i.at), v.timeZone, v.lang))}</time></li>`)
        .join('\n')}</ol>`
    : `<p class="muted">${h(m.page.noTimeline)}</p>`;
  return `<section class="wide" data-section="timeline"><h2>${h(m.page.timeline)}</h2>${list}</section>`;
}

export function leadPage(v: LeadPageView): string {
  const row = v.data.reading.row;
  const title = [row.name, row.company].filter(Boolean).join(' · ') || v.m.page.title;
  const notice = v.notice ? `<p class="notice${v.notice.kind === 'error' ? ' error' : ''}" role="status" data-notice="${v.notice.kind}">${h(v.notice.text)}</p>` : '';
  return page({ m: v.m, title, selfPath: v.selfPath, queuePath: v.queuePath }, [notice, profile(v), score(v), deadline(v), actions(v), timeline(v)].join('\n'));
}
