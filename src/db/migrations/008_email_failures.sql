-- Only a recipient's permanent refusal is a bounce; every other SMTP failure is retried and
-- reported. 'failed': the email's retries ran out (owner and escalation emails then show on the
-- lead and the SLA board). 'unknown': the server may have the message but its outcome could not be
-- recorded in the claim's transaction (activities/email.ts): never sent again.
-- failure_kind/failed_at: the last failure (src/mail/smtp-failure.ts).
ALTER TABLE email_log DROP CONSTRAINT IF EXISTS email_log_status_check;
ALTER TABLE email_log ADD CONSTRAINT email_log_status_check CHECK (status IN ('pending', 'sending', 'sent', 'bounced', 'failed', 'unknown'));
ALTER TABLE email_log ADD COLUMN IF NOT EXISTS failure_kind text;
ALTER TABLE email_log ADD COLUMN IF NOT EXISTS failed_at timestamptz;

-- Failures by kind, all time (leadloop_email_failures_total, /readyz detail for ops). No lead data:
-- the last error has its addresses replaced.
CREATE TABLE IF NOT EXISTS email_failure_counts (
  kind        text PRIMARY KEY,
  failures    bigint NOT NULL DEFAULT 0,
  last_at     timestamptz NOT NULL DEFAULT now(),
  last_error  text
);
