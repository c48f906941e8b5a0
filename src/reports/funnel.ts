// Reads the lead tables directly, by design: read-only report aggregates belong to the reports concept, not to src/leads/store (which owns every per-lead read and write).
// The funnel report, computed in PostgreSQL from lead_transitions (+ leads for campaign, source, UTM).
// Counting rules: docs/reports.md. Four queries run in parallel (period counts, enrolment cohort, MQL
// cohort, rejection reasons), each aggregated with GROUPING SETS into the totals, the split by campaign,
// the split by source/UTM and the weekly series; the rows are merged here by group.
import { withTransaction } from '../db/transaction';
import { parseReportBound, startOfLocalDayAfter } from './local-day';
import type { Pool, QueryResultRow } from 'pg';

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
  /**
   * From MQL to first contact, over the period's MQLs that were contacted. A handoff of a campaign with
   * business hours counts open time only; `businessTime` says how many of `count` did.
   */
  timeToFirstContact: { count: number; businessTime: number; medianSeconds: number | null; p90Seconds: number | null };
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

/**
 * The report period in `tz`: a date alone means local midnight there. Without bounds, the
 * DEFAULT_RANGE_DAYS whole local days up to and including today. Refuses an empty or huge range.
 */
export function resolveRange(from: string | undefined, to: string | undefined, now: Date, tz = 'UTC'): { from: Date; to: Date } | { error: string } {
  const toDate = to ? parseReportBound(to, tz) : startOfLocalDayAfter(now, tz);
  if (Number.isNaN(toDate.getTime())) return { error: 'to: not a date' };
  const fromDate = from ? parseReportBound(from, tz) : startOfLocalDayAfter(toDate, tz, -DEFAULT_RANGE_DAYS);
  if (Number.isNaN(fromDate.getTime())) return { error: 'from: not a date' };
  if (fromDate.getTime() >= toDate.getTime()) return { error: 'from: must be before to' };
  if (toDate.getTime() - fromDate.getTime() > MAX_RANGE_DAYS * 86_400_000 + 3_600_000) return { error: `from: the range may not exceed ${MAX_RANGE_DAYS} days` };
  return { from: fromDate, to: toDate };
}


// GROUPING(campaign_id, source, week) bitmask → which set a row belongs to (1 = not grouped by that column).
// Sets: () → 0b111 = 7, (campaign_id) → 0b011 = 3, (source, utm…) → 0b101 = 5, (week) → 0b110 = 6.
const SET_TOTALS = 7;
const SET_CAMPAIGN = 3;
const SET_SOURCE = 5;
const SET_WEEK = 6;

// The leads the filters keep, with what the splits group by.
const LEADS = `
    SELECT lead_id, campaign_id, source, utm->>'source' AS utm_source, utm->>'medium' AS utm_medium, utm->>'campaign' AS utm_campaign
      FROM leads
     WHERE ($3::text IS NULL OR campaign_id = $3) AND ($4::text IS NULL OR source = $4)`;
const WEEK = (column: string) => `(date_trunc('week', ${column} AT TIME ZONE $5))::date`;
const GROUPS = `GROUPING SETS ((), (campaign_id), (source, utm_source, utm_medium, utm_campaign), (week))`;
const GROUP_COLS = `GROUPING(campaign_id, source, week) AS set, campaign_id, source, utm_source, utm_medium, utm_campaign, week::text AS week`;

// Period counts: every transition of the period.
const COUNTS_SQL = `
  SELECT ${GROUP_COLS},
         count(*) FILTER (WHERE reason = 'enrolled')::int AS leads,
         count(*) FILTER (WHERE reason = 'mql')::int AS mqls,
         count(*) FILTER (WHERE reason = 'contacted')::int AS contacted,
         count(*) FILTER (WHERE reason = 'accepted')::int AS sqls,
         count(*) FILTER (WHERE to_stage = 'recycled')::int AS recycled,
         count(*) FILTER (WHERE to_stage = 'disqualified')::int AS disqualified,
         count(*) FILTER (WHERE reason = 'sla_breached')::int AS sla_breaches
    FROM (SELECT t.reason, t.to_stage, l.campaign_id, l.source, l.utm_source, l.utm_medium, l.utm_campaign, ${WEEK('t.occurred_at')} AS week
            FROM lead_transitions t JOIN (${LEADS}) l USING (lead_id)
           WHERE t.occurred_at >= $1 AND t.occurred_at < $2
             AND t.reason IN ('enrolled', 'mql', 'contacted', 'accepted', 'sla_breached', 'disqualified', 'rejected', 'sla_expired', 'qualification_expired')) f
   GROUP BY ${GROUPS}`;

