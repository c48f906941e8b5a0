// The chooseOwner activity's walk: the lead's pools in order (the matching rule's, then the
// campaign's owners), first without the excluded owner, then with them, then the manager.
import type { Pool } from 'pg';
import type { LeadCommand } from '../domain/lead-state';
import { pickOwner } from './pick-owner';

export interface OwnerChoice {
  owner: string;
  /** The rule id, 'fallback' (the campaign's owners) or 'manager'. */
  assignedBy: string;
  poolId: string;
  skipped: { owner: string; reason: string }[];
}

/** The chooseOwner command as the activity receives it. */
export type ChooseOwnerArgs = Omit<Extract<LeadCommand, { type: 'chooseOwner' }>, 'type' | 'reason' | 'transitionSeq'> & { leadId: string };

export async function chooseOwner(db: Pool, args: ChooseOwnerArgs): Promise<OwnerChoice> {
  const skipped: OwnerChoice['skipped'] = [];
  const passes = args.exclude.length ? [args.exclude, []] : [[]];
  for (const [pass, exclude] of passes.entries()) {
    for (const pool of args.pools) {
      // One key per handoff attempt, pool and pass: a retried activity gets the same answers.
      const pickKey = `${args.leadId}:${args.cycle}:${args.assignment}:${pool.poolId}:${pass}`;
      const pick = await pickOwner(db, { pickKey, campaignId: args.campaignId, poolId: pool.poolId, candidates: pool.owners, exclude, at: args.at, leadId: args.leadId });
      if (pick.owner) return { owner: pick.owner, assignedBy: pool.assignedBy, poolId: pool.poolId, skipped: [...skipped, ...pick.skipped] };
      skipped.push(...pick.skipped);
    }
  }
  return { owner: args.manager, assignedBy: 'manager', poolId: 'manager', skipped };
}
