// Intake: how leads and their events enter the system. Writes PostgreSQL first (the durable record,
// and the unique email that makes one person one lead), then starts or signals the lead's workflow.
import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import type { Pool } from 'pg';
import { withTransaction } from '../db/transaction';
import type { LeadConfig } from '../domain/lead-state';
import { enrolledTransition } from '../domain/lifecycle';
import type { EngagementEvent, LeadAttributes, Stage } from '../domain/types';
import { normalizeEmail } from '../schemas/common';
import { engagementEventSchema, enrollLeadSchema, type EngagementEventInput, type EnrollLead, type EnrollLeadInput } from '../schemas/lead';
import { workflowEvent } from './event-properties';
import { liftSuppressions, SuppressedLeadError, suppress, suppressedAmong } from './suppression';
import { workflowIdFor } from '../temporal/client';
import { attributesSignal, engagementSignal, unsubscribeSignal } from '../../workflows/messages';
import type { leadWorkflow } from '../../workflows/lead';
import { LEAD_RUN_REVISION } from '../../workflows/revision';
import { CampaignId, LeadScore, LeadStage, ScoringModel, scoringModelValue } from '../../workflows/search-attributes';

export interface IntakeDeps {
  pool: Pool;
  client: Client;
  taskQueue: string;
  /** False against a Temporal server without the project's search attributes. */
  searchAttributes: boolean;
}

export interface EnrollResult {
  leadId: string;
  stage: Stage;
  created: boolean;
}

/** Fit attributes the scoring model may use. Email address, name and company stay out of Temporal. */
export function fitAttributesOf(lead: ReturnType<typeof enrollLeadSchema.parse>): LeadAttributes {
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

const STORE_COLUMNS = 17;

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
  pool: Pool,
  raws: readonly EnrollLeadInput[],
  config: LeadConfig,
  options: { detectChanges?: boolean } = {},
): Promise<(StoredLead | SuppressedLead)[]> {
  const leads = raws.map((raw) => enrollLeadSchema.parse(raw));
  await liftSuppressions(pool, leads.filter((l) => l.consent === 'renewed').map((l) => l.email));
  const blocked = await suppressedAmong(pool, leads.map((l) => l.email));
  const kept = leads.filter((l) => !blocked.has(normalizeEmail(l.email)));
  const stored = await upsertLeads(pool, kept, config, options);
  const late = await suppressedAmong(pool, kept.filter((_, i) => stored[i]!.inserted).map((l) => l.email));
  const lateIds = stored.filter((s, i) => s.inserted && late.has(normalizeEmail(kept[i]!.email))).map((s) => s.leadId);
  if (lateIds.length) await pool.query('DELETE FROM leads WHERE lead_id = ANY ($1::uuid[])', [lateIds]);
  const byEmail = new Map(kept.map((l, i) => [normalizeEmail(l.email), stored[i]!]));
  return leads.map((l) => {
    const key = normalizeEmail(l.email);
    const lead = byEmail.get(key);
    return lead && !(lead.inserted && late.has(key)) ? lead : { suppressed: true as const, email: l.email };
  });
}

/**
 * Store leads (one statement), deduplicated by normalized email: a new email gets a new row whose
 * workflow is still to be started (workflow_started_at NULL: the start relay makes sure it happens);
 * a known one merges its new fields. The same email twice in one call is the caller's error.
 */
