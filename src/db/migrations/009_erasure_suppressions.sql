-- Erased people are not emailed again: a keyed hash of the normalized email (never the address)
-- blocks a re-import or re-enrolment until the request says consent was renewed
-- (src/leads/store/suppressions.ts, docs/api.md "Erase").
CREATE TABLE IF NOT EXISTS lead_suppressions (
  email_hash     text PRIMARY KEY,
  suppressed_on  date NOT NULL DEFAULT current_date,
  reason         text NOT NULL DEFAULT 'erased'
);

-- The hash key: random per installation, so that the table alone cannot be matched against a list
-- of known addresses with a plain hash. Written once; never rotated (old hashes would stop matching).
CREATE TABLE IF NOT EXISTS installation_keys (
  name   text PRIMARY KEY,
  value  text NOT NULL
);
INSERT INTO installation_keys (name, value)
VALUES ('suppression', replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''))
ON CONFLICT (name) DO NOTHING;
