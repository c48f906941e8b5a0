-- Funnel and SLA reports (src/reports). lead_transitions is the source of truth for stage changes.
-- Period counts scan transitions of one reason in a time range; cohort metrics then look up the
-- transitions of the same lead and cycle (contacted / accepted after an MQL).
CREATE INDEX IF NOT EXISTS lead_transitions_reason_time_idx
  ON lead_transitions (reason, occurred_at) INCLUDE (lead_id, cycle);
CREATE INDEX IF NOT EXISTS lead_transitions_lead_cycle_idx
  ON lead_transitions (lead_id, cycle, reason) INCLUDE (occurred_at);
-- Filters and splits of the funnel, and the SLA board (leads in stage mql).
CREATE INDEX IF NOT EXISTS leads_campaign_idx ON leads (campaign_id);
CREATE INDEX IF NOT EXISTS leads_source_idx ON leads (source);
