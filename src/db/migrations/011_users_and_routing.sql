-- The user directory (PUT /v1/users/:email) and the state of routing at handoff
-- (src/routing/pick-owner.ts). Users are staff, not leads: erasure of a lead does not touch them.
CREATE TABLE IF NOT EXISTS users (
  email_normalized  text PRIMARY KEY,
  email             text NOT NULL,
  name              text NOT NULL,
  role              text NOT NULL CHECK (role IN ('sales', 'manager', 'marketing', 'ops')),
  team              text,
  time_zone         text,
  locale            text NOT NULL CHECK (locale IN ('ja', 'en')),
  -- Open handoffs (stages mql, working) the user may hold at once; null: no limit.
  capacity          int CHECK (capacity >= 0),
  -- [{ from, to }] as sent: ISO instants, or dates read in time_zone when the pick happens.
  out_of_office     jsonb NOT NULL DEFAULT '[]',
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);

-- Round-robin position per campaign and pool: the row lock of its upsert makes concurrent picks
-- take turns instead of reading the same position.
CREATE TABLE IF NOT EXISTS routing_counters (
  campaign_id  text NOT NULL,
  pool_id      text NOT NULL,
  next         bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (campaign_id, pool_id)
);

-- One row per pick, so that a retried activity answers the owner its first attempt chose (owner
-- null: nobody was available). Holds staff emails only; picks are small and never updated after.
CREATE TABLE IF NOT EXISTS routing_picks (
  pick_key   text PRIMARY KEY,
  owner      text,
  skipped    jsonb NOT NULL DEFAULT '[]',
  picked_at  timestamptz NOT NULL DEFAULT now()
);

-- Open handoffs per owner (capacity), counted at every pick: only leads with sales, found by the
-- owner as the directory keys it.
CREATE INDEX IF NOT EXISTS leads_open_owner_idx ON leads (lower(owner)) WHERE stage IN ('mql', 'working') AND owner IS NOT NULL;
