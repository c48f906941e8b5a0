-- Pre-aggregated funnel (src/reports/funnel.ts, docs/reports.md). Scanning a year of transitions and
-- joining them to leads takes seconds at a million rows, so every insert into lead_transitions also
-- updates two small tables:
--   funnel_daily(_rejections)  counts per local day (in report_settings.time_zone) and campaign/source/UTM
--                    group, keyed by the day of the event that defines each metric (transition, enrolment, MQL);
--   funnel_handoffs  one row per MQL with its time to first contact, for the median and p90.
-- A report whose range starts and ends at local midnights in that zone reads these; any other range
-- or zone reads lead_transitions directly. Both give the same numbers (test/integration/funnel-rollup.test.ts).
-- Requires PostgreSQL 15+ (UNIQUE NULLS NOT DISTINCT).

CREATE TABLE IF NOT EXISTS report_settings (
  singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  time_zone  text NOT NULL DEFAULT 'UTC'
);
INSERT INTO report_settings DEFAULT VALUES ON CONFLICT DO NOTHING;

-- One row per local day and campaign/source/UTM group. Period counts are keyed by the transition's day;
-- became_mql by the enrolment's day; the MQL cohort (mql_to_sql … within_sla) by the MQL's day.
CREATE TABLE IF NOT EXISTS funnel_daily (
  day               date NOT NULL,
  campaign_id       text NOT NULL,
  source            text,
  utm_source        text,
  utm_medium        text,
  utm_campaign      text,
  enrolled          integer NOT NULL DEFAULT 0,
  mql               integer NOT NULL DEFAULT 0,
  contacted         integer NOT NULL DEFAULT 0,
  accepted          integer NOT NULL DEFAULT 0,
  sla_breached      integer NOT NULL DEFAULT 0,
  recycled          integer NOT NULL DEFAULT 0,
  disqualified      integer NOT NULL DEFAULT 0,
  became_mql        integer NOT NULL DEFAULT 0,
  mql_to_sql        integer NOT NULL DEFAULT 0,
  contacted_cohort  integer NOT NULL DEFAULT 0,
  sla_settled       integer NOT NULL DEFAULT 0,
  within_sla        integer NOT NULL DEFAULT 0,
  CONSTRAINT funnel_daily_key UNIQUE NULLS NOT DISTINCT (day, campaign_id, source, utm_source, utm_medium, utm_campaign)
);

-- Rejections and disqualifications by reason, keyed by the transition's day.
CREATE TABLE IF NOT EXISTS funnel_daily_rejections (
  day           date NOT NULL,
  campaign_id   text NOT NULL,
  source        text,
  utm_source    text,
  utm_medium    text,
  utm_campaign  text,
  reason        text NOT NULL,
  n             integer NOT NULL,
  CONSTRAINT funnel_daily_rejections_key UNIQUE NULLS NOT DISTINCT (day, campaign_id, source, utm_source, utm_medium, utm_campaign, reason)
);

CREATE TABLE IF NOT EXISTS funnel_handoffs (
  lead_id       uuid NOT NULL REFERENCES leads (lead_id) ON DELETE CASCADE,
  mql_seq       integer NOT NULL,
  mql_at        timestamptz NOT NULL,
  contact_s     double precision,
  campaign_id   text NOT NULL,
  source        text,
  utm_source    text,
  utm_medium    text,
  utm_campaign  text,
  PRIMARY KEY (lead_id, mql_seq)
);
CREATE INDEX IF NOT EXISTS funnel_handoffs_time_idx ON funnel_handoffs (mql_at) INCLUDE (contact_s, campaign_id, source);

-- Adds (+1) or removes (-1) what the transitions of the leads p_leads contribute:
--   mode 'add':    all their transitions, +1 (a chunk of a rebuild).
--   mode 'erase':  all their transitions, -1 (before the leads are deleted).
--   mode 'insert': their transitions now (+1) minus the same without the new rows (-1). Cohort metrics
--                  ("became MQL", "accepted after this MQL") depend on other rows of the same lead, so
--                  the delta is computed per lead rather than per row.
-- Every branch filters on lead_id = ANY (p_leads) so that the primary key's index serves it.
CREATE OR REPLACE FUNCTION funnel_apply(p_mode text, p_leads uuid[], p_new_leads uuid[], p_new_seqs integer[])
RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
  z text := (SELECT time_zone FROM report_settings);
