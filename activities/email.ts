// Outgoing email, at most once per idempotency key: claim a row in PostgreSQL, send over SMTP,
// record the outcome. A retried activity finds the row and does not send again.
import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from 'pg';
import { withTransaction } from '../src/db/transaction';
import { classifySmtpFailure, smtpFailureType } from '../src/mail/smtp-failure';
import { sendMailWithHook, type MailTransport } from '../src/mail/transport';
import { singleLine } from '../src/mail/render';
import { currentActivity, isFinalAttempt } from './context';

export interface OutgoingEmail {
  key: string;
  leadId: string;
  kind: 'nurture' | 'owner' | 'escalation';
  to: string;
  subject: string;
  text: string;
  /** Optional HTML alternative of `text`. */
  html?: string;
  headers?: Record<string, string>;
}

/** 'unknown': the server may have the message, its answer was lost; never sent again. */
export type DeliveryStatus = 'sent' | 'bounced' | 'unknown';

export interface MailDeps {
  pool: Pool;
  transport: MailTransport;
  from: string;
}

const ADDRESS = /[^\s<>()[\]"',;:]+@[^\s<>()[\]"',;:]+/g;

/** SMTP replies often quote the recipient; the error goes to logs and workflow history, the address must not. */
export function withoutAddresses(message: string): string {
  return message.replace(ADDRESS, '<address>');
}

/** The Message-ID is derived from the key, so even a resend would be recognisable as the same message. */
export function messageIdFor(key: string): string {
  return `<${createHash('sha256').update(key).digest('hex').slice(0, 40)}@leadloop>`;
}

// One row per kind, all time: what leadloop_email_failures_total and /readyz (ops) read.
const COUNT_FAILURE = `
  INSERT INTO email_failure_counts (kind, failures, last_at, last_error) VALUES ($1, 1, now(), $2)
  ON CONFLICT (kind) DO UPDATE SET failures = email_failure_counts.failures + 1, last_at = now(), last_error = $2`;

/** Best effort: a failure to count must not hide the SMTP failure being reported. */
async function countFailure(db: Pick<Pool, 'query'>, kind: string, error: string): Promise<void> {
  await db.query(COUNT_FAILURE, [kind, error.slice(0, 500)]).catch(() => {});
}

/** Where a delivery ended; 'unknown': the server may have the message, so it is never sent again. */
type Outcome = 'sent' | 'unknown' | 'bounced' | 'pending' | 'failed';

// The claim's row rewritten with the outcome, in (or right after) the claim's transaction.
const UPDATE_OUTCOME = `
  UPDATE email_log SET status = $2, error = $3, failure_kind = $4,
         sent_at = CASE WHEN $2 IN ('sent', 'unknown') THEN sent_at END,
         failed_at = CASE WHEN $2 <> 'sent' THEN now() END
   WHERE idempotency_key = $1`;

// The same on another connection, when the claim's COMMIT failed: the claim may be in the table or
// not. A newer attempt's row (more attempts) is left alone.
const RECORD_OUTCOME = `
  INSERT INTO email_log (idempotency_key, lead_id, kind, recipient, subject, message_id, status, attempts, sent_at, error, failure_kind, failed_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CASE WHEN $7 IN ('sent', 'unknown') THEN now() END, $9, $10, CASE WHEN $7 <> 'sent' THEN now() END)
  ON CONFLICT (idempotency_key) DO UPDATE SET status = EXCLUDED.status, attempts = EXCLUDED.attempts, sent_at = EXCLUDED.sent_at,
         error = EXCLUDED.error, failure_kind = EXCLUDED.failure_kind, failed_at = EXCLUDED.failed_at
   WHERE email_log.attempts <= EXCLUDED.attempts`;

// About 20 s: a PostgreSQL restart, within the activity's start-to-close timeout.
const SECOND_WRITE_TRIES = 10;
const SECOND_WRITE_PAUSE_MS = 2_000;

/**
 * Sends `mail` unless an email with the same key was already sent, bounced or may have been sent
 * ('unknown'). The key's row stays locked in an open transaction until the message's final "." is
 * on the wire:
 * - a concurrent attempt (an activity retried after a timeout) waits, then sees 'sent' and returns;
 * - a worker killed mid-conversation rolls the claim back with its connection, and the SMTP server
 *   discards a message whose DATA never completed, so the retry sends it: nothing lost, none twice.
 * The record is committed as the final "." is written (src/mail/transport.ts; plain, STARTTLS and
 * smtps alike), so a kill while the server answers does not resend. If PostgreSQL fails that
 * COMMIT, the outcome is written on another connection (retried for a few seconds) rather than
 * left for a retry to resend. A connection lost after the "." and before the answer leaves the
 * outcome open: recorded as 'unknown', never resent. What SMTP leaves open (docs/reliability.md):
 * a server that refuses the message after its "." while the worker dies leaves it recorded as sent.
 * Only a permanent refusal of the recipient is a bounce (src/mail/smtp-failure.ts); any other
 * failure is recorded on the row (kind, time), counted, and retried by Temporal.
 */
export async function deliverOnce(deps: MailDeps, mail: OutgoingEmail): Promise<DeliveryStatus> {
  const messageId = messageIdFor(mail.key);
  const subject = singleLine(mail.subject);
  const db = await deps.pool.connect();
  let failure: unknown;
  let connectionBroken = false;
  let released = false;
  // A connection whose transaction state is unknown is not given back to the pool.
  const release = (destroy: boolean) => {
    if (!released) db.release(destroy);
    released = true;
  };
  try {
    await db.query('BEGIN');
    // One statement claims the key: a new row, or one a failed attempt left 'pending' or 'failed',
    // becomes 'sent' (uncommitted). A row already sent, bounced or unknown is left alone and returns
    // nothing. Either way the row stays locked until this transaction ends, so a concurrent attempt
    // waits here, then sees the outcome. The COMMIT is written in the same tick as the message's
    // final "." (src/mail/transport.ts), before the server has even read it: a worker killed before
    // that point has not sent the message (the server drops an unfinished one), a worker killed
    // after it has its record. A refusal rewrites the row, committed or not.
    const claim = await db.query<{ attempts: number }>(
      `INSERT INTO email_log (idempotency_key, lead_id, kind, recipient, subject, message_id, status, attempts, sent_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'sent', 1, now())
       ON CONFLICT (idempotency_key) DO UPDATE SET status = 'sent', attempts = email_log.attempts + 1, sent_at = now(), error = NULL, failure_kind = NULL, failed_at = NULL
        WHERE email_log.status NOT IN ('sent', 'bounced', 'unknown')
       RETURNING attempts`,
      [mail.key, mail.leadId, mail.kind, mail.to, subject, messageId],
    );
    if (claim.rowCount === 0) {
      const { rows } = await db.query<{ status: DeliveryStatus }>('SELECT status FROM email_log WHERE idempotency_key = $1', [mail.key]);
      await db.query('COMMIT');
      return rows[0]!.status;
    }
    const attempts = claim.rows[0]!.attempts;
    let committed: Promise<unknown> | null = null;
    let endOfDataWritten = false;
    const commit = () => (committed ??= db.query('COMMIT'));

    let sendError: unknown = null;
    try {
      const message = { from: deps.from, to: mail.to, subject, text: mail.text, ...(mail.html ? { html: mail.html } : {}), messageId, headers: mail.headers };
      await sendMailWithHook(deps.transport, message, () => {
        endOfDataWritten = true;
        void commit().catch(() => {});
      });
    } catch (err) {
      sendError = err;
    }

    /** Writes the outcome; false when neither the claim's connection nor a second one could. */
    const record = async (outcome: Outcome, error: string | null, failureKind: string | null): Promise<boolean> => {
      try {
        if (!committed) {
          if (outcome !== 'sent') await db.query(UPDATE_OUTCOME, [mail.key, outcome, error, failureKind]);
          await commit();
        } else {
          await committed;
          if (outcome !== 'sent') await db.query(UPDATE_OUTCOME, [mail.key, outcome, error, failureKind]);
        }
        return true;
      } catch {
        // PostgreSQL failed the COMMIT (restarted, connection cut): write it on another connection,
        // after giving this one up (many deliveries failing at once must not exhaust the pool).
        connectionBroken = true;
        release(true);
        return recordOnAnotherConnection(deps.pool, [mail.key, mail.leadId, mail.kind, mail.to, subject, messageId, outcome, attempts, error, failureKind]);
      }
    };

    if (sendError === null) {
      if (!(await record('sent', null, null))) {
        // Delivered, and no way to say so: not retried, so that it is not delivered twice.
        throw ApplicationFailure.nonRetryable(`the ${mail.kind} email was delivered but PostgreSQL could not record it`, 'EmailOutcomeUnrecorded');
      }
      return 'sent';
    }
    const code = (sendError as { responseCode?: number }).responseCode;
    const message = withoutAddresses((sendError as Error).message ?? String(sendError));
    if (endOfDataWritten && code === undefined) {
      // The whole message went out and the connection failed before the answer: the server may
      // have it. Never sent again (at most once); ops see it as 'unknown'.
      const ok = await record('unknown', message, 'connection');
      currentActivity()?.log.warn('SMTP outcome unknown: not resent', { emailKind: mail.kind, recorded: ok, error: message });
      if (!ok) throw ApplicationFailure.nonRetryable(`the ${mail.kind} email may have been delivered and PostgreSQL could not record it`, 'EmailOutcomeUnrecorded');
      return 'unknown';
    }
    const classified = classifySmtpFailure(sendError);
    // The claim's connection while it is usable: a second one per delivery could exhaust the pool.
    const counter = () => (connectionBroken ? deps.pool : db);
    if (classified.bounce) {
      await record('bounced', message, null);
      await countFailure(counter(), 'bounce', message);
      return 'bounced';
    }
    // Not the recipient's fault (credentials, sender, policy, size, network): nothing was
    // delivered, so a later attempt may send. The last attempt's failure is final: 'failed'.
    const status = isFinalAttempt() ? 'failed' : 'pending';
    await record(status, message, classified.kind);
    await countFailure(counter(), classified.kind, message);
    currentActivity()?.log.warn('SMTP delivery failed', { emailKind: mail.kind, failureKind: classified.kind, status, responseCode: code, error: message });
    throw ApplicationFailure.retryable(`SMTP delivery of the ${mail.kind} email failed (${classified.kind}${code ? `, ${code}` : ''}): ${message}`, smtpFailureType(classified.kind));
  } catch (err) {
    failure = err;
    if (!released) await db.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    release(connectionBroken || (failure !== undefined && !(failure instanceof ApplicationFailure)));
  }
}

/** RECORD_OUTCOME with a short lock wait, a few times over a few seconds (PostgreSQL may be restarting). */
async function recordOnAnotherConnection(pool: Pool, params: unknown[]): Promise<boolean> {
  for (let attempt = 1; attempt <= SECOND_WRITE_TRIES; attempt++) {
    try {
      await withTransaction(pool, async (db) => {
        await db.query("SET LOCAL lock_timeout = '5s'");
        await db.query(RECORD_OUTCOME, params);
      });
      return true;
    } catch {
      if (attempt < SECOND_WRITE_TRIES) await new Promise((r) => setTimeout(r, SECOND_WRITE_PAUSE_MS));
    }
  }
  return false;
}
