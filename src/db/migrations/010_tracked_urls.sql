-- Click destinations too long to embed in a click token (src/mail/tokens.ts): the token carries the
-- URL's hash, the URL is kept here. Written by the email activity before the email is sent (insert
-- if absent, so retries are harmless). Only links written in campaign templates are ever tracked,
-- so rows hold no lead data and outlive erasure; they are small and never updated.
CREATE TABLE IF NOT EXISTS tracked_urls (
  url_hash    text PRIMARY KEY,
  url         text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