// The period's enrolments, followed to now: did the lead ever become an MQL?
const ENROLLED_SQL = `
  SELECT ${GROUP_COLS},
         count(*)::int AS enrolled, count(*) FILTER (WHERE became_mql)::int AS leads_to_mql
    FROM (SELECT l.campaign_id, l.source, l.utm_source, l.utm_medium, l.utm_campaign, ${WEEK('t.occurred_at')} AS week,
                 EXISTS (SELECT 1 FROM lead_transitions x WHERE x.lead_id = t.lead_id AND x.reason = 'mql') AS became_mql
            FROM lead_transitions t JOIN (${LEADS}) l USING (lead_id)
           WHERE t.reason = 'enrolled' AND t.occurred_at >= $1 AND t.occurred_at < $2) f
   GROUP BY ${GROUPS}`;

// The period's MQLs (one per lead and cycle), followed to now within their cycle. What follows an MQL
// happens after it, so the outcomes are read from the start of the period on.
const HANDOFFS_SQL = `
  SELECT ${GROUP_COLS},
         count(*)::int AS mql_cohort,
         count(*) FILTER (WHERE accepted)::int AS mql_to_sql,
         count(contact_s)::int AS contacted_cohort,
         count(contact_s) FILTER (WHERE contact_business)::int AS business_cohort,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY contact_s) AS median_s,
         percentile_cont(0.9) WITHIN GROUP (ORDER BY contact_s) AS p90_s,
         count(*) FILTER (WHERE contact_s IS NOT NULL OR sla_expired)::int AS sla_settled,
         count(*) FILTER (WHERE (contact_s IS NOT NULL OR sla_expired) AND within_sla)::int AS within_sla
    FROM (SELECT l.campaign_id, l.source, l.utm_source, l.utm_medium, l.utm_campaign, ${WEEK('m.occurred_at')} AS week,
                 COALESCE(o.accepted, false) AS accepted, COALESCE(o.sla_expired, false) AS sla_expired,
                 COALESCE(o.within_sla, false) AS within_sla,
                 COALESCE(o.business_s, extract(epoch FROM o.contacted_at - m.occurred_at)::double precision) AS contact_s,
                 o.business_s IS NOT NULL AS contact_business
            FROM lead_transitions m
            JOIN (${LEADS}) l USING (lead_id)
            LEFT JOIN (
              SELECT x.lead_id, x.cycle,
                     min(x.occurred_at) FILTER (WHERE x.reason = 'contacted') AS contacted_at,
                     (array_agg((x.details->>'businessSeconds')::double precision ORDER BY x.seq) FILTER (WHERE x.reason = 'contacted'))[1] AS business_s,
                     bool_or((x.details->>'withinSla')::boolean) FILTER (WHERE x.reason = 'contacted') AS within_sla,
                     bool_or(x.reason = 'accepted') AS accepted,
                     bool_or(x.reason = 'sla_expired') AS sla_expired
                FROM lead_transitions x
               WHERE x.reason IN ('contacted', 'accepted', 'sla_expired') AND x.occurred_at >= $1
               GROUP BY x.lead_id, x.cycle
            ) o ON o.lead_id = m.lead_id AND o.cycle = m.cycle
           WHERE m.reason = 'mql' AND m.occurred_at >= $1 AND m.occurred_at < $2) f
   GROUP BY ${GROUPS}`;

const REASONS_SQL = `
  SELECT ${GROUP_COLS}, reason, count(*)::int AS count
    FROM (SELECT t.rejection_reason AS reason, l.campaign_id, l.source, l.utm_source, l.utm_medium, l.utm_campaign, ${WEEK('t.occurred_at')} AS week
            FROM lead_transitions t JOIN (${LEADS}) l USING (lead_id)
           WHERE t.reason IN ('rejected', 'disqualified') AND t.occurred_at >= $1 AND t.occurred_at < $2
             AND t.rejection_reason IS NOT NULL) f
   GROUP BY reason, ${GROUPS}`;

