// The activity side of routing: which owner of a pool gets the lead now, round-robin, skipping
// owners who are excluded, away or at capacity. One transaction per pick, recorded under its key so
// that a retried activity answers what its first attempt chose and never turns the rotation twice.
import type { Pool } from 'pg';
import { withTransaction } from '../db/transaction';
import { availableOwners, ownerKey, rotate, type OwnerDirectoryEntry, type SkipReason } from '../domain/routing';
import { markLeadOwner, openLeadCounts, type Queryable } from '../leads/store';
import { absenceRanges } from '../users/out-of-office';
import { routingProfiles } from '../users/store';
import { advanceTurn, claimPick, findPick, recordPick, pruneOldPicks, takeTurn } from './store';

export interface PickOwnerInput {
  /** Unique per handoff attempt (e.g. workflow id + transition seq); the same key answers the same pick. */
  pickKey: string;
  campaignId: string;
  /** The pool poolFor chose (a rule id, or 'default'): each pool rotates on its own. */
  poolId: string;
  /** The pool's owners, in rotation order. */
  candidates: string[];
  exclude: string[];
  /** Epoch ms: out-of-office ranges are read at this instant. */
  at: number;
  /**
   * The lead being handed off: when the picked owner has a capacity, its row names them in the pick's
   * own transaction, so the next pick (which waits on the counter's lock) counts it at once.
   */
  leadId?: string;
}

export interface PickOwnerResult {
  /** null when nobody is available: the caller falls back (e.g. to the manager). */
  owner: string | null;
  /** The owners passed over, in the order they were tried. */
  skipped: { owner: string; reason: SkipReason }[];
}

/** Picks are kept this long for retries of their activity (which retries until PostgreSQL is back). */
export const PICK_RETENTION_DAYS = 30;
/** Old picks go in batches, every so many picks of a pool: more than are made, at no cost to most picks. */
const PRUNE_EVERY = 50;
const PRUNE_BATCH = 500;

export async function pickOwner(db: Pool, input: PickOwnerInput): Promise<PickOwnerResult> {
  if (input.candidates.length === 0) return { owner: null, skipped: [] };
  let turnTaken: number | null = null;
  const result = await withTransaction(db, async (tx) => {
    if (!(await claimPick(tx, input.pickKey))) {
      // Taken by an earlier (committed) attempt: its answer stands.
      const earlier = await findPick(tx, input.pickKey);
      if (earlier?.owner && input.leadId) await markLeadOwner(tx, input.leadId, earlier.owner);
      return { owner: earlier?.owner ?? null, skipped: earlier?.skipped ?? [] };
    }
    const turn = await takeTurn(tx, input.campaignId, input.poolId);
    turnTaken = turn;
    const directory = await directoryOf(tx, input.candidates);
    const availability = availableOwners(input.candidates, { ...directory, at: input.at, exclude: input.exclude });
    const choice = rotate(availability, turn);
    // The next pick starts after the chosen owner, so that skipping someone does not give the
    // next owner two leads in a row.
    if (choice.owner !== null) await advanceTurn(tx, input.campaignId, input.poolId, choice.offset);
    const picked = { owner: choice.owner, skipped: choice.skipped };
    await recordPick(tx, input.pickKey, picked);
    // Only a capacity needs the count now; without one the assignment's own record names the owner.
    const limited = choice.owner !== null && directory.users.get(ownerKey(choice.owner))?.capacity != null;
    if (limited && input.leadId) await markLeadOwner(tx, input.leadId, choice.owner!);
    return picked;
  });
  // Every PRUNE_EVERY-th turn of a pool, after the commit (the counter's lock is not held for it).
  if (turnTaken !== null && turnTaken % PRUNE_EVERY === 0) await pruneOldPicks(db, PICK_RETENTION_DAYS, PRUNE_BATCH);
  return result;
}

/** The candidates' directory entries and open handoffs, keyed by normalized email. */
async function directoryOf(db: Queryable, candidates: readonly string[]): Promise<{ users: Map<string, OwnerDirectoryEntry>; openLeads: Map<string, number> }> {
  const keys = [...new Set(candidates.map(ownerKey))];
  const [profiles, openLeads] = [await routingProfiles(db, keys), await openLeadCounts(db, keys)];
  const users = new Map(profiles.map((p) => [p.email_normalized, { capacity: p.capacity, outOfOffice: absenceRanges(p.out_of_office, p.time_zone) }]));
  return { users, openLeads };
}