async function upsertLeads(
  pool: Pool,
  leads: readonly EnrollLead[],
  config: LeadConfig,
  /** Compare with what is stored, so that a known lead with nothing new needs no signal (imports). */
  options: { detectChanges?: boolean } = {},
): Promise<StoredLead[]> {
  if (leads.length === 0) return [];
  const attributes = leads.map((lead) => fitAttributesOf(lead));
  // What is known of these emails already: a repeat with nothing new needs no signal (re-importing a
  // file of 10,000 known leads is then a few statements, not 10,000 signals).
  const { rows: known } =
    options.detectChanges === false
      ? { rows: [] }
      : await pool.query<{ email_normalized: string; attributes: LeadAttributes }>('SELECT email_normalized, attributes FROM leads WHERE email_normalized = ANY ($1)', [
          leads.map((lead) => normalizeEmail(lead.email)),
        ]);
  const knownBy = new Map(known.map((k) => [k.email_normalized, k]));
  // A new row is stored with its 'enrolled' transition, as the workflow's core computes it, in the
  // same statement: no lead without its enrolment (the funnel counts it as of now), and the
  // workflow need not record it.
  const now = Date.now();
  const leadIds = leads.map(() => randomUUID());
  const enrolled = leads.map((_, i) => enrolledTransition(leadIds[i]!, attributes[i]!, now, config));
  const values: unknown[] = [];
  const tuples = leads.map((lead, i) => {
    values.push(
      leadIds[i],
      lead.email.trim(),
      normalizeEmail(lead.email),
      lead.name ?? null,
      lead.company ?? null,
      lead.title ?? null,
      JSON.stringify(attributes[i]),
      lead.source ?? null,
      lead.utm ? JSON.stringify(lead.utm) : null,
      config.campaign.id,
      config.campaign.version,
      config.model.id,
      config.model.version,
      config.shadowModel?.id ?? null,
      config.shadowModel?.version ?? null,
      null,
      enrolled[i]!.score,
    );
    const base = i * STORE_COLUMNS;
    return `(${Array.from({ length: STORE_COLUMNS }, (_, k) => `$${base + k + 1}`).join(', ')})`;
  });
  const t = leads.length * STORE_COLUMNS;
  values.push(
    leadIds,
    enrolled.map((e) => e.to),
    enrolled.map((e) => e.reason),
    enrolled.map((e) => e.cycle),
    enrolled.map((e) => e.score),
    enrolled.map((e) => JSON.stringify(e.details ?? {})),
    enrolled.map((e) => e.at),
  );
  const { rows } = await pool.query<{ lead_id: string; stage: Stage; inserted: boolean; pending: boolean; email_normalized: string }>(
    `WITH stored AS (
       INSERT INTO leads (lead_id, email, email_normalized, name, company, title, attributes, source, utm,
                          campaign_id, campaign_version, scoring_model_id, scoring_model_version, shadow_model_id, shadow_model_version,
                          workflow_started_at, score)
       VALUES ${tuples.join(', ')}
       ON CONFLICT (email_normalized) DO UPDATE SET
         name = COALESCE(EXCLUDED.name, leads.name),
         company = COALESCE(EXCLUDED.company, leads.company),
         title = COALESCE(EXCLUDED.title, leads.title),
         attributes = leads.attributes || EXCLUDED.attributes,
         updated_at = now()
       RETURNING lead_id, stage, (xmax = 0) AS inserted, workflow_started_at IS NULL AS pending, email_normalized
     ), enrolled AS (
       -- A known email keeps its lead id, so only new rows match.
       INSERT INTO lead_transitions (lead_id, seq, from_stage, to_stage, reason, cycle, score, details, occurred_at)
       SELECT e.lead_id, 1, NULL, e.to_stage, e.reason, e.cycle, e.score, e.details, to_timestamp(e.at / 1000.0)
         FROM unnest($${t + 1}::uuid[], $${t + 2}::text[], $${t + 3}::text[], $${t + 4}::int[], $${t + 5}::int[], $${t + 6}::jsonb[], $${t + 7}::float8[])
              AS e(lead_id, to_stage, reason, cycle, score, details, at)
         JOIN stored s ON s.lead_id = e.lead_id AND s.inserted
     )
     SELECT * FROM stored`,
    values,
  );
  const byEmail = new Map(rows.map((r) => [r.email_normalized, r]));
  return leads.map((lead, i) => {
    const key = normalizeEmail(lead.email);
    const row = byEmail.get(key)!;
    const before = knownBy.get(key);
    const fresh = attributes[i]!;
    const changed = !before || Object.entries(fresh).some(([k, v]) => before.attributes?.[k] !== v);
    const pendingStart = row.inserted || row.pending;
    return { leadId: row.lead_id, stage: row.stage, inserted: row.inserted, attributes: fresh, pendingStart, needsStart: pendingStart || changed, enrolmentRecorded: row.inserted };
  });
}

