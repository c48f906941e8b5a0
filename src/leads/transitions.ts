// A lead's recorded transitions (lead_transitions), as the API and the CLI show them.
import type { Pool } from 'pg';
import type { Stage } from '../domain/types';

export interface TransitionRecord {
  seq: number;
  from: Stage | null;
  to: Stage;
  reason: string;
  at: string;
  cycle: number;
  score: number;
  owner: string | null;
  rep: string | null;
  rejectionReason: string | null;
  note: string | null;
  /** What the transition carried besides the columns, e.g. the versions of a migration. */
  details: Record<string, unknown>;
}

/** Oldest first; with `limit`, only the most recent ones. */
export async function loadTransitions(pool: Pool, leadId: string, limit?: number): Promise<TransitionRecord[]> {
  const { rows } = await pool.query(
    `SELECT * FROM (SELECT seq, from_stage, to_stage, reason, occurred_at, cycle, score, owner, rep, rejection_reason, note, details
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
    rejectionReason: t.rejection_reason,
    note: t.note,
    details: t.details ?? {},
  }));
}
