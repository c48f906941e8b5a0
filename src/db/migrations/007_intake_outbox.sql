-- Intake as an outbox: a lead row is stored first, its workflow started after. workflow_started_at
-- stays NULL until the start succeeded, so a start that never happened (Temporal down, an import
-- interrupted) is found and made by the start relay (src/leads/start-relay.ts, run by every worker).
-- Rows that existed before this migration had their workflow started at enrolment: the default marks them.
ALTER TABLE leads ADD COLUMN IF NOT EXISTS workflow_started_at timestamptz DEFAULT now();
CREATE INDEX IF NOT EXISTS leads_unstarted_idx ON leads (created_at) WHERE workflow_started_at IS NULL;
