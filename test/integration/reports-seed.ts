// Seeds leads and their stage transitions straight into PostgreSQL for the report tests: the numbers
// are then computed by hand from exactly these rows. Every id carries the test's tag.
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';

export interface SeedStep {
  reason: string;
  to: string;
  at: string | Date;
  /** Starts a new cycle at this step (recycle_period_over does it on its own). */
  cycle?: number;
  owner?: string;
  rejectionReason?: string;
  details?: Record<string, unknown>;
}

export interface SeedLead {
  name: string;
  campaignId: string;
  campaignVersion?: number;
  source?: string | null;
  utm?: { source?: string; medium?: string; campaign?: string } | null;
  /** The lead row's stage/owner (the last transition's, as the workflow would leave it). */
  stage: string;
  owner?: string | null;
  score?: number;
  steps: SeedStep[];
}

export async function seedCampaign(pool: Pool, campaignId: string, version: number, policy: Record<string, unknown>): Promise<void> {
  await pool.query(
    `INSERT INTO campaign_versions (campaign_id, version, name, scoring_model_id, definition, policy)
     VALUES ($1, $2, $3, 'default', '{"steps":[]}'::jsonb, $4) ON CONFLICT DO NOTHING`,
    [campaignId, version, `report test ${campaignId}`, JSON.stringify(policy)],
  );
}

export async function seedLeads(pool: Pool, tag: string, leads: SeedLead[]): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  for (const lead of leads) {
    const id = randomUUID();
    ids[lead.name] = id;
    const email = `${lead.name.toLowerCase()}-${tag}@report.test`;
    await pool.query(
      `INSERT INTO leads (lead_id, email, email_normalized, name, company, source, utm, campaign_id, campaign_version,
                          scoring_model_id, scoring_model_version, stage, owner, score, created_at)
       VALUES ($1, $2, $2, $3, $4, $5, $6, $7, $8, 'default', 1, $9, $10, $11, $12)`,
      [id, email, `${lead.name} <b>${tag}</b>`, `Company ${lead.name}`, lead.source ?? null, lead.utm ? JSON.stringify(lead.utm) : null,
        lead.campaignId, lead.campaignVersion ?? 1, lead.stage, lead.owner ?? null, lead.score ?? 80, new Date(lead.steps[0]!.at)],
    );
    let cycle = 0;
    let from: string | null = null;
    for (const [i, step] of lead.steps.entries()) {
      if (step.reason === 'recycle_period_over') cycle += 1;
      if (step.cycle !== undefined) cycle = step.cycle;
      await pool.query(
        `INSERT INTO lead_transitions (lead_id, seq, from_stage, to_stage, reason, cycle, score, owner, rejection_reason, details, occurred_at)
         VALUES ($1, $2, $3, $4, $5, $6, 80, $7, $8, $9, $10)`,
        [id, i + 1, from, step.to, step.reason, cycle, step.owner ?? null, step.rejectionReason ?? null, JSON.stringify(step.details ?? {}), new Date(step.at)],
      );
      from = step.to;
    }
  }
  return ids;
}

const H = 3_600_000;
/** An instant `hours` before `now`. */
export const hoursAgo = (now: Date, hours: number): Date => new Date(now.getTime() - hours * H);

/**
 * The funnel scenario of the report tests (times UTC, period 2026-01-05 → 2026-01-19, two ISO weeks).
 * Campaign A and B share the source `src`; L7 is in campaign A with another source.
 */
