// The rep's queue: their open leads (owner = rep, stage mql or working), each with the deadline the
// workflow holds and a freshly signed link to its lead page, soonest deadline (so overdue) first.
import type { Stage } from '../domain/types';
import { newestAssignments, openLeadsOfOwner } from '../leads/store';
import { askLeadWorkflow } from '../leads/workflow-client';
import { assignmentOf } from './assignment';
import type { WorkspaceDeps } from './lead-workspace';
import { repDeadline, type RepDeadline } from './lead-deadline';
import { leadLinkUrl } from './links';
import type { QueueLinkToken } from './link-tokens';

export interface QueueEntry {
  leadId: string;
  name: string | null;
  company: string | null;
  title: string | null;
  stage: Stage;
  score: number;
  deadline: RepDeadline | null;
  /** Path of the lead page (from /), signed now. */
  link: string;
}

/** At most this many leads (a rep's queue is short; the page says when it is cut). */
export const QUEUE_LIMIT = 100;
/** Each lead's workflow is asked for its deadline at once, within this time. */
const ASK_MS = 3_000;

export async function readQueue(deps: WorkspaceDeps & { appLinkSecret: string }, token: QueueLinkToken, now = Date.now()): Promise<QueueEntry[]> {
  const rows = await openLeadsOfOwner(deps.pool, token.rep, QUEUE_LIMIT);
  const recorded = await newestAssignments(deps.pool, rows.map((r) => r.lead_id));
  const views = await Promise.all(rows.map((r) => askLeadWorkflow(deps.client, r.lead_id, ASK_MS)));
  const entries = rows.flatMap((row, i): QueueEntry[] => {
    const view = views[i]!.view;
    // The workflow's recent transitions may hold an assignment whose row is still being written.
    const known = recorded.get(row.lead_id);
    const assignment = assignmentOf([...(known ? [{ ...known, reason: 'assigned' }] : []), ...(view?.transitions ?? [])]);
    if (!assignment || (view && view.owner?.toLowerCase() !== token.rep.toLowerCase())) return [];
    return [
      {
        leadId: row.lead_id,
        name: row.name,
        company: row.company,
        title: row.title,
        stage: view?.stage ?? row.stage,
        score: view?.score.total ?? row.score,
        deadline: repDeadline(view),
        link: leadLinkUrl({ baseUrl: '', secret: deps.appLinkSecret }, row.lead_id, row.owner ?? token.rep, assignment, now),
      },
    ];
  });
  return entries.sort((a, b) => (a.deadline?.at ?? Infinity) - (b.deadline?.at ?? Infinity));
}
