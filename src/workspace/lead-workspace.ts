// The lead page's use case: open a signed lead link (is it still this rep's assignment?), gather
// what the page shows, and run the rep's sales actions through the workflow's updates.
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from 'pg';
import { resolveLeadConfig } from '../catalog/store';
import type { LeadConfig } from '../domain/lead-state';
import type { AcceptAction, ContactAction, RejectAction } from '../domain/types';
import { readLead, type LeadReading } from '../leads/read-model';
import { recentEvents, type StoredEvent } from '../leads/store';
import { loadSentEmails, type SentEmail } from '../leads/undelivered';
import { salesUpdates } from '../leads/workflow-client';
import { normalizeEmail } from '../schemas/common';
import { findUser, type UserRow } from '../users/store';
import { assignmentOf, goneReason, type CurrentLead, type GoneReason } from './assignment';
import { verifyLinkToken, type LeadLinkToken } from './link-tokens';

export interface WorkspaceDeps {
  pool: Pool;
  client: Client;
  /** APP_LINK_SECRET; without it no link verifies (every page answers 404). */
  appLinkSecret?: string;
}

export interface LeadPageData {
  token: LeadLinkToken;
  reading: LeadReading;
  current: CurrentLead;
  user: UserRow | null;
  config: LeadConfig | null;
  events: StoredEvent[];
  emails: SentEmail[];
}

export type OpenedLink =
  | { kind: 'not_found' }
  | { kind: 'gone'; reason: GoneReason; token: LeadLinkToken; user: UserRow | null; closedByRep?: 'accept' | 'reject' }
  | ({ kind: 'open' } & LeadPageData);

const TIMELINE_ITEMS = 50;

/** The rep's directory entry (language, zone); null for a rep not in the directory. */
export const repUser = (pool: Pool, rep: string): Promise<UserRow | null> => findUser(pool, normalizeEmail(rep)).catch(() => null);

/** The lead as the workflow sees it (its view when it answers), with its current assignment from every known transition. */
export function currentOf(reading: LeadReading): CurrentLead {
  const live = reading.live;
  const transitions = [...reading.transitions, ...(live?.transitions ?? [])];
  const cycle = live?.cycle ?? transitions.reduce((max, t) => Math.max(max, t.cycle), 0);
  return { stage: reading.stage, owner: reading.owner, cycle, assignment: assignmentOf(transitions) };
}

/** The exact configuration the lead runs on (its pinned versions), for the rules' words and the SLA; null when the catalog lacks it. */
async function pinnedConfig(pool: Pool, reading: LeadReading): Promise<LeadConfig | null> {
  const row = reading.row;
  return resolveLeadConfig(pool, row.campaign_id, {
    campaignVersion: reading.campaignVersion,
    modelId: reading.scoringModel.id,
    modelVersion: reading.scoringModel.version,
    shadowModelId: null,
  }).catch(() => null);
}

/** Whether the lead's newest transition is this rep's accept or reject (the page after the form says so, not "closed"). */
function closedBy(reading: LeadReading, rep: string): 'accept' | 'reject' | null {
  const all = [...reading.transitions, ...(reading.live?.transitions ?? [])];
  const newest = all.reduce<(typeof all)[number] | null>((a, t) => (a === null || t.seq > a.seq ? t : a), null);
  if (!newest?.rep || newest.rep.trim().toLowerCase() !== rep.trim().toLowerCase()) return null;
  if (newest.reason === 'accepted') return 'accept';
  return newest.reason === 'rejected' || newest.reason === 'disqualified' ? 'reject' : null;
}

export async function openLeadLink(deps: WorkspaceDeps, raw: string, now = Date.now()): Promise<OpenedLink> {
  const token = verifyLinkToken(deps.appLinkSecret, 'lead', raw);
  if (!token) return { kind: 'not_found' };
  const user = await repUser(deps.pool, token.rep);
  if (token.expiresAt <= now) return { kind: 'gone', reason: 'expired', token, user };
  const reading = await readLead({ pool: deps.pool, client: deps.client }, { leadId: token.leadId });
  const current = reading ? currentOf(reading) : null;
  const gone = goneReason(token, current, now);
  if (gone || !reading || !current) {
    const closedByRep = reading ? closedBy(reading, token.rep) : null;
    return { kind: 'gone', reason: gone ?? 'closed', token, user, ...(closedByRep ? { closedByRep } : {}) };
  }
  const [config, events, emails] = await Promise.all([
    pinnedConfig(deps.pool, reading),
    recentEvents(deps.pool, token.leadId, TIMELINE_ITEMS),
    loadSentEmails(deps.pool, token.leadId, TIMELINE_ITEMS),
  ]);
  return { kind: 'open', token, reading, current, user, config, events, emails };
}

export type SalesActionInput = { name: 'contact'; action: ContactAction } | { name: 'accept'; action: AcceptAction } | { name: 'reject'; action: RejectAction };

/** done, or the refusal's code: illegal_stage (409), bant_insufficient (422). */
export type SalesActionResult = { done: true } | { done: false; status: 409 | 422; code: 'illegal_stage' | 'bant_insufficient' };

const REFUSALS = { illegal_stage: 409, bant_insufficient: 422 } as const;

/** Runs the action as the workflow's update; a refusal is an answer, not an error. */
export async function runSalesAction(deps: WorkspaceDeps, leadId: string, input: SalesActionInput): Promise<SalesActionResult> {
  try {
    if (input.name === 'contact') await salesUpdates.contact(deps.client, leadId, input.action);
    else if (input.name === 'accept') await salesUpdates.accept(deps.client, leadId, input.action);
    else await salesUpdates.reject(deps.client, leadId, input.action);
    return { done: true };
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
      const code = err.cause.type as keyof typeof REFUSALS;
      if (code in REFUSALS) return { done: false, status: REFUSALS[code], code };
    }
    // The workflow has ended (sql, disqualified): no sales action applies any more.
    if (err instanceof WorkflowNotFoundError) return { done: false, status: 409, code: 'illegal_stage' };
    throw err;
  }
}
