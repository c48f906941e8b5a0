// `leadloop lead <leadId|email>`: one lead's state (live from its workflow when Temporal answers,
// otherwise from PostgreSQL) and its transitions.
import { loadTransitions, type TransitionRecord } from '../leads/transitions';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { LeadView } from '../domain/view';
import { LEAD_ID_PATTERN } from '../leads/intake';
import { normalizeEmail } from '../schemas/common';
import { workflowIdFor } from '../temporal/client';
import { getStateQuery } from '../../workflows/messages';
import { CliError } from './context';

export interface LeadReport {
  leadId: string;
  email: string;
  name: string | null;
  company: string | null;
  stage: string;
  score: number;
  owner: string | null;
  unsubscribed: boolean;
  campaign: { id: string; version: number };
  scoringModel: { id: string; version: number };
  createdAt: string;
  live: LeadView | null;
  workflow: { workflowId: string; status: string | null };
  transitions: TransitionRecord[];
}

export async function findLead(pool: Pool, client: Client | null, ref: string): Promise<LeadReport> {
  const byId = LEAD_ID_PATTERN.test(ref.trim());
  const { rows } = await pool.query(byId ? 'SELECT * FROM leads WHERE lead_id = $1' : 'SELECT * FROM leads WHERE email_normalized = $1', [
    byId ? ref.trim() : normalizeEmail(ref),
  ]);
  const row = rows[0];
  if (!row) throw new CliError(`no lead with ${byId ? 'id' : 'email'} ${ref.trim()}`);
  const transitions = await loadTransitions(pool, row.lead_id);
  const workflowId = workflowIdFor(row.lead_id);
  let live: LeadView | null = null;
  let status: string | null = null;
  if (client) {
    try {
      await client.withDeadline(Date.now() + 5_000, async () => {
        const handle = client.workflow.getHandle(workflowId);
        status = (await handle.describe()).status.name;
        live = await handle.query(getStateQuery).catch(() => null);
      });
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) status = `unknown (${(err as Error).message})`;
    }
  }
  const view = live as LeadView | null;
  return {
    leadId: row.lead_id,
    email: row.email,
    name: row.name,
    company: row.company,
    stage: view?.stage ?? row.stage,
    score: view?.score.total ?? row.score,
    owner: view ? view.owner : row.owner,
    unsubscribed: view?.unsubscribed ?? row.unsubscribed_at !== null,
    campaign: { id: row.campaign_id, version: row.campaign_version },
    scoringModel: { id: row.scoring_model_id, version: row.scoring_model_version },
    createdAt: (row.created_at as Date).toISOString(),
    live: view,
    workflow: { workflowId, status },
    transitions,
  };
}

export function formatLead(lead: LeadReport): string {
  const v = lead.live;
  const who = [lead.name, lead.company].filter(Boolean).join(', ');
  const out = [`Lead ${lead.leadId}  ${lead.email}${who ? `  (${who})` : ''}`];
  const field = (label: string, value: string | null | undefined) => {
    if (value !== null && value !== undefined && value !== '') out.push(`  ${`${label}:`.padEnd(15)}${value}`);
  };
  field('stage', `${lead.stage}${v ? ` (cycle ${v.cycle})` : ''}${lead.unsubscribed ? ', unsubscribed' : ''}${v?.emailBounced ? ', email bounced' : ''}`);
  field('score', v ? `${v.score.total} (fit ${v.score.fit}, behaviour ${v.score.behavior})${v.score.isMql ? ', meets MQL' : ''}` : `${lead.score}`);
  field('owner', lead.owner ?? '-');
  field('campaign', `${lead.campaign.id} v${lead.campaign.version}, scoring model ${lead.scoringModel.id} v${lead.scoringModel.version}`);
  field('MQL at', v?.mqlAt);
  field('SLA deadline', v?.slaDeadline);
  field('contacted at', v?.contactedAt);
  field('qualify by', v?.qualificationDeadline);
  field('back to nurture', v?.recycleAt);
  field('next email', v?.nurture.sendAt ?? v?.nurture.dueAt);
  field('enrolled', lead.createdAt);
  field('workflow', `${lead.workflow.workflowId} (${lead.workflow.status ?? 'not found'}${v ? '' : '; state from PostgreSQL'})`);
  out.push(`Transitions (${lead.transitions.length}):`);
  if (!lead.transitions.length) out.push('  (none yet)');
  for (const t of lead.transitions) {
    const versions = t.reason === 'migrated' ? `${String(t.details.fromModel)} → ${String(t.details.toModel)}` : '';
    const extra = [t.owner ? `owner ${t.owner}` : '', t.rep ? `rep ${t.rep}` : '', t.note ? `"${t.note}"` : '', versions].filter(Boolean).join(', ');
    out.push(`  ${String(t.seq).padStart(3)}  ${t.at}  ${(t.from ?? '-').padEnd(12)} → ${t.to.padEnd(12)} ${t.reason.padEnd(22)} score ${String(t.score).padStart(3)}${extra ? `  ${extra}` : ''}`);
  }
  return out.join('\n');
}
