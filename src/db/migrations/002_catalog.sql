-- Versioned campaigns and scoring models. Every PUT adds a row; rows are never updated, so a lead
-- keeps exactly the versions it enrolled with (leads.campaign_version, leads.scoring_model_version).
CREATE TABLE IF NOT EXISTS scoring_model_versions (
  model_id    text NOT NULL,
  version     integer NOT NULL CHECK (version >= 1),
  definition  jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (model_id, version)
);

CREATE TABLE IF NOT EXISTS campaign_versions (
  campaign_id       text NOT NULL,
  version           integer NOT NULL CHECK (version >= 1),
  name              text NOT NULL,
  scoring_model_id  text NOT NULL,
  -- { steps, recycleSteps? } and the handoff policy, as validated by src/schemas/campaign.ts
  definition        jsonb NOT NULL,
  policy            jsonb NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (campaign_id, version)
);

-- Versions are immutable: refuse UPDATE (DELETE stays possible for an operator cleaning up by hand).
CREATE OR REPLACE FUNCTION leadloop_refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% rows are immutable; store a new version instead', TG_TABLE_NAME;
END $$;
DROP TRIGGER IF EXISTS scoring_model_versions_immutable ON scoring_model_versions;
CREATE TRIGGER scoring_model_versions_immutable BEFORE UPDATE ON scoring_model_versions
  FOR EACH ROW EXECUTE FUNCTION leadloop_refuse_update();
DROP TRIGGER IF EXISTS campaign_versions_immutable ON campaign_versions;
CREATE TRIGGER campaign_versions_immutable BEFORE UPDATE ON campaign_versions
  FOR EACH ROW EXECUTE FUNCTION leadloop_refuse_update();

-- What remains of an erased person: anonymous counts only (no id, no address, day precision).
CREATE TABLE IF NOT EXISTS lead_erasures (
  erased_on       date NOT NULL,
  enrolled_on     date NOT NULL,
  campaign_id     text NOT NULL,
  stage           text NOT NULL,
  count           integer NOT NULL DEFAULT 0,
  PRIMARY KEY (erased_on, enrolled_on, campaign_id, stage)
);