/** Sorts and hashes of a report over a million transitions stay in memory. */
const REPORT_WORK_MEM = '64MB';

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
  enrolled?: number;
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
  business_cohort: number;
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
    timeToFirstContact: { count: r?.contacted_cohort ?? 0, businessTime: r?.business_cohort ?? 0, medianSeconds: seconds(r?.median_s ?? null), p90Seconds: seconds(r?.p90_s ?? null) },
    sla: ratio(r?.within_sla ?? 0, r?.sla_settled ?? 0),
    rejectionReasons: [...reasons].sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)),
  };
}

// The same metrics from the pre-aggregated tables (migration 004): whole local days in the rollup's zone.
const ROLLUP_DAYS = `d.day >= ($1::timestamptz AT TIME ZONE $5)::date AND d.day < ($2::timestamptz AT TIME ZONE $5)::date`;
const ROLLUP_FILTERS = `($3::text IS NULL OR d.campaign_id = $3) AND ($4::text IS NULL OR d.source = $4)`;
// A row whose counts all went back to zero (its leads were erased) is no group at all.
const ROLLUP_METRICS = ['enrolled', 'mql', 'contacted', 'accepted', 'sla_breached', 'recycled', 'disqualified', 'became_mql', 'mql_to_sql', 'contacted_cohort', 'sla_settled', 'within_sla'];
const ROLLUP_NONZERO = `(${ROLLUP_METRICS.map((m) => `d.${m} <> 0`).join(' OR ')})`;
const ROLLUP_SQL = `
  SELECT ${GROUP_COLS},
         sum(enrolled)::int AS enrolled, sum(became_mql)::int AS leads_to_mql,
         sum(mql)::int AS mqls, sum(mql)::int AS mql_cohort, sum(contacted)::int AS contacted, sum(accepted)::int AS sqls,
         sum(recycled)::int AS recycled, sum(disqualified)::int AS disqualified, sum(sla_breached)::int AS sla_breaches,
         sum(mql_to_sql)::int AS mql_to_sql, sum(contacted_cohort)::int AS contacted_cohort,
         sum(sla_settled)::int AS sla_settled, sum(within_sla)::int AS within_sla
    FROM (SELECT d.*, date_trunc('week', d.day)::date AS week FROM funnel_daily d
           WHERE ${ROLLUP_DAYS} AND ${ROLLUP_FILTERS} AND ${ROLLUP_NONZERO}) f
   GROUP BY ${GROUPS}`;
const ROLLUP_REASONS_SQL = `
  SELECT ${GROUP_COLS}, reason, sum(n)::int AS count
    FROM (SELECT d.*, date_trunc('week', d.day)::date AS week FROM funnel_daily_rejections d
           WHERE ${ROLLUP_DAYS} AND ${ROLLUP_FILTERS} AND d.n <> 0) f
   GROUP BY reason, ${GROUPS}`;
const ROLLUP_CONTACT_TIMES_SQL = `
  SELECT set, campaign_id, source, utm_source, utm_medium, utm_campaign, week, p[1] AS median_s, p[2] AS p90_s, business_cohort
    FROM (SELECT ${GROUP_COLS}, percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY contact_s) AS p,
                 count(*) FILTER (WHERE contact_business)::int AS business_cohort
    FROM (SELECT h.campaign_id, h.source, h.utm_source, h.utm_medium, h.utm_campaign, ${WEEK('h.mql_at')} AS week, h.contact_s, h.contact_business
            FROM funnel_handoffs h
           WHERE h.mql_at >= $1 AND h.mql_at < $2 AND h.contact_s IS NOT NULL AND ($3::text IS NULL OR h.campaign_id = $3) AND ($4::text IS NULL OR h.source = $4)) f
   GROUP BY ${GROUPS}) g`;
// The rollup answers when the report's zone is the rollup's and the range is whole local days there.
const ROLLUP_FITS_SQL = `
  SELECT s.time_zone = $3 AND $1::timestamptz = date_trunc('day', $1::timestamptz, $3)
                          AND $2::timestamptz = date_trunc('day', $2::timestamptz, $3) AS fits
    FROM report_settings s`;

/** Where the numbers come from: the pre-aggregated tables, the transitions, or whichever fits (auto). */
export type FunnelSource = 'auto' | 'rollup' | 'transitions';

