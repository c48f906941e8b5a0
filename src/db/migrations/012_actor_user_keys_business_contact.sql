-- Issue 21's actor and user keys; issue 20's business-time speed to lead in the funnel rollup.

-- Who caused a transition: a user's email, or service:<role> for a role key of API_KEYS; null for the
-- workflow's own transitions (a score crossing the threshold, a timer).
ALTER TABLE lead_transitions ADD COLUMN IF NOT EXISTS actor text;

-- A user's API keys (POST /v1/users/:email/keys). Only a SHA-256 digest of the secret is kept; the key
-- carries the user's role at the time of each request, so a change of role applies at once.
CREATE TABLE IF NOT EXISTS user_api_keys (
  key_id            text PRIMARY KEY,
  email_normalized  text NOT NULL REFERENCES users (email_normalized) ON DELETE CASCADE,
  digest            bytea NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  revoked_at        timestamptz
);
CREATE INDEX IF NOT EXISTS user_api_keys_user_idx ON user_api_keys (email_normalized);

-- Old routing picks are pruned a few at a time by each new pick (src/routing/store.ts).
CREATE INDEX IF NOT EXISTS routing_picks_age_idx ON routing_picks (picked_at);

-- Time to first contact in business time, when the contacted transition says it (details.businessSeconds,
-- set when the campaign's policy has businessHours); contact_business tells the report which clock.
ALTER TABLE funnel_handoffs ADD COLUMN IF NOT EXISTS contact_business boolean NOT NULL DEFAULT false;

-- 004's funnel_apply, with the handoff rows taking the first contact's business seconds when present.
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
    INSERT INTO funnel_handoffs (lead_id, mql_seq, mql_at, contact_s, contact_business, campaign_id, source, utm_source, utm_medium, utm_campaign)
    SELECT m.lead_id, m.seq, m.occurred_at,
           COALESCE(c.business_s, extract(epoch FROM c.contacted_at - m.occurred_at)::double precision),
           c.business_s IS NOT NULL,
           l.campaign_id, l.source, l.utm->>'source', l.utm->>'medium', l.utm->>'campaign'
      FROM lead_transitions m
      JOIN leads l USING (lead_id)
      LEFT JOIN (SELECT lead_id, cycle, min(occurred_at) AS contacted_at,
                        (array_agg((details->>'businessSeconds')::double precision ORDER BY seq))[1] AS business_s
                   FROM lead_transitions
                  WHERE reason = 'contacted' AND lead_id = ANY (p_leads)
                  GROUP BY lead_id, cycle) c ON c.lead_id = m.lead_id AND c.cycle = m.cycle
     WHERE m.reason = 'mql' AND m.lead_id = ANY (p_leads);
  END IF;
END
$fn$;
