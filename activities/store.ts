// Lead rows as the workflow changes them. Every write is idempotent: a retried activity is harmless.
import type { Pool } from 'pg';
import { withTransaction } from '../src/db/transaction';
import type { Transition } from '../src/domain/lifecycle';
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

export async function recordTransitionRow(pool: Pool, leadId: string, t: Transition, snapshot: LeadSnapshot): Promise<void> {
  try {
    await withTransaction(pool, async (client) => {
      await client.query(
        `INSERT INTO lead_transitions
           (lead_id, seq, from_stage, to_stage, reason, cycle, score, owner, rep, rejection_reason, note, details, occurred_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, to_timestamp($13 / 1000.0))
         ON CONFLICT (lead_id, seq) DO NOTHING`,
        [leadId, t.seq, t.from, t.to, t.reason, t.cycle, t.score, t.owner ?? null, t.rep ?? null, t.rejectionReason ?? null, t.note ?? null, JSON.stringify(t.details ?? {}), t.at],
      );
      // The row mirrors the newest transition only: an older retried write must not roll it back.
      await client.query(
        `UPDATE leads SET stage = $2, owner = $3, score = $4,
                unsubscribed_at = CASE WHEN $5 THEN COALESCE(unsubscribed_at, now()) ELSE unsubscribed_at END,
                email_bounced_at = CASE WHEN $6 THEN COALESCE(email_bounced_at, now()) ELSE email_bounced_at END,
                updated_at = now()
          WHERE lead_id = $1
            AND $7 >= (SELECT COALESCE(max(seq), 0) FROM lead_transitions WHERE lead_id = $1)`,
        [leadId, snapshot.stage, snapshot.owner, snapshot.score, snapshot.unsubscribed, snapshot.emailBounced, t.seq],
      );
      // A migration re-pins the lead: the row shows the versions its workflow now runs.
      if (t.reason === 'migrated' && t.details) {
        const d = t.details;
        await client.query(
          `UPDATE leads SET campaign_version = $2, scoring_model_id = $3, scoring_model_version = $4, shadow_model_id = $5, shadow_model_version = $6
            WHERE lead_id = $1 AND $7 >= (SELECT COALESCE(max(seq), 0) FROM lead_transitions WHERE lead_id = $1 AND reason = 'migrated')`,
          [leadId, d.toCampaignVersion, d.toModelId, d.toModelVersion, d.toShadowModelId ?? null, d.toShadowModelVersion ?? null, t.seq],
        );
      }
    });
  } catch (err) {
    // The lead row is gone (erased on request): there is nothing left to record, and retrying cannot help.
    if ((err as { code?: string }).code === '23503') return;
    throw err;
  }
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