export async function funnelReport(pool: Pool, q: FunnelQuery, benchmark = DEFAULT_MQL_TO_SQL_BENCHMARK, from: FunnelSource = 'auto'): Promise<FunnelReport> {
  const params = [q.from.toISOString(), q.to.toISOString(), q.campaignId ?? null, q.source ?? null, q.tz];
  const run = <R extends QueryResultRow>(sql: string, values: unknown[] = params): Promise<R[]> =>
    withTransaction(
      pool,
      async (client) => {
        await client.query(`SET LOCAL work_mem = '${REPORT_WORK_MEM}'`);
        return (await client.query<R>(sql, values)).rows;
      },
      { readOnly: true },
    );
  const useRollup = from === 'rollup' || (from === 'auto' && (await run<{ fits: boolean }>(ROLLUP_FITS_SQL, [params[0], params[1], q.tz]))[0]?.fits === true);
  const [parts, reasonRows] = useRollup
    ? await Promise.all([
        Promise.all([run<GroupCols & Record<string, number>>(ROLLUP_SQL), run<GroupCols & Record<string, number | null>>(ROLLUP_CONTACT_TIMES_SQL)]),
        run<GroupCols & { reason: string; count: number }>(ROLLUP_REASONS_SQL),
      ])
    : await Promise.all([
        Promise.all([
          run<GroupCols & Record<string, number>>(COUNTS_SQL),
          run<GroupCols & Record<string, number>>(ENROLLED_SQL),
          run<GroupCols & Record<string, number | null>>(HANDOFFS_SQL),
        ]),
        run<GroupCols & { reason: string; count: number }>(REASONS_SQL),
      ]);
  // One row per group, merged from the queries (a group may be missing from some of them).
  const merged = new Map<string, MetricsRow>();
  for (const part of parts as (GroupCols & Record<string, unknown>)[][]) {
    for (const r of part) {
      const k = keyOf(r);
      merged.set(k, { ...(merged.get(k) ?? {}), ...r } as MetricsRow);
    }
  }
  const rows = [...merged.values()].map((r) => ({ ...r, leads: r.enrolled ?? 0 }));
  const reasonsBy = new Map<string, { reason: string; count: number }[]>();
  for (const r of reasonRows) {
    const k = keyOf(r);
    reasonsBy.set(k, [...(reasonsBy.get(k) ?? []), { reason: r.reason, count: r.count }]);
  }
  const of = (r: MetricsRow) => metricsOf(r, reasonsBy.get(keyOf(r)) ?? []);
  const totalsRow = rows.find((r) => r.set === SET_TOTALS);
  const totals = totalsRow ? of(totalsRow) : emptyMetrics();
  const rate = totals.mqlToSql.rate;
  return {
    range: { from: q.from.toISOString(), to: q.to.toISOString(), tz: q.tz },
    filters: { campaignId: q.campaignId ?? null, source: q.source ?? null },
    benchmark: { mqlToSql: benchmark, met: rate === null ? null : rate >= benchmark },
    totals,
    byCampaign: rows
      .filter((r) => r.set === SET_CAMPAIGN)
      .map((r) => ({ campaignId: r.campaign_id as string, ...of(r) }))
      .sort((a, b) => b.mqls - a.mqls || b.leads - a.leads || a.campaignId.localeCompare(b.campaignId)),
    bySource: rows
      .filter((r) => r.set === SET_SOURCE)
      .map((r) => ({ source: r.source, utmSource: r.utm_source, utmMedium: r.utm_medium, utmCampaign: r.utm_campaign, ...of(r) }))
      .sort((a, b) => b.mqls - a.mqls || b.leads - a.leads || JSON.stringify([a.source, a.utmSource, a.utmMedium, a.utmCampaign]).localeCompare(JSON.stringify([b.source, b.utmSource, b.utmMedium, b.utmCampaign]))),
    weekly: rows
      .filter((r) => r.set === SET_WEEK)
      .map((r) => ({ week: r.week as string, ...of(r) }))
      .sort((a, b) => a.week.localeCompare(b.week)),
  };
}

/** The queries, for EXPLAIN and benchmarks. */
export const FUNNEL_SQL = {
  counts: COUNTS_SQL,
  enrolled: ENROLLED_SQL,
  handoffs: HANDOFFS_SQL,
  reasons: REASONS_SQL,
  rollup: ROLLUP_SQL,
  rollupReasons: ROLLUP_REASONS_SQL,
  rollupContactTimes: ROLLUP_CONTACT_TIMES_SQL,
} as const;
