-- Leads: one row per person. The normalized email is the identity (one person = one lead).
CREATE TABLE IF NOT EXISTS leads (
  lead_id           uuid PRIMARY KEY,
  email             text NOT NULL,
  email_normalized  text NOT NULL UNIQUE,
  name              text,
  company           text,
  title             text,
  attributes        jsonb NOT NULL DEFAULT '{}'::jsonb,
  source            text,
  utm               jsonb,
  campaign_id       text NOT NULL,
  campaign_version  integer NOT NULL,
  scoring_model_id  text NOT NULL,
  scoring_model_version integer NOT NULL,
  stage             text NOT NULL DEFAULT 'nurturing',
  owner             text,
  score             integer NOT NULL DEFAULT 0,
  unsubscribed_at   timestamptz,
  email_bounced_at  timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS leads_stage_idx ON leads (stage);
CREATE INDEX IF NOT EXISTS leads_owner_idx ON leads (owner) WHERE owner IS NOT NULL;

-- Append-only behaviour log. event_id is the idempotency key: a repeat is a duplicate, not a second event.
CREATE TABLE IF NOT EXISTS lead_events (
  event_id     text PRIMARY KEY,
  lead_id      uuid NOT NULL REFERENCES leads (lead_id) ON DELETE CASCADE,
  type         text NOT NULL,
  occurred_at  timestamptz NOT NULL,
  properties   jsonb NOT NULL DEFAULT '{}'::jsonb,
  received_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS lead_events_lead_idx ON lead_events (lead_id, occurred_at);

-- Every stage change, written by an idempotent activity keyed by (lead_id, seq).
CREATE TABLE IF NOT EXISTS lead_transitions (
  lead_id           uuid NOT NULL REFERENCES leads (lead_id) ON DELETE CASCADE,
  seq               integer NOT NULL,
  from_stage        text,
  to_stage          text NOT NULL,
  reason            text NOT NULL,
  cycle             integer NOT NULL,
  score             integer NOT NULL,
  owner             text,
  rep               text,
  rejection_reason  text,
  note              text,
  details           jsonb NOT NULL DEFAULT '{}'::jsonb,
  occurred_at       timestamptz NOT NULL,
  PRIMARY KEY (lead_id, seq)
);
CREATE INDEX IF NOT EXISTS lead_transitions_time_idx ON lead_transitions (occurred_at, to_stage);

-- Outgoing email, claimed before sending so that a retried activity never sends twice.
CREATE TABLE IF NOT EXISTS email_log (
  idempotency_key  text PRIMARY KEY,
  lead_id          uuid REFERENCES leads (lead_id) ON DELETE CASCADE,
  kind             text NOT NULL,
  recipient        text NOT NULL,
  subject          text NOT NULL,
  message_id       text NOT NULL,
  status           text NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'bounced')),
  error            text,
  attempts         integer NOT NULL DEFAULT 0,
  claimed_at       timestamptz NOT NULL DEFAULT now(),
  sent_at          timestamptz
);
CREATE INDEX IF NOT EXISTS email_log_lead_idx ON email_log (lead_id);
