// The funnel report, computed in PostgreSQL from lead_transitions (+ leads for campaign, source, UTM).
// Counting rules: docs/reports.md. One query builds "facts" once and aggregates them with GROUPING SETS
// into the totals, the split by campaign, the split by source/UTM and the weekly series.
import type { Pool } from 'pg';

export const DEFAULT_MQL_TO_SQL_BENCHMARK = 0.3;
export const DEFAULT_RANGE_DAYS = 84;
export const MAX_RANGE_DAYS = 800;

export interface FunnelQuery {
  from: Date;
  /** Exclusive. */
  to: Date;
  campaignId?: string;
  source?: string;
  /** IANA time zone of the weekly buckets (weeks start on Monday). */
  tz: string;
}

export interface FunnelMetrics {
  /** Leads enrolled in the period (one person = one lead). */
  leads: number;
  /** Transitions in the period. A re-qualified lead counts again (one MQL per handoff). */
  mqls: number;
  contacted: number;
  sqls: number;
  recycled: number;
  disqualified: number;
  slaBreaches: number;
  /** Of the leads enrolled in the period, those that ever became an MQL. */
  leadToMql: Ratio;
  /** Of the MQLs (handoffs) in the period, those accepted as SQL in the same cycle, whenever. */
  mqlToSql: Ratio;
  /** From MQL to first contact, over the period's MQLs that were contacted. */
  timeToFirstContact: { count: number; medianSeconds: number | null; p90Seconds: number | null };
  /** Of the period's MQLs whose SLA is settled (contacted, or expired without contact), those contacted within the SLA. */
  sla: Ratio;
  rejectionReasons: { reason: string; count: number }[];
}

export interface Ratio {
  of: number;
  count: number;
  rate: number | null;
}

export interface FunnelReport {
  range: { from: string; to: string; tz: string };
  filters: { campaignId: string | null; source: string | null };
  benchmark: { mqlToSql: number; met: boolean | null };
  totals: FunnelMetrics;
  byCampaign: ({ campaignId: string } & FunnelMetrics)[];
  bySource: ({ source: string | null; utmSource: string | null; utmMedium: string | null; utmCampaign: string | null } & FunnelMetrics)[];
  weekly: ({ week: string } & FunnelMetrics)[];
}

/** count / of, or null when there is nothing to divide by; rounded to 4 decimals. */
export function ratio(count: number, of: number): Ratio {
  return { of, count, rate: of > 0 ? Math.round((count / of) * 10_000) / 10_000 : null };
}

/** The report period: defaults to the DEFAULT_RANGE_DAYS before `now`; refuses an empty or huge range. */
export function resolveRange(from: string | undefined, to: string | undefined, now: Date): { from: Date; to: Date } | { error: string } {
  const toDate = to ? new Date(to) : now;
  const fromDate = from ? new Date(from) : new Date(toDate.getTime() - DEFAULT_RANGE_DAYS * 86_400_000);
  if (Number.isNaN(toDate.getTime())) return { error: 'to: not a date' };
  if (Number.isNaN(fromDate.getTime())) return { error: 'from: not a date' };
  if (fromDate.getTime() >= toDate.getTime()) return { error: 'from: must be before to' };
  if (toDate.getTime() - fromDate.getTime() > MAX_RANGE_DAYS * 86_400_000) return { error: `from: the range may not exceed ${MAX_RANGE_DAYS} days` };
  return { from: fromDate, to: toDate };
}

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

// GROUPING(campaign_id, source, week) bitmask → which set a row belongs to (1 = not grouped by that column).
// Sets: () → 0b111 = 7, (campaign_id) → 0b011 = 3, (source, utm…) → 0b101 = 5, (week) → 0b110 = 6.
const SET_TOTALS = 7;
const SET_CAMPAIGN = 3;
const SET_SOURCE = 5;
const SET_WEEK = 6;

