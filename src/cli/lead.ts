// `leadloop lead <leadId|email>`: one lead's state (live from its workflow when Temporal answers,
// otherwise from PostgreSQL) and its transitions.
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { LeadView } from '../domain/view';
import { leadRefOf, readLead } from '../leads/read-model';
import type { TransitionRecord } from '../schemas/transition';
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
  const by = leadRefOf(ref);
  const lead = await readLead({ pool, client }, by);
  if (!lead) throw new CliError(`no lead with ${'leadId' in by ? 'id' : 'email'} ${ref.trim()}`);
  const { row, workflow } = lead;
  return {
    leadId: row.lead_id,
    email: row.email,
    name: row.name,
    company: row.company,
    stage: lead.stage,
    score: lead.score,
    owner: lead.owner,
    unsubscribed: lead.unsubscribed,
    // The row's versions, as this command always showed (GET /v1/leads/:id shows the live ones).
    campaign: { id: row.campaign_id, version: row.campaign_version },
    scoringModel: { id: row.scoring_model_id, version: row.scoring_model_version },
    createdAt: row.created_at.toISOString(),
    live: lead.live,
    workflow: { workflowId: workflow.workflowId, status: workflow.unreachable !== null ? `unknown (${workflow.unreachable})` : workflow.status },
    transitions: lead.transitions,
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
    const extra = [t.owner ? `owner ${t.owner}` : '', t.rep ? `rep ${t.rep}` : '', t.actor && t.actor !== t.rep ? `by ${t.actor}` : '', t.note ? `"${t.note}"` : '', versions].filter(Boolean).join(', ');
    out.push(`  ${String(t.seq).padStart(3)}  ${t.at}  ${(t.from ?? '-').padEnd(12)} → ${t.to.padEnd(12)} ${t.reason.padEnd(22)} score ${String(t.score).padStart(3)}${extra ? `  ${extra}` : ''}`);
  }
  return out.join('\n');
}
