// Enrolment: PostgreSQL first (the durable record, and the unique email that makes one person one
// lead), then the lead's workflow is started, or told the new attributes of a known lead.
import { randomUUID } from 'node:crypto';
import type { LeadConfig } from '../domain/lead-state';
import { enrolledTransition } from '../domain/lifecycle';
import type { LeadAttributes, Stage } from '../domain/types';
import { normalizeEmail } from '../schemas/common';
import { enrollLeadSchema, type EnrollLead, type EnrollLeadInput, type EnrollResult } from '../schemas/lead';
import type { IntakeDeps } from './deps';
import { UnknownLeadError, SuppressedLeadError } from './errors';
import { workflowEvent } from './event-properties';
import { deleteLeads, knownAttributes, liftSuppressions, markWorkflowStarted, recentEvents, suppressedAmong, upsertLeads, type Queryable } from './store';
import { eraseLeadRuns, signalEngagements, startOrSignalAttributes } from './workflow-client';

export type { EnrollResult };

/** Fit attributes the scoring model may use. Email address, name and company stay out of Temporal. */
export function fitAttributesOf(lead: EnrollLead): LeadAttributes {
  const domain = normalizeEmail(lead.email).split('@')[1] ?? null;
  const known: LeadAttributes = {
    emailDomain: domain,
    title: lead.title ?? null,
    employees: lead.employees ?? null,
    industry: lead.industry ?? null,
    country: lead.country ?? null,
    source: lead.source ?? null,
    // Not personal data on its own; the send window is read in it.
    timezone: lead.timezone ?? null,
  };
  const attrs: LeadAttributes = { ...(lead.attributes ?? {}) };
  for (const [k, v] of Object.entries(known)) if (v !== null) attrs[k] = v;
  return attrs;
}

/** A lead row as stored by the intake, before or after its workflow was started. */
export interface StoredLead {
  leadId: string;
  stage: Stage;
  /** A new lead (its workflow still has to be started), not a repeat of a known email. */
  inserted: boolean;
  attributes: LeadAttributes;
  /** Its workflow was never started (a new lead, or one stored earlier whose start did not happen). */
  pendingStart: boolean;
  /** Its workflow has to be started, or told new attributes. */
  needsStart: boolean;
  /** A new lead: its 'enrolled' transition was stored with it. */
  enrolmentRecorded: boolean;
}

/** An erased person's email: not stored (docs/api.md, "Erase"). */
export interface SuppressedLead {
  suppressed: true;
  email: string;
}

export const isSuppressed = (lead: StoredLead | SuppressedLead): lead is SuppressedLead => 'suppressed' in lead;

/**
 * Store leads, skipping erased people unless the input says `consent: "renewed"`. A lead erased while
 * this call stored it is removed again (the check runs before and after the insert; see eraseLead).
 * Results are in input order.
 */
export async function storeLeads(
  pool: IntakeDeps['pool'],
  raws: readonly EnrollLeadInput[],
  config: LeadConfig,
  options: { detectChanges?: boolean } = {},
): Promise<(StoredLead | SuppressedLead)[]> {
  const leads = raws.map((raw) => enrollLeadSchema.parse(raw));
  await liftSuppressions(pool, leads.filter((l) => l.consent === 'renewed').map((l) => l.email));
  const blocked = await suppressedAmong(pool, leads.map((l) => l.email));
  const kept = leads.filter((l) => !blocked.has(normalizeEmail(l.email)));
  const stored = await upsertAll(pool, kept, config, options);
  const late = await suppressedAmong(pool, kept.filter((_, i) => stored[i]!.inserted).map((l) => l.email));
  await deleteLeads(pool, stored.filter((s, i) => s.inserted && late.has(normalizeEmail(kept[i]!.email))).map((s) => s.leadId));
  const byEmail = new Map(kept.map((l, i) => [normalizeEmail(l.email), stored[i]!]));
  return leads.map((l) => {
    const key = normalizeEmail(l.email);
    const lead = byEmail.get(key);
    return lead && !(lead.inserted && late.has(key)) ? lead : { suppressed: true as const, email: l.email };
  });
}

/**
 * Deduplicated by normalized email: a new email gets a new row whose workflow is still to be started
 * (the start relay makes sure it happens); a known one merges its new fields.
 */
