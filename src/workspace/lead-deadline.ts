// The deadline a rep works against, from the workflow's view: first contact (mql), then the next
// attempt or the end of the qualification window (working).
import type { LeadView } from '../domain/view';

export type DeadlineKind = 'sla' | 'attempt' | 'qualify';

export interface RepDeadline {
  kind: DeadlineKind;
  at: number;
}

const ms = (iso: string | null): number | null => (iso === null ? null : Date.parse(iso));

export function repDeadline(view: LeadView | null): RepDeadline | null {
  if (!view) return null;
  if (view.stage === 'mql') {
    const at = ms(view.slaDeadline);
    return at === null ? null : { kind: 'sla', at };
  }
  if (view.stage !== 'working') return null;
  const attempt = view.reached ? null : ms(view.nextAttemptDueAt);
  if (attempt !== null) return { kind: 'attempt', at: attempt };
  const qualify = ms(view.qualificationDeadline);
  return qualify === null ? null : { kind: 'qualify', at: qualify };
}
