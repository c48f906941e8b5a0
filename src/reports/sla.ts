// Reads the lead tables directly, by design: read-only report aggregates belong to the reports concept, not to src/leads/store (which owns every per-lead read and write).
// The sales manager's board: open handoffs (leads in stage mql) with owner and time left.
// The SLA deadline is derived from PostgreSQL alone: the last 'mql' or 'sla_breached' transition of the
// lead starts an SLA of the lead's campaign version policy (src/domain/lifecycle.ts sets
// slaDeadline = now + policy.sla at both), so deadline = that transition's occurred_at + policy.sla.
import type { Pool } from 'pg';
import { DEFAULT_POLICY } from '../domain/defaults';
import { durationMs } from '../domain/duration';
import { toNotices, undeliveredNoticesSql, type UndeliveredNotice } from '../leads/undelivered';

export interface SlaEntry {
  leadId: string;
  name: string | null;
  company: string | null;
  email: string;
  campaignId: string;
  owner: string | null;
  score: number;
  cycle: number;
  mqlAt: string;
  /** When the current owner was assigned (the handoff, or the last reassignment after a breach). */
  assignedAt: string;
  sla: string;
  deadline: string;
  /** Negative once the deadline has passed. */
  secondsLeft: number;
  /** Breaches in this handoff (each reassigned the lead). */
  breaches: number;
  /** A breach in this handoff, or the deadline has passed. */
  breached: boolean;
  /** Owner and escalation emails of this cycle that never arrived: the owner may not know. */
  undeliveredNotices: UndeliveredNotice[];
}

export interface SlaBoard {
  now: string;
  total: number;
  breached: number;
  entries: SlaEntry[];
}

interface Row {
  lead_id: string;
  name: string | null;
  company: string | null;
  email: string;
  campaign_id: string;
  owner: string | null;
  score: number;
  cycle: number;
  mql_at: Date;
  assigned_at: Date;
  breaches: number;
  sla: string | null;
  notices: Parameters<typeof toNotices>[0];
}

/** Time left and breach state of one handoff; pure, so that the rules are unit-tested. */
export function slaStatus(assignedAt: Date, sla: string, breaches: number, now: Date): { deadline: Date; secondsLeft: number; breached: boolean } {
  const deadline = new Date(assignedAt.getTime() + durationMs(sla));
  const secondsLeft = Math.floor((deadline.getTime() - now.getTime()) / 1000);
  return { deadline, secondsLeft, breached: breaches > 0 || deadline.getTime() < now.getTime() };
}

/** Breached first; then the least time left; then by lead id for a stable order. */
export function compareSla(a: Pick<SlaEntry, 'breached' | 'secondsLeft' | 'leadId'>, b: Pick<SlaEntry, 'breached' | 'secondsLeft' | 'leadId'>): number {
  if (a.breached !== b.breached) return a.breached ? -1 : 1;
  return a.secondsLeft - b.secondsLeft || a.leadId.localeCompare(b.leadId);
}

export async function slaBoard(pool: Pool, opts: { now: Date; campaignId?: string; owner?: string; limit: number }): Promise<SlaBoard> {
  const { rows } = await pool.query<Row>(
    `SELECT l.lead_id, l.name, l.company, l.email, l.campaign_id, l.owner, l.score, h.cycle,
            h.mql_at, h.assigned_at, h.breaches, cv.policy->>'sla' AS sla,
            ${undeliveredNoticesSql('l.lead_id', 'h.cycle')} AS notices
       FROM leads l
       LEFT JOIN campaign_versions cv ON cv.campaign_id = l.campaign_id AND cv.version = l.campaign_version
      CROSS JOIN LATERAL (
        SELECT last.cycle, last.occurred_at AS assigned_at,
               (SELECT max(m.occurred_at) FROM lead_transitions m WHERE m.lead_id = l.lead_id AND m.cycle = last.cycle AND m.reason = 'mql') AS mql_at,
               (SELECT count(*)::int FROM lead_transitions b WHERE b.lead_id = l.lead_id AND b.cycle = last.cycle AND b.reason = 'sla_breached') AS breaches
          FROM (SELECT x.cycle, x.occurred_at FROM lead_transitions x
                 WHERE x.lead_id = l.lead_id AND x.reason IN ('mql', 'sla_breached') ORDER BY x.seq DESC LIMIT 1) last
      ) h
      WHERE l.stage = 'mql' AND ($1::text IS NULL OR l.campaign_id = $1) AND ($2::text IS NULL OR l.owner = $2)`,
    [opts.campaignId ?? null, opts.owner ?? null],
  );
  const entries = rows
    .map((r): SlaEntry => {
      const sla = r.sla ?? DEFAULT_POLICY.sla;
      const status = slaStatus(r.assigned_at, sla, r.breaches, opts.now);
      return {
        leadId: r.lead_id,
        name: r.name,
        company: r.company,
        email: r.email,
        campaignId: r.campaign_id,
        owner: r.owner,
        score: r.score,
        cycle: r.cycle,
        mqlAt: (r.mql_at ?? r.assigned_at).toISOString(),
        assignedAt: r.assigned_at.toISOString(),
        sla,
        deadline: status.deadline.toISOString(),
        secondsLeft: status.secondsLeft,
        breaches: r.breaches,
        breached: status.breached,
        undeliveredNotices: toNotices(r.notices),
      };
    })
    .sort(compareSla);
  return { now: opts.now.toISOString(), total: entries.length, breached: entries.filter((e) => e.breached).length, entries: entries.slice(0, opts.limit) };
}