export function funnelScenario(a: string, b: string, src: string, otherSrc: string): SeedLead[] {
  const google = { source: 'google', medium: 'cpc', campaign: 'spring' };
  const linkedin = { source: 'linkedin', medium: 'social' };
  return [
    { name: 'L1', campaignId: a, source: src, utm: google, stage: 'sql', steps: [
      { reason: 'enrolled', to: 'nurturing', at: '2026-01-05T10:00:00Z' },
      { reason: 'mql', to: 'mql', at: '2026-01-06T10:00:00Z', owner: 'o1' },
      { reason: 'contacted', to: 'working', at: '2026-01-06T12:00:00Z', owner: 'o1', details: { channel: 'call', withinSla: true } },
      { reason: 'accepted', to: 'sql', at: '2026-01-07T10:00:00Z', owner: 'o1' },
    ] },
    { name: 'L2', campaignId: a, source: src, utm: google, stage: 'sql', steps: [
      { reason: 'enrolled', to: 'nurturing', at: '2026-01-05T11:00:00Z' },
      { reason: 'mql', to: 'mql', at: '2026-01-06T09:00:00Z', owner: 'o1' },
      { reason: 'sla_breached', to: 'mql', at: '2026-01-07T09:00:00Z', owner: 'o2' },
      { reason: 'contacted', to: 'working', at: '2026-01-07T15:00:00Z', owner: 'o2', details: { channel: 'call', withinSla: false } },
      { reason: 'rejected', to: 'recycled', at: '2026-01-08T09:00:00Z', rejectionReason: 'no_budget' },
      { reason: 'recycle_period_over', to: 'nurturing', at: '2026-01-13T09:00:00Z' },
      { reason: 'mql', to: 'mql', at: '2026-01-14T09:00:00Z', owner: 'o1' },
      { reason: 'contacted', to: 'working', at: '2026-01-14T10:00:00Z', owner: 'o1', details: { channel: 'email', withinSla: true } },
      { reason: 'accepted', to: 'sql', at: '2026-01-15T09:00:00Z', owner: 'o1' },
    ] },
    { name: 'L3', campaignId: a, source: src, stage: 'disqualified', steps: [
      { reason: 'enrolled', to: 'nurturing', at: '2026-01-06T08:00:00Z' },
      { reason: 'mql', to: 'mql', at: '2026-01-08T08:00:00Z', owner: 'o2' },
      { reason: 'contacted', to: 'working', at: '2026-01-08T12:00:00Z', owner: 'o2', details: { channel: 'call', withinSla: true } },
      { reason: 'disqualified', to: 'disqualified', at: '2026-01-09T08:00:00Z', rejectionReason: 'bad_fit' },
    ] },
    { name: 'L4', campaignId: b, source: src, utm: linkedin, stage: 'recycled', steps: [
      { reason: 'enrolled', to: 'nurturing', at: '2026-01-12T08:00:00Z' },
      { reason: 'mql', to: 'mql', at: '2026-01-12T12:00:00Z', owner: 'o1' },
      { reason: 'sla_breached', to: 'mql', at: '2026-01-13T12:00:00Z', owner: 'o2' },
      { reason: 'sla_breached', to: 'mql', at: '2026-01-14T12:00:00Z', owner: 'o1' },
      { reason: 'sla_expired', to: 'recycled', at: '2026-01-15T12:00:00Z' },
    ] },
    // Sunday 20:00 UTC = Monday 05:00 in Tokyo: the week it counts in depends on tz.
    { name: 'L5', campaignId: b, source: src, utm: linkedin, stage: 'nurturing', steps: [
      { reason: 'enrolled', to: 'nurturing', at: '2026-01-11T20:00:00Z' },
    ] },
    { name: 'L6', campaignId: b, source: src, utm: linkedin, stage: 'working', steps: [
      { reason: 'enrolled', to: 'nurturing', at: '2026-01-13T09:00:00Z' },
      { reason: 'mql', to: 'mql', at: '2026-01-16T09:00:00Z', owner: 'o2' },
      { reason: 'sla_breached', to: 'mql', at: '2026-01-17T09:00:00Z', owner: 'o1' },
      // after the period: counts for the cohort (time to contact), not as a contact in the period
      { reason: 'contacted', to: 'working', at: '2026-01-20T09:00:00Z', owner: 'o1', details: { channel: 'call', withinSla: false } },
    ] },
    { name: 'L7', campaignId: a, source: otherSrc, stage: 'mql', steps: [
      { reason: 'enrolled', to: 'nurturing', at: '2026-01-05T08:00:00Z' },
      { reason: 'mql', to: 'mql', at: '2026-01-05T09:00:00Z', owner: 'o1' },
    ] },
    // enrolled before the period, MQL inside it
    { name: 'L8', campaignId: a, source: src, stage: 'recycled', steps: [
      { reason: 'enrolled', to: 'nurturing', at: '2025-12-20T10:00:00Z' },
      { reason: 'mql', to: 'mql', at: '2026-01-05T12:00:00Z', owner: 'o2' },
      { reason: 'contacted', to: 'working', at: '2026-01-05T13:00:00Z', owner: 'o2', details: { channel: 'call', withinSla: true } },
      { reason: 'rejected', to: 'recycled', at: '2026-01-06T09:00:00Z', rejectionReason: 'bad_timing' },
    ] },
  ];
}

/** Open handoffs for the SLA board, relative to `now`; campaign version 1 has a 24h SLA, version 2 a 3h SLA. */
export function slaScenario(c: string, now: Date): SeedLead[] {
  return [
    { name: 'S1', campaignId: c, stage: 'mql', owner: 'o1', steps: [
      { reason: 'enrolled', to: 'nurturing', at: hoursAgo(now, 10) },
      { reason: 'mql', to: 'mql', at: hoursAgo(now, 2), owner: 'o1' },
    ] },
    { name: 'S2', campaignId: c, stage: 'mql', owner: 'o2', steps: [
      { reason: 'enrolled', to: 'nurturing', at: hoursAgo(now, 24 * 41) },
      { reason: 'mql', to: 'mql', at: hoursAgo(now, 24 * 40), owner: 'o1' },
      { reason: 'sla_breached', to: 'mql', at: hoursAgo(now, 24 * 39), owner: 'o2' },
      { reason: 'rejected', to: 'recycled', at: hoursAgo(now, 24 * 38), rejectionReason: 'bad_timing' },
      { reason: 'recycle_period_over', to: 'nurturing', at: hoursAgo(now, 24 * 8) },
      { reason: 'mql', to: 'mql', at: hoursAgo(now, 30), owner: 'o1' },
      { reason: 'sla_breached', to: 'mql', at: hoursAgo(now, 6), owner: 'o2' },
    ] },
    { name: 'S3', campaignId: c, stage: 'mql', owner: 'o1', steps: [
      { reason: 'enrolled', to: 'nurturing', at: hoursAgo(now, 48) },
      { reason: 'mql', to: 'mql', at: hoursAgo(now, 25), owner: 'o1' },
    ] },
    { name: 'S4', campaignId: c, stage: 'working', owner: 'o1', steps: [
      { reason: 'enrolled', to: 'nurturing', at: hoursAgo(now, 48) },
      { reason: 'mql', to: 'mql', at: hoursAgo(now, 30), owner: 'o1' },
      { reason: 'contacted', to: 'working', at: hoursAgo(now, 29), owner: 'o1', details: { channel: 'call', withinSla: true } },
    ] },
    { name: 'S5', campaignId: c, campaignVersion: 2, stage: 'mql', owner: 'o2', steps: [
      { reason: 'enrolled', to: 'nurturing', at: hoursAgo(now, 5) },
      { reason: 'mql', to: 'mql', at: hoursAgo(now, 1), owner: 'o2' },
    ] },
  ];
}
