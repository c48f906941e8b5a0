// Reads the lead tables directly, by design: read-only report aggregates belong to the reports concept, not to src/leads/store (which owns every per-lead read and write).
// Primary vs shadow scoring model on the same leads (GET /v1/reports/models): how many leads each
// model made (or would have made) an MQL, and how many of those became SQL — the A/B comparison.
// Counting rules: docs/reports.md ("Model comparison").
import type { Pool } from 'pg';
import { withTransaction } from '../db/transaction';
import { ratio, type Ratio } from './funnel';

export interface ModelOutcome {
  /** Leads this model made an MQL (the primary: handed off) or would have (the shadow), in any cycle. */
  mqls: number;
  /** Of those, leads accepted as SQL in a cycle in which this model said MQL. */
  sqls: number;
  mqlToSql: Ratio;
}

export interface ModelComparison {
  /** Leads of the campaign that ran with a shadow model (the compared population). */
  leads: number;
  primary: ModelOutcome;
  shadow: ModelOutcome;
  /** How the two models agree on which leads are MQLs. */
  agreement: { both: number; primaryOnly: number; shadowOnly: number; neither: number };
}

export interface ModelsReport extends ModelComparison {
  campaignId: string;
  range: { from: string | null; to: string | null };
  /** The same numbers per (primary model version, shadow model version) the leads run now. */
  byModels: ({ model: { id: string; version: number }; shadowModel: { id: string; version: number } } & ModelComparison)[];
}

interface Row {
  totals: boolean;
  model_id: string | null;
  model_version: number | null;
  shadow_id: string | null;
  shadow_version: number | null;
  leads: number;
  primary_mqls: number;
  primary_sqls: number;
  shadow_mqls: number;
  shadow_sqls: number;
  both: number;
  primary_only: number;
  shadow_only: number;
}

// Per lead and cycle: did the primary say MQL, did the shadow, was the lead accepted? Then per lead.
const MODELS_SQL = `
  WITH pop AS (
    SELECT lead_id, scoring_model_id, scoring_model_version, shadow_model_id, shadow_model_version
      FROM leads
     WHERE campaign_id = $1 AND shadow_model_id IS NOT NULL
       AND ($2::timestamptz IS NULL OR created_at >= $2) AND ($3::timestamptz IS NULL OR created_at < $3)
  ), cycles AS (
    SELECT t.lead_id, t.cycle,
           bool_or(t.reason = 'mql') AS mql, bool_or(t.reason = 'shadow_mql') AS shadow_mql, bool_or(t.reason = 'accepted') AS accepted
      FROM lead_transitions t JOIN pop USING (lead_id)
     WHERE t.reason IN ('mql', 'shadow_mql', 'accepted')
     GROUP BY t.lead_id, t.cycle
  ), per_lead AS (
    SELECT p.lead_id, p.scoring_model_id, p.scoring_model_version, p.shadow_model_id, p.shadow_model_version,
           COALESCE(bool_or(c.mql), false) AS p_mql, COALESCE(bool_or(c.mql AND c.accepted), false) AS p_sql,
           COALESCE(bool_or(c.shadow_mql), false) AS s_mql, COALESCE(bool_or(c.shadow_mql AND c.accepted), false) AS s_sql
      FROM pop p LEFT JOIN cycles c USING (lead_id)
     GROUP BY p.lead_id, p.scoring_model_id, p.scoring_model_version, p.shadow_model_id, p.shadow_model_version
  )
  SELECT GROUPING(scoring_model_id, scoring_model_version, shadow_model_id, shadow_model_version) = 15 AS totals,
         scoring_model_id AS model_id, scoring_model_version AS model_version, shadow_model_id AS shadow_id, shadow_model_version AS shadow_version,
         count(*)::int AS leads,
         count(*) FILTER (WHERE p_mql)::int AS primary_mqls, count(*) FILTER (WHERE p_sql)::int AS primary_sqls,
         count(*) FILTER (WHERE s_mql)::int AS shadow_mqls, count(*) FILTER (WHERE s_sql)::int AS shadow_sqls,
         count(*) FILTER (WHERE p_mql AND s_mql)::int AS both,
         count(*) FILTER (WHERE p_mql AND NOT s_mql)::int AS primary_only,
         count(*) FILTER (WHERE s_mql AND NOT p_mql)::int AS shadow_only
    FROM per_lead
   GROUP BY GROUPING SETS ((), (scoring_model_id, scoring_model_version, shadow_model_id, shadow_model_version))`;

function comparisonOf(r: Row | undefined): ModelComparison {
  const n = (v: number | undefined) => v ?? 0;
  const outcome = (mqls: number, sqls: number): ModelOutcome => ({ mqls, sqls, mqlToSql: ratio(sqls, mqls) });
  const leads = n(r?.leads);
  const both = n(r?.both);
  const primaryOnly = n(r?.primary_only);
  const shadowOnly = n(r?.shadow_only);
  return {
    leads,
    primary: outcome(n(r?.primary_mqls), n(r?.primary_sqls)),
    shadow: outcome(n(r?.shadow_mqls), n(r?.shadow_sqls)),
    agreement: { both, primaryOnly, shadowOnly, neither: leads - both - primaryOnly - shadowOnly },
  };
}

export async function modelsReport(pool: Pool, q: { campaignId: string; from?: Date; to?: Date }): Promise<ModelsReport> {
  const rows = await withTransaction(pool, async (client) => (await client.query<Row>(MODELS_SQL, [q.campaignId, q.from ?? null, q.to ?? null])).rows, { readOnly: true });
  const totals = rows.find((r) => r.totals);
  return {
    campaignId: q.campaignId,
    range: { from: q.from?.toISOString() ?? null, to: q.to?.toISOString() ?? null },
    ...comparisonOf(totals),
    byModels: rows
      .filter((r) => !r.totals)
      .map((r) => ({ model: { id: r.model_id!, version: r.model_version! }, shadowModel: { id: r.shadow_id!, version: r.shadow_version! }, ...comparisonOf(r) }))
      .sort((a, b) => a.model.id.localeCompare(b.model.id) || a.model.version - b.model.version || a.shadowModel.id.localeCompare(b.shadowModel.id) || a.shadowModel.version - b.shadowModel.version),
  };
}
