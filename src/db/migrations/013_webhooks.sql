-- Signed webhooks to the CRM (Standard Webhooks): subscriptions (POST /v1/webhooks) and one row per
-- event and subscription, delivered in order per lead by the lead's delivery workflow
-- (workflows/webhook-delivery.ts). docs/api.md, "Webhooks".
CREATE TABLE IF NOT EXISTS webhook_subscriptions (
  subscription_id  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  url              text NOT NULL,
  events           text[] NOT NULL,
  description      text,
  -- whsec_…: kept as given out, because every delivery is signed with it.
  secret           text NOT NULL,
  status           text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  disabled_reason  text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  disabled_at      timestamptz
);

-- No foreign key to leads: erasure deletes the lead, and its scrubbed deliveries and its lead.erased
-- must still go out. A deleted subscription takes its deliveries with it (nothing could sign them).
CREATE TABLE IF NOT EXISTS webhook_deliveries (
  delivery_id       bigserial PRIMARY KEY,
  subscription_id   uuid NOT NULL REFERENCES webhook_subscriptions (subscription_id) ON DELETE CASCADE,
  lead_id           uuid NOT NULL,
  -- The transition's seq, or 'erased': with the subscription, what makes a retried record a no-op.
  event_key         text NOT NULL,
  -- Order within the lead; null (lead.erased) comes last.
  seq               integer,
  event_type        text NOT NULL,
  -- The webhook-id header: the same for every attempt, so receivers can deduplicate.
  webhook_id        text NOT NULL UNIQUE,
  payload           jsonb NOT NULL,
  status            text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed', 'disabled')),
  attempts          integer NOT NULL DEFAULT 0,
  last_status_code  integer,
  last_error        text,
  created_at        timestamptz NOT NULL DEFAULT now(),
  last_attempt_at   timestamptz,
  delivered_at      timestamptz,
  UNIQUE (subscription_id, lead_id, event_key)
);
CREATE INDEX IF NOT EXISTS webhook_deliveries_pending_idx ON webhook_deliveries (lead_id, seq) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS webhook_deliveries_lead_idx ON webhook_deliveries (lead_id);
CREATE INDEX IF NOT EXISTS webhook_deliveries_list_idx ON webhook_deliveries (subscription_id, delivery_id);
