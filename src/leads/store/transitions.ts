// lead_transitions: recorded by the workflow's activities, read by the API, the CLI, what-if and metrics.
import type { Transition } from '../../domain/lead-state';
import type { Stage } from '../../domain/types';
import type { TransitionRecord } from '../../schemas/transition';
import type { Queryable } from './queryable';

export type { TransitionRecord };

/** What the lead row mirrors of the newest transition. */
export interface LeadSnapshot {
  stage: Stage;
  owner: string | null;
  score: number;
  unsubscribed: boolean;
  emailBounced: boolean;
}

// One statement (so one round trip and its own transaction): the transition, and the lead row
// mirroring the newest transition (and, for the newest migration, the versions the lead is now
// pinned to). The subquery sees the table as it was before this statement, so a retried older write
// finds a newer seq and leaves the row alone. One UPDATE, because PostgreSQL does not define the
// outcome of two UPDATEs of one row in one statement.
const RECORD_TRANSITION = `
  WITH recorded AS (
    INSERT INTO lead_transitions
      (lead_id, seq, from_stage, to_stage, reason, cycle, score, owner, rep, rejection_reason, note, details, occurred_at, actor)
    VALUES ($1, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, to_timestamp($18 / 1000.0), $24)
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

/** Idempotent: a retried activity repeats it as a no-op. */
export async function recordTransitionRow(db: Queryable, leadId: string, t: Transition, snapshot: LeadSnapshot): Promise<void> {
  const d = t.reason === 'migrated' ? t.details : undefined;
  try {
    await db.query(RECORD_TRANSITION, [
      leadId, snapshot.stage, snapshot.owner, snapshot.score, snapshot.unsubscribed, snapshot.emailBounced,
      t.seq, t.from, t.to, t.reason, t.cycle, t.score, t.owner ?? null, t.rep ?? null, t.rejectionReason ?? null, t.note ?? null, JSON.stringify(t.details ?? {}), t.at,
      d?.toCampaignVersion ?? null, d?.toModelId ?? null, d?.toModelVersion ?? null, d?.toShadowModelId ?? null, d?.toShadowModelVersion ?? null,
      t.actor ?? null,
    ]);
  } catch (err) {
    // The lead row is gone (erased on request): there is nothing left to record, and retrying cannot help.
    if ((err as { code?: string }).code === '23503') return;
    throw err;
  }
}

/** Oldest first; with `limit`, only the most recent ones. */
export async function loadTransitions(db: Queryable, leadId: string, limit?: number): Promise<TransitionRecord[]> {
  const { rows } = await db.query(
    `SELECT * FROM (SELECT seq, from_stage, to_stage, reason, occurred_at, cycle, score, owner, rep, actor, rejection_reason, note, details
        FROM lead_transitions WHERE lead_id = $1 ORDER BY seq DESC LIMIT $2) t ORDER BY seq`,
    [leadId, limit ?? null],
  );
  return rows.map((t) => ({
    seq: t.seq,
    from: t.from_stage,
    to: t.to_stage,
    reason: t.reason,
    at: (t.occurred_at as Date).toISOString(),
    cycle: t.cycle,
    score: t.score,
    owner: t.owner,
    rep: t.rep,
    actor: t.actor,
    rejectionReason: t.rejection_reason,
    note: t.note,
    details: t.details ?? {},
  }));
}

export interface ScoringTransitionRow {
  lead_id: string;
  cycle: number;
  reason: string;
  rejection_reason: string | null;
  /** Epoch milliseconds, as text (bigint). */
  at: string;
}

/** The transitions that bear on scoring (cycles, MQL, sales outcomes) of many leads, by lead then seq (what-if). */
export async function loadScoringTransitions(db: Queryable, leadIds: readonly string[]): Promise<ScoringTransitionRow[]> {
  const { rows } = await db.query<ScoringTransitionRow>(
    `SELECT lead_id, cycle, reason, rejection_reason, (extract(epoch FROM occurred_at) * 1000)::bigint AS at
       FROM lead_transitions
      WHERE lead_id = ANY ($1) AND reason IN ('mql', 'accepted', 'rejected', 'disqualified', 'recycle_period_over')
      ORDER BY lead_id, seq`,
    [leadIds],
  );
  return rows;
}

/** All-time count of transitions with `reason` (metrics at scrape time). */
export async function countTransitions(db: Queryable, reason: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM lead_transitions WHERE reason = $1', [reason]);
  return Number(rows[0]?.n ?? 0);
}

/** Transitions that give a lead its owner (the sales workspace's links belong to one assignment). */
const ASSIGNING_REASONS = ['mql', 'sla_breached', 'assigned'];

/** Each lead's newest owner-giving transition (mql, sla_breached, assigned): its cycle and seq. */
export async function newestAssignments(db: Queryable, leadIds: readonly string[]): Promise<Map<string, { cycle: number; seq: number }>> {
  if (leadIds.length === 0) return new Map();
  const { rows } = await db.query<{ lead_id: string; cycle: number; seq: number }>(
    `SELECT DISTINCT ON (lead_id) lead_id, cycle, seq FROM lead_transitions
      WHERE lead_id = ANY ($1::uuid[]) AND reason = ANY ($2::text[])
      ORDER BY lead_id, seq DESC`,
    [leadIds, ASSIGNING_REASONS],
  );
  return new Map(rows.map((r) => [r.lead_id, { cycle: r.cycle, seq: r.seq }]));
}