const FACTS = `
  WITH l AS (
    SELECT lead_id, campaign_id, source, utm->>'source' AS utm_source, utm->>'medium' AS utm_medium, utm->>'campaign' AS utm_campaign
      FROM leads
     WHERE ($3::text IS NULL OR campaign_id = $3) AND ($4::text IS NULL OR source = $4)
  ),
  t AS (
    SELECT t.lead_id, t.seq, t.cycle, t.reason, t.to_stage, t.rejection_reason, t.occurred_at,
           l.campaign_id, l.source, l.utm_source, l.utm_medium, l.utm_campaign,
           to_char(date_trunc('week', t.occurred_at AT TIME ZONE $5), 'YYYY-MM-DD') AS week
      FROM lead_transitions t JOIN l USING (lead_id)
     WHERE t.occurred_at >= $1 AND t.occurred_at < $2
  ),
  facts AS (
    -- every transition of the period
    SELECT t.*, 't' AS kind, NULL::boolean AS became_mql, NULL::boolean AS accepted, NULL::double precision AS contact_s,
           NULL::boolean AS within_sla, NULL::boolean AS sla_settled
      FROM t
    UNION ALL
    -- the period's enrolments, followed to now
    SELECT t.*, 'e', EXISTS (SELECT 1 FROM lead_transitions x WHERE x.lead_id = t.lead_id AND x.reason = 'mql'), NULL, NULL, NULL, NULL
      FROM t WHERE t.reason = 'enrolled'
    UNION ALL
    -- the period's MQLs (one per lead and cycle), followed to now within their cycle
    SELECT t.*, 'm', NULL, c.accepted, extract(epoch FROM c.contacted_at - t.occurred_at)::double precision,
           c.within_sla, (c.contacted_at IS NOT NULL OR c.sla_expired)
      FROM t
      CROSS JOIN LATERAL (
        SELECT min(x.occurred_at) FILTER (WHERE x.reason = 'contacted') AS contacted_at,
               COALESCE(bool_or((x.details->>'withinSla')::boolean) FILTER (WHERE x.reason = 'contacted'), false) AS within_sla,
               COALESCE(bool_or(x.reason = 'accepted'), false) AS accepted,
               COALESCE(bool_or(x.reason = 'sla_expired'), false) AS sla_expired
          FROM lead_transitions x
         WHERE x.lead_id = t.lead_id AND x.cycle = t.cycle AND x.reason IN ('contacted', 'accepted', 'sla_expired')
      ) c
     WHERE t.reason = 'mql'
  )`;

const GROUPS = `GROUPING SETS ((), (campaign_id), (source, utm_source, utm_medium, utm_campaign), (week))`;

const METRICS_SQL = `${FACTS}
  SELECT GROUPING(campaign_id, source, week) AS set, campaign_id, source, utm_source, utm_medium, utm_campaign, week,
         count(*) FILTER (WHERE kind = 'e')::int AS leads,
         count(*) FILTER (WHERE kind = 't' AND reason = 'mql')::int AS mqls,
         count(*) FILTER (WHERE kind = 't' AND reason = 'contacted')::int AS contacted,
         count(*) FILTER (WHERE kind = 't' AND reason = 'accepted')::int AS sqls,
         count(*) FILTER (WHERE kind = 't' AND to_stage = 'recycled')::int AS recycled,
         count(*) FILTER (WHERE kind = 't' AND to_stage = 'disqualified')::int AS disqualified,
         count(*) FILTER (WHERE kind = 't' AND reason = 'sla_breached')::int AS sla_breaches,
         count(*) FILTER (WHERE kind = 'e' AND became_mql)::int AS leads_to_mql,
         count(*) FILTER (WHERE kind = 'm')::int AS mql_cohort,
         count(*) FILTER (WHERE kind = 'm' AND accepted)::int AS mql_to_sql,
         count(contact_s)::int AS contacted_cohort,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY contact_s) AS median_s,
         percentile_cont(0.9) WITHIN GROUP (ORDER BY contact_s) AS p90_s,
         count(*) FILTER (WHERE kind = 'm' AND sla_settled)::int AS sla_settled,
         count(*) FILTER (WHERE kind = 'm' AND sla_settled AND within_sla)::int AS within_sla
    FROM facts
   GROUP BY ${GROUPS}`;

const REASONS_SQL = `${FACTS}
  SELECT GROUPING(campaign_id, source, week) AS set, campaign_id, source, utm_source, utm_medium, utm_campaign, week,
         rejection_reason AS reason, count(*)::int AS count
    FROM facts
   WHERE kind = 't' AND rejection_reason IS NOT NULL
   GROUP BY rejection_reason, ${GROUPS}`;

interface GroupCols {
  set: number;
  campaign_id: string | null;
  source: string | null;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  week: string | null;
}

