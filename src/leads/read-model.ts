// One lead as everyone reads it (GET /v1/leads/:id, `leadloop lead`): its row, and its workflow's
// live view when Temporal answers. Without one, the documented fallback: stage, owner, score and the
// flags come from PostgreSQL (the row mirrors the newest recorded transition) and `live` is null.
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { Stage } from '../domain/types';
import type { LeadView } from '../domain/view';
import { normalizeEmail } from '../schemas/common';
import { LEAD_ID_PATTERN } from './lead-id';
import { findLeadRow, listLeads, loadTransitions, type LeadListFilter, type LeadRow, type ListedLead, type TransitionRecord } from './store';
import { loadUndeliveredNotices, type UndeliveredNotice } from './undelivered';
import { askLeadWorkflow, publishedScores, workflowIdFor, type LiveLead } from './workflow-client';

/** How long a read waits for Temporal before answering from PostgreSQL. */
const WORKFLOW_ASK_MS = 5_000;

export interface LeadReading {
  row: LeadRow;
  /** The workflow's own view; null when it could not be asked or has ended. */
  live: LeadView | null;
  workflow: { workflowId: string } & Omit<LiveLead, 'view'>;
  /** The live value when there is one, else the row's. */
  stage: Stage;
  owner: string | null;
  score: number;
  unsubscribed: boolean;
  emailBounced: boolean;
  /** The workflow's versions are the truth; the row catches up when a migration is recorded. */
  campaignVersion: number;
  scoringModel: { id: string; version: number };
  transitions: TransitionRecord[];
  undeliveredNotices: UndeliveredNotice[];
}

export interface ReadLeadDeps {
  pool: Pool;
  /** Null: answer from PostgreSQL only (a CLI without Temporal). */
  client: Client | null;
}

/** A lead id (UUID), or anything else read as an email. */
export type LeadRef = { leadId: string } | { email: string };

export const leadRefOf = (ref: string): LeadRef => (LEAD_ID_PATTERN.test(ref.trim()) ? { leadId: ref.trim() } : { email: ref });

/** Null when there is no such lead. */
export async function readLead(
  deps: ReadLeadDeps,
  ref: LeadRef,
  options: { transitions?: number; undeliveredNotices?: boolean } = {},
): Promise<LeadReading | null> {
  if ('leadId' in ref && !LEAD_ID_PATTERN.test(ref.leadId)) return null;
  const row = await findLeadRow(deps.pool, 'leadId' in ref ? { leadId: ref.leadId } : { emailNormalized: normalizeEmail(ref.email) });
  if (!row) return null;
  const notAsked: LiveLead = { view: null, runId: null, status: null, unreachable: null };
  const [{ view, ...workflow }, transitions, undeliveredNotices] = await Promise.all([
    deps.client ? askLeadWorkflow(deps.client, row.lead_id, WORKFLOW_ASK_MS) : notAsked,
    loadTransitions(deps.pool, row.lead_id, options.transitions),
    options.undeliveredNotices ? loadUndeliveredNotices(deps.pool, row.lead_id) : [],
  ]);
  return {
    row,
    live: view,
    workflow: { workflowId: workflowIdFor(row.lead_id), ...workflow },
    stage: view?.stage ?? row.stage,
    owner: view ? view.owner : row.owner,
    score: view?.score.total ?? row.score,
    unsubscribed: view?.unsubscribed ?? row.unsubscribed_at !== null,
    emailBounced: view?.emailBounced ?? row.email_bounced_at !== null,
    campaignVersion: view?.campaign.version ?? row.campaign_version,
    scoringModel: view?.scoringModel ?? { id: row.scoring_model_id, version: row.scoring_model_version },
    transitions,
    undeliveredNotices,
  };
}

/** How long the list waits for Temporal's published scores before showing the rows' own. */
const LIST_SCORES_MS = 2_000;

/**
 * A page of the lead list. Stage and owner are the rows' (recorded with every transition, before the
 * owner's email); the score is the one the lead's workflow last published (its LeadScore search
 * attribute), which follows every event, so the list and GET /v1/leads/:id agree. Without search
 * attributes, or when Temporal does not answer in time, the row's score (as of the last transition).
 */
export async function listLeadPage(deps: ReadLeadDeps & { searchAttributes: boolean }, filter: LeadListFilter): Promise<(ListedLead & { live_score: number | null })[]> {
  const rows = await listLeads(deps.pool, filter);
  const scores = deps.client && deps.searchAttributes ? await publishedScores(deps.client, rows.map((r) => r.lead_id), LIST_SCORES_MS).catch(() => new Map<string, number>()) : new Map<string, number>();
  return rows.map((r) => ({ ...r, live_score: scores.get(r.lead_id) ?? null }));
}
