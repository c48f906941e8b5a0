// Who may see and act on which lead (docs/api.md, "Authorization"). A sales user acts on the leads
// they own, a manager on the leads owned by their team; ops users and the role keys of API_KEYS
// (services such as a CRM calling back) act on any lead and name the rep they act for.
import type { Pool } from 'pg';
import { normalizeEmail } from '../schemas/common';
import { teamMembers, teamOf } from '../users/store';
import { ApiError } from './errors';
import { actorOf, type Principal } from './principal';

export interface ActingAs {
  rep: string;
  actor: string;
}

export interface LeadOwnership {
  owner: string | null;
  /** The owner's team in the user directory; undefined when the owner is not in it (or there is none). */
  ownerTeam: string | null | undefined;
}

/** Sales and manager users are held to their leads; everyone else sees every lead. */
const isScoped = (p: Principal): p is Extract<Principal, { kind: 'user' }> => p.kind === 'user' && (p.role === 'sales' || p.role === 'manager');
const sameTeam = (a: string | null | undefined, b: string | null | undefined): boolean => !!a && !!b && a.toLowerCase() === b.toLowerCase();

/** Whether the principal may see or act on a lead with this ownership. */
export function mayTouchLead(p: Principal, lead: LeadOwnership): boolean {
  if (!isScoped(p)) return true;
  if (lead.owner !== null && normalizeEmail(lead.owner) === p.emailNormalized) return true;
  return p.role === 'manager' && sameTeam(lead.ownerTeam, p.team);
}

/** Refuses (403) a lead the principal may not see; the owner's team is looked up for managers only. */
export async function assertMayTouch(pool: Pool, p: Principal, owner: string | null): Promise<void> {
  const ownerTeam = isScoped(p) && p.role === 'manager' && owner !== null ? await teamOf(pool, normalizeEmail(owner)) : undefined;
  if (mayTouchLead(p, { owner, ownerTeam })) return;
  throw p.role === 'manager' ? new ApiError(403, 'not_in_team', 'this lead is not owned by your team') : new ApiError(403, 'not_owner', 'this lead is owned by another rep');
}

/** The rep and actor of a sales action (after assertMayTouch), or the 4xx that refuses the body's rep. */
export function actingAs(p: Principal, bodyRep: string | undefined): ActingAs {
  if (isScoped(p)) {
    if (bodyRep !== undefined && normalizeEmail(bodyRep) !== p.emailNormalized) {
      throw new ApiError(403, 'rep_mismatch', 'with your own key you act as yourself: leave out rep, or send your own email', [{ in: 'body', field: 'rep', message: 'must be your own email' }]);
    }
    return { rep: p.email, actor: actorOf(p) };
  }
  if (bodyRep === undefined) {
    throw new ApiError(400, 'validation_failed', 'rep: required with an ops or service key (the rep you act for)', [{ in: 'body', field: 'rep', message: 'required' }]);
  }
  return { rep: bodyRep, actor: actorOf(p) };
}

/** The owner filter a principal's lead list is held to: a sales user sees their own, a manager the team's. */
export async function listScope(pool: Pool, p: Principal, askedOwner: string | undefined): Promise<{ owner?: string; owners?: string[] }> {
  const asked = askedOwner ? { owner: askedOwner } : {};
  if (!isScoped(p)) return asked;
  if (p.role === 'sales') {
    if (askedOwner && normalizeEmail(askedOwner) !== p.emailNormalized) {
      throw new ApiError(403, 'not_owner', 'a sales user lists only their own leads', [{ in: 'querystring', field: 'owner', message: 'must be your own email' }]);
    }
    return { owner: p.email };
  }
  return { ...asked, owners: p.team ? await teamMembers(pool, p.team) : [p.emailNormalized] };
}
