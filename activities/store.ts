// Lead rows as the workflow changes them. Every write is idempotent: a retried activity is harmless.
import type { Pool } from 'pg';
import type { Transition } from '../src/domain/lead-state';
import type { Stage } from '../src/domain/types';

export interface LeadSnapshot {
  stage: Stage;
  owner: string | null;
  score: number;
  unsubscribed: boolean;
  emailBounced: boolean;
}

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

// One statement (so one round trip and its own transaction): the transition, and the lead row
// mirroring the newest transition (and, for the newest migration, the versions the lead is now
// pinned to). The subquery sees the table as it was before this statement, so a retried older write
// finds a newer seq and leaves the row alone. One UPDATE, because PostgreSQL does not define the
// outcome of two UPDATEs of one row in one statement.
const RECORD_TRANSITION = `
  WITH recorded AS (
    INSERT INTO lead_transitions
      (lead_id, seq, from_stage, to_stage, reason, cycle, score, owner, rep, rejection_reason, note, details, occurred_at)
    VALUES ($1, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, to_timestamp($18 / 1000.0))
    ON CONFLICT (lead_id, seq) DO NOTHING
  )
  UPDATE leads l SET
         stage = CASE WHEN n.newest THEN $2 ELSE l.stage END,
         owner = CASE WHEN n.newest THEN $3 ELSE l.owner END,
         score = CASE WHEN n.newest THEN $4 ELSE l.score END,
         unsubscribed_at = CASE WHEN n.newest AND $5 THEN COALESCE(l.unsubscribed_at, now()) ELSE l.unsubscribed_at END,
         email_bounced_at = CASE WHEN n.newest AND $6 THEN COALESCE(l.email_bounced_at, now())
                                 WHEN n.newest AND $10 = 'bounce_cleared' THEN NULL ELSE l.email_bounced_at END,
         updated_at = CASE WHEN n.newest THEN now() ELSE l.updated_at END,
         campaign_version = CASE WHEN n.newest_migration THEN $19 ELSE l.campaign_version END,
         scoring_model_id = CASE WHEN n.newest_migration THEN $20 ELSE l.scoring_model_id END,
         scoring_model_version = CASE WHEN n.newest_migration THEN $21 ELSE l.scoring_model_version END,
         shadow_model_id = CASE WHEN n.newest_migration THEN $22 ELSE l.shadow_model_id END,
         shadow_model_version = CASE WHEN n.newest_migration THEN $23 ELSE l.shadow_model_version END
    FROM (SELECT $7 >= COALESCE(max(seq), 0) AS newest,
                 $10 = 'migrated' AND $7 >= COALESCE(max(seq) FILTER (WHERE reason = 'migrated'), 0) AS newest_migration
            FROM lead_transitions WHERE lead_id = $1) n
   WHERE l.lead_id = $1 AND (n.newest OR n.newest_migration)`;

export async function recordTransitionRow(pool: Pool, leadId: string, t: Transition, snapshot: LeadSnapshot): Promise<void> {
  const d = t.reason === 'migrated' ? t.details : undefined;
  try {
    await pool.query(RECORD_TRANSITION, [
      leadId, snapshot.stage, snapshot.owner, snapshot.score, snapshot.unsubscribed, snapshot.emailBounced,
      t.seq, t.from, t.to, t.reason, t.cycle, t.score, t.owner ?? null, t.rep ?? null, t.rejectionReason ?? null, t.note ?? null, JSON.stringify(t.details ?? {}), t.at,
      d?.toCampaignVersion ?? null, d?.toModelId ?? null, d?.toModelVersion ?? null, d?.toShadowModelId ?? null, d?.toShadowModelVersion ?? null,
    ]);
  } catch (err) {
    // The lead row is gone (erased on request): there is nothing left to record, and retrying cannot help.
    if ((err as { code?: string }).code === '23503') return;
    throw err;
  }
}

// Only while the row mirrors the same transition as the score: a newer transition wrote its own.
const RECORD_SCORE = `
  UPDATE leads l SET score = $2, updated_at = now()
   WHERE l.lead_id = $1 AND l.score IS DISTINCT FROM $2
     AND $3 >= (SELECT COALESCE(max(seq), 0) FROM lead_transitions WHERE lead_id = $1)`;

export async function recordScoreRow(pool: Pool, leadId: string, score: number, transitionSeq: number): Promise<void> {
  await pool.query(RECORD_SCORE, [leadId, score, transitionSeq]);
}

export async function loadContact(pool: Pool, leadId: string): Promise<ContactRow | null> {
  const { rows } = await pool.query<Omit<ContactRow, 'leadId'>>(
    `SELECT email, name, company, title, attributes, unsubscribed_at IS NOT NULL AS unsubscribed, email_bounced_at IS NOT NULL AS bounced
       FROM leads WHERE lead_id = $1`,
    [leadId],
  );
  const row = rows[0];
  return row ? { leadId, ...row } : null;
}