interface MetricsRow extends GroupCols {
  leads: number;
  mqls: number;
  contacted: number;
  sqls: number;
  recycled: number;
  disqualified: number;
  sla_breaches: number;
  leads_to_mql: number;
  mql_cohort: number;
  mql_to_sql: number;
  contacted_cohort: number;
  median_s: number | null;
  p90_s: number | null;
  sla_settled: number;
  within_sla: number;
}

const keyOf = (r: GroupCols): string => JSON.stringify([r.set, r.campaign_id, r.source, r.utm_source, r.utm_medium, r.utm_campaign, r.week]);
const seconds = (v: number | null): number | null => (v === null ? null : Math.round(Number(v)));

export function emptyMetrics(): FunnelMetrics {
  return metricsOf(undefined, []);
}

function metricsOf(r: MetricsRow | undefined, reasons: { reason: string; count: number }[]): FunnelMetrics {
  return {
    leads: r?.leads ?? 0,
    mqls: r?.mqls ?? 0,
    contacted: r?.contacted ?? 0,
    sqls: r?.sqls ?? 0,
    recycled: r?.recycled ?? 0,
    disqualified: r?.disqualified ?? 0,
    slaBreaches: r?.sla_breaches ?? 0,
    leadToMql: ratio(r?.leads_to_mql ?? 0, r?.leads ?? 0),
    mqlToSql: ratio(r?.mql_to_sql ?? 0, r?.mql_cohort ?? 0),
    timeToFirstContact: { count: r?.contacted_cohort ?? 0, medianSeconds: seconds(r?.median_s ?? null), p90Seconds: seconds(r?.p90_s ?? null) },
    sla: ratio(r?.within_sla ?? 0, r?.sla_settled ?? 0),
    rejectionReasons: [...reasons].sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)),
  };
}

export async function funnelReport(pool: Pool, q: FunnelQuery, benchmark = DEFAULT_MQL_TO_SQL_BENCHMARK): Promise<FunnelReport> {
  const params = [q.from.toISOString(), q.to.toISOString(), q.campaignId ?? null, q.source ?? null, q.tz];
  const [metrics, reasons] = await Promise.all([
    pool.query<MetricsRow>(METRICS_SQL, params),
    pool.query<GroupCols & { reason: string; count: number }>(REASONS_SQL, params),
  ]);
  const reasonsBy = new Map<string, { reason: string; count: number }[]>();
  for (const r of reasons.rows) {
    const k = keyOf(r);
    reasonsBy.set(k, [...(reasonsBy.get(k) ?? []), { reason: r.reason, count: r.count }]);
  }
  const of = (r: MetricsRow) => metricsOf(r, reasonsBy.get(keyOf(r)) ?? []);
  const totalsRow = metrics.rows.find((r) => r.set === SET_TOTALS);
  const totals = metricsOf(totalsRow, totalsRow ? reasonsBy.get(keyOf(totalsRow)) ?? [] : []);
  const rate = totals.mqlToSql.rate;
  return {
    range: { from: q.from.toISOString(), to: q.to.toISOString(), tz: q.tz },
    filters: { campaignId: q.campaignId ?? null, source: q.source ?? null },
    benchmark: { mqlToSql: benchmark, met: rate === null ? null : rate >= benchmark },
    totals,
    byCampaign: metrics.rows
      .filter((r) => r.set === SET_CAMPAIGN)
      .map((r) => ({ campaignId: r.campaign_id as string, ...of(r) }))
      .sort((a, b) => b.mqls - a.mqls || b.leads - a.leads || a.campaignId.localeCompare(b.campaignId)),
    bySource: metrics.rows
      .filter((r) => r.set === SET_SOURCE)
      .map((r) => ({ source: r.source, utmSource: r.utm_source, utmMedium: r.utm_medium, utmCampaign: r.utm_campaign, ...of(r) }))
      .sort((a, b) => b.mqls - a.mqls || b.leads - a.leads || JSON.stringify([a.source, a.utmSource, a.utmMedium, a.utmCampaign]).localeCompare(JSON.stringify([b.source, b.utmSource, b.utmMedium, b.utmCampaign]))),
    weekly: metrics.rows
      .filter((r) => r.set === SET_WEEK)
      .map((r) => ({ week: r.week as string, ...of(r) }))
      .sort((a, b) => a.week.localeCompare(b.week)),
  };
}