async function upsertAll(
  db: Queryable,
  leads: readonly EnrollLead[],
  config: LeadConfig,
  /** Compare with what is stored, so that a known lead with nothing new needs no signal (imports). */
  options: { detectChanges?: boolean } = {},
): Promise<StoredLead[]> {
  if (leads.length === 0) return [];
  const attributes = leads.map((lead) => fitAttributesOf(lead));
  // A repeat with nothing new needs no signal: re-importing a file of known leads is then a few
  // statements, not one signal per lead.
  const known = options.detectChanges === false ? new Map<string, LeadAttributes>() : await knownAttributes(db, leads.map((lead) => normalizeEmail(lead.email)));
  // The 'enrolled' transition as the workflow's core computes it, so the workflow need not record it.
  const now = Date.now();
  const rows = await upsertLeads(
    db,
    leads.map((lead, i) => {
      const leadId = randomUUID();
      return {
        leadId,
        email: lead.email.trim(),
        emailNormalized: normalizeEmail(lead.email),
        name: lead.name ?? null,
        company: lead.company ?? null,
        title: lead.title ?? null,
        attributes: attributes[i]!,
        source: lead.source ?? null,
        utm: lead.utm ?? null,
        config,
        enrolled: enrolledTransition(leadId, attributes[i]!, now, config),
      };
    }),
  );
  const byEmail = new Map(rows.map((r) => [r.email_normalized, r]));
  return leads.map((lead, i) => {
    const key = normalizeEmail(lead.email);
    const row = byEmail.get(key)!;
    const before = known.get(key);
    const fresh = attributes[i]!;
    const changed = !known.has(key) || Object.entries(fresh).some(([k, v]) => before?.[k] !== v);
    const pendingStart = row.inserted || row.pending;
    return { leadId: row.lead_id, stage: row.stage, inserted: row.inserted, attributes: fresh, pendingStart, needsStart: pendingStart || changed, enrolmentRecorded: row.inserted };
  });
}

/** Events a lead that sat unstarted may have had stored meanwhile: the newest this many are replayed. */
const REPLAYED_EVENTS = 500;

/**
 * Start (or, for a known lead, signal new attributes to) the lead's workflow, then mark the row
 * started. Idempotent. A lead that sat unstarted may already have events stored: they are signalled
 * after the start (the workflow skips known eventIds).
 */
export async function startLeadWorkflow(
  deps: IntakeDeps,
  leadId: string,
  config: LeadConfig,
  attributes: LeadAttributes,
  options: {
    /** The connection holding the row's lock, when the caller claimed it (the start relay). */
    db?: Queryable;
    /** The lead's 'enrolled' transition was stored with its row: the workflow does not record it again. */
    enrolmentRecorded?: boolean;
    /** Signal the events stored for the lead (one that sat unstarted). A lead stored a moment ago
     * by the same call cannot have any: its id was not known to anyone yet. */
    replayEvents?: boolean;
  } = {},
): Promise<void> {
  const db = options.db ?? deps.pool;
  const started = await startOrSignalAttributes(deps, leadId, config, attributes, options.enrolmentRecorded === true);
  const { present, marked } = await markWorkflowStarted(db, leadId);
  if (!present) {
    // Erased while this start was on its way (eraseLead deletes runs again after its rows, so only a
    // start after that needs this): the run just started must not outlive the person's data.
    await eraseLeadRuns(deps.client, leadId);
    throw new UnknownLeadError(leadId);
  }
  if (started && marked && options.replayEvents !== false) {
    const events = await recentEvents(db, leadId, REPLAYED_EVENTS);
    await signalEngagements(
      deps.client,
      leadId,
      events.map((e) => workflowEvent({ eventId: e.event_id, type: e.type, occurredAt: e.occurred_at.toISOString(), properties: e.properties ?? {} })),
    );
  }
}

/**
 * Enrol a lead, idempotently: the same normalized email always yields the same lead, one workflow
 * and one first email. A repeat merges new attributes into the running workflow.
 */
export async function enrollLead(deps: IntakeDeps, raw: EnrollLeadInput, config: LeadConfig): Promise<EnrollResult> {
  // `config` is the campaign (resolved by the caller from raw.campaignId), its policy and its model,
  // pinned for this lead: the versions it enrols with are the ones its workflow keeps.
  const [stored] = await storeLeads(deps.pool, [raw], config, { detectChanges: false });
  if (isSuppressed(stored!)) throw new SuppressedLeadError();
  const { leadId, stage, inserted, attributes, enrolmentRecorded } = stored!;
  await startLeadWorkflow(deps, leadId, config, attributes, { replayEvents: !inserted, enrolmentRecorded });
  return { leadId, stage, created: inserted };
}
