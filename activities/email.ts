// Outgoing email, at most once per idempotency key: claim a row in PostgreSQL, send over SMTP,
// record the outcome. A retried activity finds the row and does not send again.
import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Pool, PoolClient } from 'pg';
import { classifySmtpFailure, smtpFailureType } from '../src/mail/smtp-failure';
import { sendMailWithHook, type MailTransport } from '../src/mail/transport';
import { singleLine } from '../src/mail/render';

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

export type DeliveryStatus = 'sent' | 'bounced';

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

/** The running activity's context, or null when called directly (tests, scripts). */
function currentActivity(): Context | null {
  try {
    return Context.current();
  } catch {
    return null;
  }
}

/** Whether Temporal will not retry this attempt: its failure is then the email's final outcome. */
function isFinalAttempt(): boolean {
  const info = currentActivity()?.info;
  const max = info?.retryPolicy?.maximumAttempts;
  return !!info && !!max && info.attempt >= max;
}

// One row per kind, all time: what leadloop_email_failures_total and /readyz (ops) read.
const COUNT_FAILURE = `
  INSERT INTO email_failure_counts (kind, failures, last_at, last_error) VALUES ($1, 1, now(), $2)
  ON CONFLICT (kind) DO UPDATE SET failures = email_failure_counts.failures + 1, last_at = now(), last_error = $2`;

/** Best effort: a failure to count must not hide the SMTP failure being reported. */
async function countFailure(db: PoolClient, kind: string, error: string): Promise<void> {
  await db.query(COUNT_FAILURE, [kind, error.slice(0, 500)]).catch(() => {});
}

/**
 * Sends `mail` unless an email with the same key was already sent or bounced. The key's row stays
 * locked in an open transaction until the message's final "." is on the wire:
 * - a concurrent attempt (an activity retried after a timeout) waits, then sees 'sent' and returns;
 * - a worker killed mid-conversation rolls the claim back with its connection, and the SMTP server
 *   discards a message whose DATA never completed, so the retry sends it: nothing lost, none twice.
 * The record is committed as the final "." is written (see below), so a kill while the server
 * answers does not resend. What SMTP leaves open (docs/reliability.md): a server that refuses the
 * message after its "." while the worker dies leaves it recorded as sent; PostgreSQL failing the
 * COMMIT at that instant, or a TLS connection (no hook), resends it, with the same Message-ID.
 * Only a permanent refusal of the recipient is a bounce (src/mail/smtp-failure.ts); any other
 * failure is recorded on the row (kind, time), counted, and retried by Temporal.
 */
export async function deliverOnce(deps: MailDeps, mail: OutgoingEmail): Promise<DeliveryStatus> {
  const messageId = messageIdFor(mail.key);
  const subject = singleLine(mail.subject);
  const db = await deps.pool.connect();
  let failure: unknown;
  try {
    await db.query('BEGIN');
    // One statement claims the key: a new row, or one a failed attempt left 'pending', becomes 'sent'
    // (uncommitted). A row already sent or bounced is left alone and returns nothing. Either way the
    // row stays locked until this transaction ends, so a concurrent attempt waits here, then sees the
    // outcome. The COMMIT is written in the same tick as the message's final "."
    // (src/mail/transport.ts), before the server has even read it: a worker killed before that point
    // has not sent the message (the server drops an unfinished one), a worker killed after it has its
    // record. Over TLS the hook cannot see the "." and the COMMIT follows the server's 250 instead.
    // A refusal rewrites the row, committed or not.
    const claim = await db.query(
      `INSERT INTO email_log (idempotency_key, lead_id, kind, recipient, subject, message_id, status, attempts, sent_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'sent', 1, now())
       ON CONFLICT (idempotency_key) DO UPDATE SET status = 'sent', attempts = email_log.attempts + 1, sent_at = now(), error = NULL, failure_kind = NULL, failed_at = NULL
        WHERE email_log.status NOT IN ('sent', 'bounced')
       RETURNING status`,
      [mail.key, mail.leadId, mail.kind, mail.to, subject, messageId],
    );
    if (claim.rowCount === 0) {
      const { rows } = await db.query<{ status: DeliveryStatus }>('SELECT status FROM email_log WHERE idempotency_key = $1', [mail.key]);
      await db.query('COMMIT');
      return rows[0]!.status;
    }
    let committed: Promise<unknown> | null = null;
    const commit = () => (committed ??= db.query('COMMIT'));
    const settle = async (sql: string, params: unknown[]) => {
      if (committed) {
        await committed;
        await db.query(sql, params);
      } else {
        await db.query(sql, params);
        await commit();
      }
    };
    try {
      const message = { from: deps.from, to: mail.to, subject, text: mail.text, ...(mail.html ? { html: mail.html } : {}), messageId, headers: mail.headers };
      await sendMailWithHook(deps.transport, message, () => void commit().catch(() => {}));
    } catch (err) {
      const code = (err as { responseCode?: number }).responseCode;
      const message = withoutAddresses((err as Error).message);
      const failure = classifySmtpFailure(err);
      if (failure.bounce) {
        await settle(`UPDATE email_log SET status = 'bounced', sent_at = NULL, failed_at = now(), failure_kind = NULL, error = $2 WHERE idempotency_key = $1`, [mail.key, message]);
        await countFailure(db, 'bounce', message);
        return 'bounced';
      }
      // Not the recipient's fault (credentials, sender, policy, size, network): nothing was
      // delivered, so a later attempt may send. The last attempt's failure is final: 'failed'.
      const status = isFinalAttempt() ? 'failed' : 'pending';
      await settle(`UPDATE email_log SET status = $3, sent_at = NULL, failed_at = now(), failure_kind = $4, error = $2 WHERE idempotency_key = $1`, [mail.key, message, status, failure.kind]);
      await countFailure(db, failure.kind, message);
      currentActivity()?.log.warn('SMTP delivery failed', { emailKind: mail.kind, failureKind: failure.kind, status, responseCode: code, error: message });
      throw ApplicationFailure.retryable(`SMTP delivery of the ${mail.kind} email failed (${failure.kind}${code ? `, ${code}` : ''}): ${message}`, smtpFailureType(failure.kind));
    }
    await commit();
    return 'sent';
  } catch (err) {
    failure = err;
    await db.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    // A connection whose transaction state is unknown is not given back to the pool.
    db.release(failure instanceof ApplicationFailure ? undefined : (failure as Error | undefined));
  }
}
