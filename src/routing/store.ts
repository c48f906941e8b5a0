// The only code that runs SQL on routing_counters and routing_picks. Every function is meant for a
// transaction the caller holds (src/routing/pick-owner.ts): the locks they take last until it ends.
import type { Queryable } from '../leads/store/queryable';
import type { SkipReason } from '../domain/routing';

export interface StoredPick {
  owner: string | null;
  skipped: { owner: string; reason: SkipReason }[];
}

/**
 * Claims the pick key for this transaction: true when it is new. A concurrent attempt with the same
 * key waits on the key's unique index until this transaction ends, then finds it taken.
 */
export async function claimPick(db: Queryable, pickKey: string): Promise<boolean> {
  const { rowCount } = await db.query('INSERT INTO routing_picks (pick_key) VALUES ($1) ON CONFLICT (pick_key) DO NOTHING', [pickKey]);
  return (rowCount ?? 0) > 0;
}

export async function findPick(db: Queryable, pickKey: string): Promise<StoredPick | null> {
  const { rows } = await db.query<StoredPick>('SELECT owner, skipped FROM routing_picks WHERE pick_key = $1', [pickKey]);
  return rows[0] ?? null;
}

export async function recordPick(db: Queryable, pickKey: string, pick: StoredPick): Promise<void> {
  await db.query('UPDATE routing_picks SET owner = $2, skipped = $3, picked_at = now() WHERE pick_key = $1', [pickKey, pick.owner, JSON.stringify(pick.skipped)]);
}

/**
 * This pick's turn (0 for the pool's first pick) and one step on for the next. The upsert locks the
 * counter row until the caller's transaction ends, so two concurrent picks take consecutive turns.
 */
export async function takeTurn(db: Queryable, campaignId: string, poolId: string): Promise<number> {
  const { rows } = await db.query<{ turn: string }>(
    `INSERT INTO routing_counters AS c (campaign_id, pool_id, next) VALUES ($1, $2, 1)
     ON CONFLICT (campaign_id, pool_id) DO UPDATE SET next = c.next + 1
     RETURNING c.next - 1 AS turn`,
    [campaignId, poolId],
  );
  return Number(rows[0]!.turn);
}

/** Moves the counter on by `steps` more (past owners the pick had to skip), within the same lock. */
export async function advanceTurn(db: Queryable, campaignId: string, poolId: string, steps: number): Promise<void> {
  if (steps > 0) await db.query('UPDATE routing_counters SET next = next + $3 WHERE campaign_id = $1 AND pool_id = $2', [campaignId, poolId, steps]);
}

/**
 * Deletes a few picks older than `retentionDays` (each pick prunes some, so the table stays bounded
 * without a job). A pick only answers retries of its own activity, which end long before.
 */
export async function pruneOldPicks(db: Queryable, retentionDays: number, batch = 20): Promise<number> {
  const { rowCount } = await db.query(
    `DELETE FROM routing_picks WHERE pick_key IN (
       SELECT pick_key FROM routing_picks WHERE picked_at < now() - make_interval(days => $1) ORDER BY picked_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
    [retentionDays, batch],
  );
  return rowCount ?? 0;
}

/** Erasure: the picks of one lead (their keys start with its id). */
export async function forgetPicksOf(db: Queryable, leadId: string): Promise<void> {
  await db.query(`DELETE FROM routing_picks WHERE starts_with(pick_key, $1 || ':')`, [leadId]);
}
