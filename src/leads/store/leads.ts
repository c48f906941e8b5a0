// The leads table: one row per person (unique normalized email), mirroring its workflow's stage.
import type { LeadConfig, Transition } from '../../domain/lead-state';
import type { LeadAttributes, Stage } from '../../domain/types';
import type { Queryable } from './queryable';

/** A row of leads, as SELECT * gives it. */
export interface LeadRow {
  lead_id: string;
  email: string;
  email_normalized: string;
  name: string | null;
  company: string | null;
  title: string | null;
  attributes: Record<string, unknown>;
  source: string | null;
  utm: Record<string, string> | null;
  campaign_id: string;
  campaign_version: number;
  scoring_model_id: string;
  scoring_model_version: number;
  shadow_model_id: string | null;
  shadow_model_version: number | null;
  stage: Stage;
  owner: string | null;
  score: number;
  unsubscribed_at: Date | null;
  email_bounced_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** One lead by id, or by normalized email; null when there is none. */
export async function findLeadRow(db: Queryable, by: { leadId: string } | { emailNormalized: string }): Promise<LeadRow | null> {
  const { rows } =
    'leadId' in by
      ? await db.query<LeadRow>('SELECT * FROM leads WHERE lead_id = $1', [by.leadId])
      : await db.query<LeadRow>('SELECT * FROM leads WHERE email_normalized = $1', [by.emailNormalized]);
  return rows[0] ?? null;
}

/** The lead's stage and owner as the row mirrors them; null when there is no such lead. */
export async function leadStageAndOwner(db: Queryable, leadId: string): Promise<{ stage: Stage; owner: string | null } | null> {
  const { rows } = await db.query<{ stage: Stage; owner: string | null }>('SELECT stage, owner FROM leads WHERE lead_id = $1', [leadId]);
  return rows[0] ?? null;
}

/** Lead ids by normalized email, for the emails that have a lead. */
export async function leadIdsByEmail(db: Queryable, emailsNormalized: readonly string[]): Promise<Map<string, string>> {
  if (emailsNormalized.length === 0) return new Map();
  const { rows } = await db.query<{ lead_id: string; email_normalized: string }>('SELECT lead_id, email_normalized FROM leads WHERE email_normalized = ANY($1)', [emailsNormalized]);
  return new Map(rows.map((r) => [r.email_normalized, r.lead_id]));
}

export interface LeadListFilter {
  stage?: Stage;
  owner?: string;
  /** Only leads owned by one of these (normalized emails): a manager's team. */
  owners?: readonly string[];
  campaignId?: string;
  slaBreached?: boolean;
  /** Only leads before this (created_at as PostgreSQL text, lead id) in the list's order. */
  before?: [string, string];
  limit: number;
}

export type ListedLead = LeadRow & { created_text: string; sla_breached: boolean };

/** Newest first; `created_text` is the exact created_at, for a cursor. */
export async function listLeads(db: Queryable, f: LeadListFilter): Promise<ListedLead[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (f.stage) add('l.stage = ?', f.stage);
  if (f.owner) add('lower(l.owner) = lower(?)', f.owner);
  if (f.owners) add('lower(l.owner) = ANY (?::text[])', f.owners);
  if (f.campaignId) add('l.campaign_id = ?', f.campaignId);
  const breached = "EXISTS (SELECT 1 FROM lead_transitions t WHERE t.lead_id = l.lead_id AND t.reason = 'sla_breached')";
  if (f.slaBreached === true) where.push(breached);
  if (f.slaBreached === false) where.push(`NOT ${breached}`);
  if (f.before) {
    params.push(f.before[0], f.before[1]);
    where.push(`(l.created_at, l.lead_id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
  }
  params.push(f.limit);
  const { rows } = await db.query<ListedLead>(
    `SELECT l.*, l.created_at::text AS created_text, ${breached} AS sla_breached FROM leads l
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY l.created_at DESC, l.lead_id DESC LIMIT $${params.length}`,
    params,
  );
  return rows;
}

/** The stored fit attributes of these emails (for leads that exist). */
export async function knownAttributes(db: Queryable, emailsNormalized: readonly string[]): Promise<Map<string, LeadAttributes>> {
  const { rows } = await db.query<{ email_normalized: string; attributes: LeadAttributes }>('SELECT email_normalized, attributes FROM leads WHERE email_normalized = ANY ($1)', [emailsNormalized]);
  return new Map(rows.map((r) => [r.email_normalized, r.attributes]));
}

/** A lead row to store, with the 'enrolled' transition it gets when it is new. */
export interface NewLeadRow {
  leadId: string;
  email: string;
  emailNormalized: string;
  name: string | null;
  company: string | null;
  title: string | null;
  attributes: LeadAttributes;
  source: string | null;
  utm: Record<string, string | undefined> | null;
  config: LeadConfig;
  enrolled: Transition;
}

export interface UpsertedLead {
  lead_id: string;
  stage: Stage;
  /** A new row (its leadId is the one given), not a known email. */
  inserted: boolean;
  /** Its workflow was never marked started. */
  pending: boolean;
  email_normalized: string;
}

const LEAD_COLUMNS = 17;

/**
 * One statement: new emails get their row and its 'enrolled' transition (no lead without its
 * enrolment: the funnel counts it as of now); a known email keeps its lead id and merges the new
 * fields. The same email twice in one call is the caller's error.
 */
export async function upsertLeads(db: Queryable, leads: readonly NewLeadRow[]): Promise<UpsertedLead[]> {
  if (leads.length === 0) return [];
  const values: unknown[] = [];
  const tuples = leads.map((lead, i) => {
    const c = lead.config;
    values.push(
      lead.leadId, lead.email, lead.emailNormalized, lead.name, lead.company, lead.title, JSON.stringify(lead.attributes), lead.source, lead.utm ? JSON.stringify(lead.utm) : null,
      c.campaign.id, c.campaign.version, c.model.id, c.model.version, c.shadowModel?.id ?? null, c.shadowModel?.version ?? null,
      null, lead.enrolled.score,
    );
    const base = i * LEAD_COLUMNS;
    return `(${Array.from({ length: LEAD_COLUMNS }, (_, k) => `$${base + k + 1}`).join(', ')})`;
  });
  const t = leads.length * LEAD_COLUMNS;
  const enrolled = leads.map((l) => l.enrolled);
  values.push(
    leads.map((l) => l.leadId),
    enrolled.map((e) => e.to),
    enrolled.map((e) => e.reason),
    enrolled.map((e) => e.cycle),
    enrolled.map((e) => e.score),
    enrolled.map((e) => JSON.stringify(e.details ?? {})),
    enrolled.map((e) => e.at),
  );
  const { rows } = await db.query<UpsertedLead>(
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
  return rows;
}

export async function deleteLeads(db: Queryable, leadIds: readonly string[]): Promise<void> {
  if (leadIds.length) await db.query('DELETE FROM leads WHERE lead_id = ANY ($1::uuid[])', [leadIds]);
}

/** Marks the workflow started (if it was not) and says whether the row still exists at all, in one round trip. */
export async function markWorkflowStarted(db: Queryable, leadId: string): Promise<{ present: boolean; marked: boolean }> {
  const { rows } = await db.query<{ present: boolean; marked: boolean }>(
    `WITH marked AS (UPDATE leads SET workflow_started_at = now() WHERE lead_id = $1 AND workflow_started_at IS NULL RETURNING lead_id)
     SELECT EXISTS (SELECT 1 FROM leads WHERE lead_id = $1) AS present, EXISTS (SELECT 1 FROM marked) AS marked`,
    [leadId],
  );
  return rows[0]!;
}

/** A stored lead whose workflow was never started, with the versions it is pinned to. */
export type UnstartedLead = Pick<LeadRow, 'lead_id' | 'campaign_id' | 'campaign_version' | 'scoring_model_id' | 'scoring_model_version' | 'shadow_model_id' | 'shadow_model_version'> & {
  attributes: LeadAttributes;
  /** The 'enrolled' transition was stored with the row (rows stored by older versions have none). */
  enrolment_recorded: boolean;
};

/** Locks up to `limit` unstarted leads older than `graceMs` for the caller's transaction; rows another relay holds are skipped. */
export async function claimUnstartedLeads(db: Queryable, graceMs: number, limit: number): Promise<UnstartedLead[]> {
  const { rows } = await db.query<UnstartedLead>(
    `SELECT lead_id, campaign_id, campaign_version, scoring_model_id, scoring_model_version, shadow_model_id, shadow_model_version, attributes,
            EXISTS (SELECT 1 FROM lead_transitions t WHERE t.lead_id = leads.lead_id AND t.seq = 1) AS enrolment_recorded
       FROM leads
      WHERE workflow_started_at IS NULL AND created_at < now() - make_interval(secs => $1 / 1000.0)
      ORDER BY created_at LIMIT $2
      FOR UPDATE SKIP LOCKED`,
    [graceMs, limit],
  );
  return rows;
}

/** Stores the opt-out (keeping the first time); false when there is no such lead. */
export async function markUnsubscribed(db: Queryable, leadId: string): Promise<boolean> {
  const { rowCount } = await db.query('UPDATE leads SET unsubscribed_at = COALESCE(unsubscribed_at, now()), updated_at = now() WHERE lead_id = $1', [leadId]);
  return (rowCount ?? 0) > 0;
}

/** Clears the bounce flag; null when there is no such lead. */
export async function clearBounceFlag(db: Queryable, leadId: string): Promise<{ wasBounced: boolean } | null> {
  const { rows } = await db.query<{ was_bounced: boolean }>(
    `UPDATE leads l SET email_bounced_at = NULL, updated_at = now()
       FROM (SELECT lead_id, email_bounced_at IS NOT NULL AS was_bounced FROM leads WHERE lead_id = $1 FOR UPDATE) old
      WHERE l.lead_id = old.lead_id
     RETURNING old.was_bounced`,
    [leadId],
  );
  return rows[0] ? { wasBounced: rows[0].was_bounced } : null;
}

/** Leads of the campaign not in a final stage whose row does not show these versions yet. */
export async function leadsBehindVersions(db: Queryable, campaignId: string, config: LeadConfig): Promise<string[]> {
  const shadow = config.shadowModel ?? null;
  const { rows } = await db.query<{ lead_id: string }>(
    `SELECT lead_id FROM leads
      WHERE campaign_id = $1 AND stage NOT IN ('sql', 'disqualified')
        AND (campaign_version <> $2 OR scoring_model_id <> $3 OR scoring_model_version <> $4
             OR shadow_model_id IS DISTINCT FROM $5 OR shadow_model_version IS DISTINCT FROM $6)
      ORDER BY lead_id`,
    [campaignId, config.campaign.version, config.model.id, config.model.version, shadow?.id ?? null, shadow?.version ?? null],
  );
  return rows.map((r) => r.lead_id);
}

/** What an email to the lead needs (the nurture activity reads it before each send). */
export interface ContactRow {
  leadId: string;
  email: string;
  name: string | null;
  company: string | null;
  title: string | null;
  /** Fit attributes as stored at intake (templates may use them). */
  attributes: Record<string, unknown>;
  unsubscribed: boolean;
  bounced: boolean;
}

export async function loadContact(db: Queryable, leadId: string): Promise<ContactRow | null> {
  const { rows } = await db.query<Omit<ContactRow, 'leadId'>>(
    `SELECT email, name, company, title, attributes, unsubscribed_at IS NOT NULL AS unsubscribed, email_bounced_at IS NOT NULL AS bounced
       FROM leads WHERE lead_id = $1`,
    [leadId],
  );
  const row = rows[0];
  return row ? { leadId, ...row } : null;
}

/**
 * Erase: adds the lead to the anonymous count per day, campaign and stage (lead_erasures), then
 * deletes its row. The lead row goes first: its delete trigger takes the lead out of the funnel
 * rollup while its transitions are still there to subtract; the foreign keys' cascade removes the
 * rest (events, transitions, emails with its lead id).
 */
export async function deleteLeadCounted(db: Queryable, leadId: string): Promise<void> {
  await db.query(
    `INSERT INTO lead_erasures (erased_on, enrolled_on, campaign_id, stage, count)
     SELECT current_date, created_at::date, campaign_id, stage, 1 FROM leads WHERE lead_id = $1
     ON CONFLICT (erased_on, enrolled_on, campaign_id, stage) DO UPDATE SET count = lead_erasures.count + 1`,
    [leadId],
  );
  await db.query('DELETE FROM leads WHERE lead_id = $1', [leadId]);
}

export interface ScorableLeadRow {
  lead_id: string;
  stage: Stage;
  attributes: LeadAttributes;
  scoring_model_version: number;
}

/** A page of the leads of scoring model `modelId`, by lead id after `after` (what-if). */
export async function pageLeadsOfModel(
  db: Queryable,
  modelId: string,
  filter: { campaignId?: string; stage?: Stage; since?: Date },
  after: string,
  limit: number,
): Promise<ScorableLeadRow[]> {
  const { rows } = await db.query<ScorableLeadRow>(
    `SELECT lead_id, stage, attributes, scoring_model_version FROM leads
      WHERE scoring_model_id = $1 AND lead_id > $2
        AND ($3::text IS NULL OR campaign_id = $3) AND ($4::text IS NULL OR stage = $4) AND ($5::timestamptz IS NULL OR created_at >= $5)
      ORDER BY lead_id LIMIT $6`,
    [modelId, after, filter.campaignId ?? null, filter.stage ?? null, filter.since?.toISOString() ?? null, limit],
  );
  return rows;
}

/** Leads per current stage (metrics at scrape time). */
export async function countLeadsByStage(db: Queryable): Promise<{ stage: Stage; count: number }[]> {
  const { rows } = await db.query<{ stage: Stage; n: string }>('SELECT stage, count(*) AS n FROM leads GROUP BY stage');
  return rows.map((r) => ({ stage: r.stage, count: Number(r.n) }));
}

/**
 * Open handoffs (stages mql and working: the lead is with its owner) per owner, keyed by normalized
 * email as the user directory keys them; owners with none are absent. The stages are written out so
 * that the planner can use the partial index leads_open_owner_idx.
 */
/**
 * Routing's pick names the lead's new owner before its `assigned` transition is recorded (which
 * writes the same owner), so that capacity counts it at once. Only while the lead is with sales.
 */
export async function markLeadOwner(db: Queryable, leadId: string, owner: string): Promise<void> {
  await db.query("UPDATE leads SET owner = $2 WHERE lead_id = $1 AND stage IN ('mql', 'working') AND owner IS DISTINCT FROM $2", [leadId, owner]);
}

export async function openLeadCounts(db: Queryable, owners: readonly string[]): Promise<Map<string, number>> {
  if (owners.length === 0) return new Map();
  const { rows } = await db.query<{ owner: string; open: number }>(
    `SELECT lower(owner) AS owner, count(*)::int AS open FROM leads
      WHERE stage IN ('mql', 'working') AND owner IS NOT NULL AND lower(owner) = ANY ($1::text[])
      GROUP BY lower(owner)`,
    [owners.map((o) => o.trim().toLowerCase())],
  );
  return new Map(rows.map((r) => [r.owner, r.open]));
}

/** A rep's open handoffs (stages mql and working), through the partial index leads_open_owner_idx; at most `limit`. */
export async function openLeadsOfOwner(db: Queryable, owner: string, limit: number): Promise<Pick<LeadRow, 'lead_id' | 'name' | 'company' | 'title' | 'stage' | 'owner' | 'score' | 'updated_at'>[]> {
  const { rows } = await db.query(
    `SELECT lead_id, name, company, title, stage, owner, score, updated_at FROM leads
      WHERE stage IN ('mql', 'working') AND owner IS NOT NULL AND lower(owner) = lower($1)
      ORDER BY updated_at LIMIT $2`,
    [owner.trim(), limit],
  );
  return rows;
}
