-- Shadow scoring: a campaign version may name a second scoring model that is computed beside the
-- primary one and never acted on; each lead records which shadow model version it runs (like its
-- primary model), so that GET /v1/reports/models compares the two on the same leads.
ALTER TABLE campaign_versions ADD COLUMN IF NOT EXISTS shadow_scoring_model_id text;
ALTER TABLE leads ADD COLUMN IF NOT EXISTS shadow_model_id text;
ALTER TABLE leads ADD COLUMN IF NOT EXISTS shadow_model_version integer;
-- The model comparison follows the MQLs of the shadow model (per lead and cycle) like the funnel follows MQLs.
CREATE INDEX IF NOT EXISTS lead_transitions_shadow_mql_idx ON lead_transitions (lead_id, cycle) WHERE reason = 'shadow_mql';
