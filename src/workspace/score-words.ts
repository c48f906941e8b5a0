// A score breakdown in words ("Visited the pricing page (+30)"), one line per rule, for the rep's
// emails and the lead page. Values inside a phrase (a lead's title, a page name) pass through
// `value`, so that the email can defang them (src/mail/unlinkable.ts) and the page escape them.
import type { BreakdownLine } from '../domain/scoring';
import type { BehaviorRule, ScoringModel } from '../domain/types';
import type { Messages } from './messages-en';

export interface ScoreLine {
  text: string;
  points: number;
}

type Line = Pick<BreakdownLine, 'kind' | 'ruleId' | 'points' | 'eventType' | 'attribute' | 'value'>;

const MAX_VALUE = 80;
const shown = (v: unknown): string => String(v ?? '').slice(0, MAX_VALUE);
const signed = (n: number): string => (n >= 0 ? `+${n}` : String(n));

function fitPhrase(m: Messages, line: Line, value: (v: string) => string): string {
  const v = value(shown(line.value));
  switch (line.attribute) {
    case 'title':
    case 'industry':
    case 'country':
    case 'employees':
      return m.score.fit[line.attribute](v);
    default:
      return m.score.fit.other(value(shown(line.attribute ?? line.ruleId)), v);
  }
}

/** An event in words; `where`: the rule's conditions, or the event's own properties on the timeline. */
export function eventWords(m: Messages, type: string, where: Record<string, unknown>, value: (v: string) => string = (v) => v): string {
  const e = m.score.event;
  if (type === 'page_view') return where.page !== undefined ? e.page_view_page(value(shown(where.page))) : e.page_view;
  if (type === 'content_download') return where.asset !== undefined ? e.content_download_asset(value(shown(where.asset))) : e.content_download;
  const fixed = e[type as 'email_open' | 'email_click' | 'demo_request' | 'form_submit' | 'webinar_attend' | 'trial_signup'];
  return typeof fixed === 'string' ? fixed : e.other(value(shown(type)));
}

const eventPhrase = (m: Messages, type: string, rule: BehaviorRule | undefined, value: (v: string) => string): string => eventWords(m, type, rule?.where ?? {}, value);

/** One line per rule that earned points (repeated events counted, "×3"), largest contribution first. */
export function scoreLines(m: Messages, breakdown: readonly Line[], model: ScoringModel | null, value: (v: string) => string = (v) => v): ScoreLine[] {
  const byRule = new Map<string, { line: Line; points: number; count: number }>();
  for (const line of breakdown) {
    const seen = byRule.get(line.ruleId);
    if (seen) {
      seen.points += line.points;
      seen.count += 1;
    } else byRule.set(line.ruleId, { line, points: line.points, count: 1 });
  }
  const rules = new Map((model?.behavior ?? []).map((r) => [r.id, r]));
  return [...byRule.values()]
    .sort((a, b) => Math.abs(b.points) - Math.abs(a.points))
    .map(({ line, points, count }) => {
      const phrase = line.kind === 'fit' ? fitPhrase(m, line, value) : eventPhrase(m, line.eventType ?? rules.get(line.ruleId)?.event ?? '', rules.get(line.ruleId), value);
      return { text: `${phrase}${count > 1 ? m.score.times(count) : ''} (${signed(points)})`, points };
    });
}