/**
 * Start (or, for a known lead, signal new attributes to) the lead's workflow, then mark the row
 * started. Idempotent: the workflow ID is derived from the lead id. A lead that sat unstarted may
 * already have events stored: they are signalled after the start (the workflow skips known eventIds).
 */
export async function startLeadWorkflow(
  deps: IntakeDeps,
  leadId: string,
  config: LeadConfig,
  attributes: LeadAttributes,
  options: {
    /** The connection holding the row's lock, when the caller claimed it (the start relay). */
    db?: Pick<Pool, 'query'>;
    /** The lead's 'enrolled' transition was stored with its row: the workflow does not record it again. */
    enrolmentRecorded?: boolean;
    /** Signal the events stored for the lead (one that sat unstarted). A lead stored a moment ago
     * by the same call cannot have any: its id was not known to anyone yet. */
    replayEvents?: boolean;
  } = {},
): Promise<void> {
  const db = options.db ?? deps.pool;
  let started = true;
  try {
    await deps.client.workflow.signalWithStart<typeof leadWorkflow, [LeadAttributes]>('leadWorkflow', {
      workflowId: workflowIdFor(leadId),
      taskQueue: deps.taskQueue,
      args: [{ leadId, config, attributes, searchAttributes: deps.searchAttributes, revision: LEAD_RUN_REVISION, ...(options.enrolmentRecorded ? { enrolmentRecorded: true } : {}) }],
      signal: attributesSignal,
      signalArgs: [attributes],
      // A lead that reached SQL or was disqualified is not silently restarted by a repeat enrolment.
      workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
      // A new lead starts with its first search attributes, so its first task upserts none.
      ...(deps.searchAttributes && options.enrolmentRecorded ? { typedSearchAttributes: initialSearchAttributes(leadId, config, attributes) } : {}),
      staticSummary: `Lead ${leadId} · campaign ${config.campaign.id} v${config.campaign.version} · model ${config.model.id} v${config.model.version}${config.shadowModel ? ` · shadow ${config.shadowModel.id} v${config.shadowModel.version}` : ''}`,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    started = false;
  }
  // One round trip: mark the start, and learn whether the row is still there at all.
  const { rows } = await db.query<{ present: boolean; marked: boolean }>(
    `WITH marked AS (UPDATE leads SET workflow_started_at = now() WHERE lead_id = $1 AND workflow_started_at IS NULL RETURNING lead_id)
     SELECT EXISTS (SELECT 1 FROM leads WHERE lead_id = $1) AS present, EXISTS (SELECT 1 FROM marked) AS marked`,
    [leadId],
  );
  if (!rows[0]!.present) {
    // Erased while this start was on its way (eraseLead deletes runs again after its rows, so only a
    // start after that needs this): the run just started must not outlive the person's data.
    await eraseWorkflowRuns(deps.client, workflowIdFor(leadId));
    throw new UnknownLeadError(leadId);
  }
  if (started && rows[0]!.marked && options.replayEvents !== false) {
    const { rows: events } = await db.query<{ event_id: string; type: string; occurred_at: Date; properties: Record<string, string | number | boolean> }>(
      'SELECT event_id, type, occurred_at, properties FROM lead_events WHERE lead_id = $1 ORDER BY occurred_at DESC LIMIT 500',
      [leadId],
    );
    const handle = deps.client.workflow.getHandle(workflowIdFor(leadId));
    for (const e of events.reverse()) {
      await handle.signal(engagementSignal, workflowEvent({ eventId: e.event_id, type: e.type, occurredAt: e.occurred_at.toISOString(), properties: e.properties ?? {} }));
    }
  }
}

/** What a lead's search attributes are once enrolled (the workflow upserts any later change). */
function initialSearchAttributes(leadId: string, config: LeadConfig, attributes: LeadAttributes): SearchAttributePair[] {
  const enrolled = enrolledTransition(leadId, attributes, Date.now(), config);
  return [
    { key: CampaignId, value: config.campaign.id },
    { key: ScoringModel, value: scoringModelValue(config.model) },
    { key: LeadStage, value: enrolled.to },
    { key: LeadScore, value: enrolled.score },
  ];
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

export interface EventResult {
  eventId: string;
  duplicate: boolean;
}

/** Lead ids are UUIDs; anything else cannot name a lead (and must not reach a uuid column). */
export const LEAD_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function assertLeadId(leadId: string): void {
  if (!LEAD_ID_PATTERN.test(leadId)) throw new UnknownLeadError(leadId);
}

export class UnknownLeadError extends Error {
  constructor(readonly leadId: string) {
    super(`no lead with id ${leadId}`);
    this.name = 'UnknownLeadError';
  }
}

export class EventIdConflictError extends Error {
  constructor(readonly eventId: string) {
    super(`eventId ${eventId} already belongs to another lead`);
    this.name = 'EventIdConflictError';
  }
}

/**
 * Record a behaviour event: insert into lead_events (a repeated eventId is a duplicate), then signal
 * the workflow, always, so that a retry after a crash between the two still reaches it. The workflow
 * ignores an eventId it has already seen.
 */
export async function recordEvent(deps: IntakeDeps, leadId: string, raw: EngagementEventInput, now = new Date()): Promise<EventResult> {
  assertLeadId(leadId);
  const event = engagementEventSchema.parse(raw);
  const eventId = event.eventId ?? randomUUID();
  const occurredAt = event.occurredAt ? new Date(event.occurredAt).toISOString() : now.toISOString();
  const inserted = await deps.pool.query(
    `INSERT INTO lead_events (event_id, lead_id, type, occurred_at, properties)
     SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM leads WHERE lead_id = $2)
     ON CONFLICT (event_id) DO NOTHING RETURNING lead_id`,
    [eventId, leadId, event.type, occurredAt, JSON.stringify(event.properties ?? {})],
  );
  let duplicate = false;
  if (inserted.rowCount === 0) {
    const { rows } = await deps.pool.query<{ lead_id: string }>('SELECT lead_id FROM lead_events WHERE event_id = $1', [eventId]);
    if (!rows[0]) throw new UnknownLeadError(leadId);
    if (rows[0].lead_id !== leadId) throw new EventIdConflictError(eventId);
    duplicate = true;
  }
  // The row keeps every property; the workflow gets the bounded copy (src/leads/event-properties.ts).
  await signalIfRunning(deps, leadId, (h) => h.signal(engagementSignal, workflowEvent({ eventId, type: event.type, occurredAt, ...(event.properties ? { properties: event.properties } : {}) })));
  return { eventId, duplicate };
}

export interface BatchEvent {
  leadId: string;
  event: EngagementEventInput;
}

export type BatchEventOutcome = ({ ok: true } & EventResult) | { ok: false; error: unknown };

/** Signals in flight per batch: enough to keep Temporal busy, few enough not to starve other requests. */
export const BATCH_SIGNAL_CONCURRENCY = 32;

/**
 * recordEvent for many events at once, with the same rules per item: one INSERT for the whole batch
 * (instead of one round trip per event), then the signals, several at a time. An item that fails
 * (unknown lead, eventId of another lead, Temporal unreachable) fails alone; the first of two items
 * with the same eventId is the one accepted.
 */
export async function recordEvents(deps: IntakeDeps, items: BatchEvent[], now = new Date()): Promise<BatchEventOutcome[]> {
  const outcomes: BatchEventOutcome[] = new Array(items.length);
  const rows: { index: number; eventId: string; leadId: string; signal: EngagementEvent }[] = [];
  for (const [index, item] of items.entries()) {
    try {
      assertLeadId(item.leadId);
      const event = engagementEventSchema.parse(item.event);
      const eventId = event.eventId ?? randomUUID();
      const occurredAt = event.occurredAt ? new Date(event.occurredAt).toISOString() : now.toISOString();
      rows.push({ index, eventId, leadId: item.leadId, signal: { eventId, type: event.type, occurredAt, ...(event.properties ? { properties: event.properties } : {}) } });
    } catch (error) {
      outcomes[index] = { ok: false, error };
    }
  }
  if (rows.length === 0) return outcomes;
  let rest: Set<(typeof rows)[number]>;
  const existing = new Map<string, string>();
  try {
    const { rows: inserted } = await deps.pool.query<{ event_id: string }>(
      `INSERT INTO lead_events (event_id, lead_id, type, occurred_at, properties)
       SELECT e.event_id, e.lead_id, e.type, e.occurred_at, e.properties
         FROM unnest($1::text[], $2::uuid[], $3::text[], $4::timestamptz[], $5::jsonb[]) WITH ORDINALITY AS e(event_id, lead_id, type, occurred_at, properties, ord)
        WHERE EXISTS (SELECT 1 FROM leads l WHERE l.lead_id = e.lead_id)
        ORDER BY e.ord
       ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
      [
        rows.map((r) => r.eventId),
        rows.map((r) => r.leadId),
        rows.map((r) => r.signal.type),
        rows.map((r) => r.signal.occurredAt),
        rows.map((r) => JSON.stringify(r.signal.properties ?? {})),
      ],
    );
    const fresh = new Set(inserted.map((r) => r.event_id));
    rest = new Set(rows.filter((r) => !fresh.delete(r.eventId)));
    if (rest.size) {
      const { rows: found } = await deps.pool.query<{ event_id: string; lead_id: string }>('SELECT event_id, lead_id FROM lead_events WHERE event_id = ANY($1::text[])', [[...rest].map((r) => r.eventId)]);
      for (const row of found) existing.set(row.event_id, row.lead_id);
    }
  } catch (error) {
    // PostgreSQL unreachable: every item fails (and may be retried), as each would have on its own.
    for (const row of rows) outcomes[row.index] = { ok: false, error };
    return outcomes;
  }
  const toSignal: typeof rows = [];
  for (const row of rows) {
    if (!rest.has(row)) {
      outcomes[row.index] = { ok: true, eventId: row.eventId, duplicate: false };
      toSignal.push(row);
      continue;
    }
    const owner = existing.get(row.eventId);
    if (owner === undefined) outcomes[row.index] = { ok: false, error: new UnknownLeadError(row.leadId) };
    else if (owner !== row.leadId) outcomes[row.index] = { ok: false, error: new EventIdConflictError(row.eventId) };
    else {
      // Signalled again, as recordEvent does: a retry after a crash between insert and signal still reaches the workflow.
      outcomes[row.index] = { ok: true, eventId: row.eventId, duplicate: true };
      toSignal.push(row);
    }
  }
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let i = next++; i < toSignal.length; i = next++) {
      const row = toSignal[i]!;
      try {
        await signalIfRunning(deps, row.leadId, (h) => h.signal(engagementSignal, workflowEvent(row.signal)));
      } catch (error) {
        outcomes[row.index] = { ok: false, error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(BATCH_SIGNAL_CONCURRENCY, toSignal.length) }, lane));
  return outcomes;
}

/** Opt-out: stored first (the email activity checks it too), then the workflow is told. */
export async function unsubscribeLead(deps: IntakeDeps, leadId: string): Promise<void> {
  assertLeadId(leadId);
  const { rowCount } = await deps.pool.query('UPDATE leads SET unsubscribed_at = COALESCE(unsubscribed_at, now()), updated_at = now() WHERE lead_id = $1', [leadId]);
  if (rowCount === 0) throw new UnknownLeadError(leadId);
  await signalIfRunning(deps, leadId, (h) => h.signal(unsubscribeSignal));
}

/** Signals the lead's workflow; a lead whose workflow has completed is left as it is. */
export async function signalIfRunning(deps: Pick<IntakeDeps, 'client'>, leadId: string, send: (handle: ReturnType<Client['workflow']['getHandle']>) => Promise<void>): Promise<void> {
  try {
    await send(deps.client.workflow.getHandle(workflowIdFor(leadId)));
  } catch (err) {
    // A lead whose workflow has completed (SQL, disqualified) keeps its log in PostgreSQL only.
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
}

/**
 * Erase a person on request: every run of the lead's workflow is deleted from Temporal (a running
 * one is terminated by the deletion), then every row about the lead goes (leads, and by cascade its
 * events, transitions and emails; also emails addressed to the person without a lead id), and a
 * suppression keeps the address from being enrolled again. Only an anonymous count per day,
 * campaign and stage remains (lead_erasures). Temporal goes first: if it is unreachable nothing is
 * deleted and the request can be repeated. Temporal goes last too: a start that raced the first
 * deletion (an enrolment or the start relay) is deleted then, and a start after the rows are gone
 * finds no row and deletes its own run (startLeadWorkflow).
 */
export async function eraseLead(deps: Pick<IntakeDeps, 'pool' | 'client'>, leadId: string): Promise<void> {
  assertLeadId(leadId);
  const { rows } = await deps.pool.query<{ email: string; email_normalized: string }>('SELECT email, email_normalized FROM leads WHERE lead_id = $1', [leadId]);
  const lead = rows[0];
  if (!lead) throw new UnknownLeadError(leadId);
  await eraseWorkflowRuns(deps.client, workflowIdFor(leadId));
  await withTransaction(deps.pool, async (db) => {
    await db.query(
      `INSERT INTO lead_erasures (erased_on, enrolled_on, campaign_id, stage, count)
       SELECT current_date, created_at::date, campaign_id, stage, 1 FROM leads WHERE lead_id = $1
       ON CONFLICT (erased_on, enrolled_on, campaign_id, stage) DO UPDATE SET count = lead_erasures.count + 1`,
      [leadId],
    );
    await suppress(deps.pool, lead.email_normalized, db);
    // The lead row first: its delete trigger takes the lead out of the funnel rollup while its
    // transitions are still there to subtract; the foreign keys' cascade removes the rest.
    await db.query('DELETE FROM leads WHERE lead_id = $1', [leadId]);
    await db.query('DELETE FROM email_log WHERE lower(recipient) = $1', [lead.email_normalized]);
  });
  await eraseWorkflowRuns(deps.client, workflowIdFor(leadId));
}

const GRPC_NOT_FOUND = 5;
const isNotFound = (err: unknown): boolean =>
  err instanceof WorkflowNotFoundError || (typeof err === 'object' && err !== null && (err as { code?: unknown }).code === GRPC_NOT_FOUND);

/**
 * Deletes every run of `workflowId` from Temporal, continued-as-new ones included. A running run is
 * deleted directly: the server terminates it and deletes it in one step (immediately), whereas a
 * run terminated first is deleted only after the server's transfer queue acknowledges its close
 * (`history.transferProcessorUpdateAckInterval`, 30 s by default). Closed runs are deleted in the
 * background by the server, within that interval.
 */
export async function eraseWorkflowRuns(client: Client, workflowId: string): Promise<void> {
  const namespace = client.options.namespace;
  const remove = async (runId?: string) => {
    try {
      await client.workflowService.deleteWorkflowExecution({ namespace, workflowExecution: { workflowId, ...(runId ? { runId } : {}) } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  };
  const deleted = new Set<string>();
  // A run may continue as new while we delete it: go again until no new run appears.
  for (let round = 0; round < 5; round++) {
    let current: { runId: string } | null = null;
    try {
      const d = await client.workflow.getHandle(workflowId).describe();
      current = { runId: d.runId };
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    if (!current || deleted.has(current.runId)) break;
    await remove(current.runId);
    deleted.add(current.runId);
  }
  for await (const run of client.workflow.list({ query: `WorkflowId = ${JSON.stringify(workflowId)}` })) {
    if (!deleted.has(run.runId)) {
      await remove(run.runId);
      deleted.add(run.runId);
    }
  }
}