BEGIN
  WITH newk AS (
    SELECT k.lead_id, k.seq FROM unnest(p_new_leads, p_new_seqs) AS k(lead_id, seq)
  ), src AS (
    SELECT t.lead_id, t.seq, t.cycle, t.reason, t.to_stage, t.rejection_reason, t.details, t.occurred_at, 1 AS side
      FROM lead_transitions t
     WHERE t.lead_id = ANY (p_leads) AND p_mode <> 'erase'
    UNION ALL
    SELECT t.lead_id, t.seq, t.cycle, t.reason, t.to_stage, t.rejection_reason, t.details, t.occurred_at, -1
      FROM lead_transitions t
     WHERE t.lead_id = ANY (p_leads)
       AND (p_mode = 'erase' OR (p_mode = 'insert' AND NOT EXISTS (SELECT 1 FROM newk k WHERE k.lead_id = t.lead_id AND k.seq = t.seq)))
  ), mql_leads AS (
    SELECT DISTINCT side, lead_id FROM src WHERE reason = 'mql'
  ), outcomes AS (
    SELECT side, lead_id, cycle,
           bool_or(reason = 'accepted') AS accepted,
           bool_or(reason = 'contacted') AS contacted,
           bool_or(reason = 'sla_expired') AS expired,
           COALESCE(bool_or((details->>'withinSla')::boolean) FILTER (WHERE reason = 'contacted'), false) AS within
      FROM src WHERE reason IN ('contacted', 'accepted', 'sla_expired')
     GROUP BY side, lead_id, cycle
  ), contrib AS (
    -- Period counts (the same reasons as the direct query in src/reports/funnel.ts).
    SELECT s.side, s.lead_id, s.occurred_at AS at, m.metric
      FROM src s
     CROSS JOIN LATERAL (VALUES
       (CASE WHEN s.reason IN ('enrolled', 'mql', 'contacted', 'accepted', 'sla_breached') THEN s.reason END),
       (CASE WHEN s.to_stage IN ('recycled', 'disqualified')
              AND s.reason IN ('enrolled', 'mql', 'contacted', 'accepted', 'sla_breached', 'disqualified', 'rejected', 'sla_expired', 'qualification_expired')
             THEN s.to_stage END)) m(metric)
     WHERE m.metric IS NOT NULL
    UNION ALL
    -- Enrolment cohort: the lead became an MQL at some point.
    SELECT e.side, e.lead_id, e.occurred_at, 'became_mql'
      FROM src e JOIN mql_leads q ON q.side = e.side AND q.lead_id = e.lead_id
     WHERE e.reason = 'enrolled'
    UNION ALL
    -- MQL cohort: what followed each MQL within its cycle.
    SELECT m.side, m.lead_id, m.occurred_at, o.metric
      FROM src m
      JOIN outcomes x ON x.side = m.side AND x.lead_id = m.lead_id AND x.cycle = m.cycle
     CROSS JOIN LATERAL (VALUES
       (CASE WHEN x.accepted THEN 'mql_to_sql' END),
       (CASE WHEN x.contacted THEN 'contacted_cohort' END),
       (CASE WHEN x.contacted OR x.expired THEN 'sla_settled' END),
       (CASE WHEN (x.contacted OR x.expired) AND x.within THEN 'within_sla' END)) o(metric)
     WHERE m.reason = 'mql' AND o.metric IS NOT NULL
  ), rejections AS (
    INSERT INTO funnel_daily_rejections AS d (day, campaign_id, source, utm_source, utm_medium, utm_campaign, reason, n)
    SELECT (s.occurred_at AT TIME ZONE z)::date, l.campaign_id, l.source, l.utm->>'source', l.utm->>'medium', l.utm->>'campaign',
           s.rejection_reason, sum(s.side)::int
      FROM src s JOIN leads l USING (lead_id)
     WHERE s.reason IN ('rejected', 'disqualified') AND s.rejection_reason IS NOT NULL
     GROUP BY 1, 2, 3, 4, 5, 6, 7
    HAVING sum(s.side) <> 0
     -- One order for every writer, so that two transactions bumping the same rows cannot deadlock.
     ORDER BY 1, 2, 3, 4, 5, 6, 7
    ON CONFLICT ON CONSTRAINT funnel_daily_rejections_key DO UPDATE SET n = d.n + EXCLUDED.n
  ), net AS (
    SELECT (c.at AT TIME ZONE z)::date AS day, l.campaign_id, l.source, l.utm->>'source' AS utm_source, l.utm->>'medium' AS utm_medium,
           l.utm->>'campaign' AS utm_campaign, c.metric, sum(c.side)::int AS n
      FROM contrib c JOIN leads l USING (lead_id)
     GROUP BY 1, 2, 3, 4, 5, 6, 7
    HAVING sum(c.side) <> 0
  )
  INSERT INTO funnel_daily AS d (day, campaign_id, source, utm_source, utm_medium, utm_campaign, enrolled, mql, contacted, accepted,
                                 sla_breached, recycled, disqualified, became_mql, mql_to_sql, contacted_cohort, sla_settled, within_sla)
  SELECT n.day, n.campaign_id, n.source, n.utm_source, n.utm_medium, n.utm_campaign,
         COALESCE(sum(n.n) FILTER (WHERE n.metric = 'enrolled'), 0),
         COALESCE(sum(n.n) FILTER (WHERE n.metric = 'mql'), 0),
         COALESCE(sum(n.n) FILTER (WHERE n.metric = 'contacted'), 0),
         COALESCE(sum(n.n) FILTER (WHERE n.metric = 'accepted'), 0),
         COALESCE(sum(n.n) FILTER (WHERE n.metric = 'sla_breached'), 0),
         COALESCE(sum(n.n) FILTER (WHERE n.metric = 'recycled'), 0),
         COALESCE(sum(n.n) FILTER (WHERE n.metric = 'disqualified'), 0),
         COALESCE(sum(n.n) FILTER (WHERE n.metric = 'became_mql'), 0),
         COALESCE(sum(n.n) FILTER (WHERE n.metric = 'mql_to_sql'), 0),
         COALESCE(sum(n.n) FILTER (WHERE n.metric = 'contacted_cohort'), 0),
         COALESCE(sum(n.n) FILTER (WHERE n.metric = 'sla_settled'), 0),
         COALESCE(sum(n.n) FILTER (WHERE n.metric = 'within_sla'), 0)
    FROM net n
   GROUP BY 1, 2, 3, 4, 5, 6
   ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT ON CONSTRAINT funnel_daily_key DO UPDATE SET
    enrolled = d.enrolled + EXCLUDED.enrolled, mql = d.mql + EXCLUDED.mql, contacted = d.contacted + EXCLUDED.contacted,
    accepted = d.accepted + EXCLUDED.accepted, sla_breached = d.sla_breached + EXCLUDED.sla_breached,
    recycled = d.recycled + EXCLUDED.recycled, disqualified = d.disqualified + EXCLUDED.disqualified,
    became_mql = d.became_mql + EXCLUDED.became_mql, mql_to_sql = d.mql_to_sql + EXCLUDED.mql_to_sql,
    contacted_cohort = d.contacted_cohort + EXCLUDED.contacted_cohort, sla_settled = d.sla_settled + EXCLUDED.sla_settled,
    within_sla = d.within_sla + EXCLUDED.within_sla;

  -- Handoff rows: recomputed for the leads concerned (erase leaves it to the foreign key's cascade).
  IF p_mode = 'insert' THEN
    DELETE FROM funnel_handoffs WHERE lead_id = ANY (p_leads);
  END IF;
  IF p_mode IN ('insert', 'add') THEN
    INSERT INTO funnel_handoffs (lead_id, mql_seq, mql_at, contact_s, campaign_id, source, utm_source, utm_medium, utm_campaign)
    SELECT m.lead_id, m.seq, m.occurred_at, extract(epoch FROM c.contacted_at - m.occurred_at)::double precision,
           l.campaign_id, l.source, l.utm->>'source', l.utm->>'medium', l.utm->>'campaign'
      FROM lead_transitions m
      JOIN leads l USING (lead_id)
      LEFT JOIN (SELECT lead_id, cycle, min(occurred_at) AS contacted_at
                   FROM lead_transitions
                  WHERE reason = 'contacted' AND lead_id = ANY (p_leads)
                  GROUP BY lead_id, cycle) c ON c.lead_id = m.lead_id AND c.cycle = m.cycle
     WHERE m.reason = 'mql' AND m.lead_id = ANY (p_leads);
  END IF;
END
$fn$;

-- Recomputes the tables from lead_transitions (after a change of report_settings.time_zone), in
-- chunks of leads so that each pass uses the indexes.
CREATE OR REPLACE FUNCTION funnel_rebuild() RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
  chunk uuid[];
BEGIN
  LOCK TABLE lead_transitions IN SHARE MODE;
  TRUNCATE funnel_daily, funnel_daily_rejections, funnel_handoffs;
  FOR chunk IN SELECT array_agg(lead_id) FROM (SELECT lead_id, (row_number() OVER (ORDER BY lead_id) - 1) / 5000 AS part FROM leads) p GROUP BY part LOOP
    PERFORM funnel_apply('add', chunk, NULL, NULL);
  END LOOP;
END
$fn$;

CREATE OR REPLACE FUNCTION funnel_on_transitions_insert() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  v_leads uuid[];
  v_new_leads uuid[];
  v_new_seqs integer[];
BEGIN
  SELECT array_agg(DISTINCT lead_id), NULL, NULL INTO v_leads FROM new_rows;
  IF v_leads IS NULL THEN
    RETURN NULL;
  END IF;
  SELECT array_agg(lead_id), array_agg(seq) INTO v_new_leads, v_new_seqs FROM new_rows;
  PERFORM funnel_apply('insert', v_leads, v_new_leads, v_new_seqs);
  RETURN NULL;
END
$fn$;

-- Statement level with a transition table: a retried activity's ON CONFLICT DO NOTHING inserts no row
-- and so changes nothing here; a bulk insert is handled in one pass.
DROP TRIGGER IF EXISTS funnel_transitions_insert ON lead_transitions;
CREATE TRIGGER funnel_transitions_insert AFTER INSERT ON lead_transitions
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION funnel_on_transitions_insert();

-- An erased lead leaves the counts (the funnel is about people who are still on record). BEFORE, so
-- that its transitions are still there to subtract.
CREATE OR REPLACE FUNCTION funnel_on_lead_delete() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM funnel_apply('erase', ARRAY[OLD.lead_id], NULL, NULL);
  RETURN OLD;
END
$fn$;
DROP TRIGGER IF EXISTS funnel_lead_delete ON leads;
CREATE TRIGGER funnel_lead_delete BEFORE DELETE ON leads FOR EACH ROW EXECUTE FUNCTION funnel_on_lead_delete();

SELECT funnel_rebuild();
