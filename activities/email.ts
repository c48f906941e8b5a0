// Outgoing email, at most once per idempotency key: claim a row in PostgreSQL, send over SMTP,
// record the outcome. A retried activity finds the row and does not send again.
import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from 'pg';
import type { MailTransport } from '../src/mail/transport';
import { singleLine } from '../src/mail/render';

export interface OutgoingEmail {
  key: string;
  leadId: string;
  kind: 'nurture' | 'owner' | 'escalation';
  to: string;
  subject: string;
  text: string;
  headers?: Record<string, string>;
}

export type DeliveryStatus = 'sent' | 'bounced' | 'unknown';

export interface MailDeps {
  pool: Pool;
  transport: MailTransport;
  from: string;
}

/** The Message-ID is derived from the key, so even a resend would be recognisable as the same message. */
export function messageIdFor(key: string): string {
  return `<${createHash('sha256').update(key).digest('hex').slice(0, 40)}@leadloop>`;
}

export async function deliverOnce(deps: MailDeps, mail: OutgoingEmail): Promise<DeliveryStatus> {
  const messageId = messageIdFor(mail.key);
  const subject = singleLine(mail.subject);
  await deps.pool.query(
    `INSERT INTO email_log (idempotency_key, lead_id, kind, recipient, subject, message_id, status)
     VALUES ($1, $2, $3, $4, $5, $6, 'pending') ON CONFLICT (idempotency_key) DO NOTHING`,
    [mail.key, mail.leadId, mail.kind, mail.to, subject, messageId],
  );
  // Take the row for this attempt; only 'pending' (never tried, or a definite SMTP refusal) may be sent.
  const claimed = await deps.pool.query<{ status: string }>(
    `UPDATE email_log SET status = 'sending', attempts = attempts + 1
      WHERE idempotency_key = $1 AND status = 'pending' RETURNING status`,
    [mail.key],
  );
  if (claimed.rowCount === 0) {
    const { rows } = await deps.pool.query<{ status: string }>('SELECT status FROM email_log WHERE idempotency_key = $1', [mail.key]);
    const status = rows[0]?.status;
    if (status === 'sent' || status === 'bounced') return status;
    // 'sending' left by an attempt that died inside the SMTP transaction: the server may or may not
    // have accepted it. Sending again could duplicate, so we settle for at-most-once and say so.
    await deps.pool.query(`UPDATE email_log SET status = 'skipped', error = 'outcome of an interrupted send is unknown; not resent' WHERE idempotency_key = $1`, [mail.key]);
    return 'unknown';
  }
  try {
    await deps.transport.sendMail({
      from: deps.from,
      to: mail.to,
      subject,
      text: mail.text,
      messageId,
      headers: mail.headers,
    });
  } catch (err) {
    const code = (err as { responseCode?: number }).responseCode;
    const message = (err as Error).message;
    if (code !== undefined && code >= 500) {
      await deps.pool.query(`UPDATE email_log SET status = 'bounced', error = $2 WHERE idempotency_key = $1`, [mail.key, message]);
      return 'bounced';
    }
    // The server refused (4xx) or could not be reached: nothing was delivered, so the next attempt may send.
    await deps.pool.query(`UPDATE email_log SET status = 'pending', error = $2 WHERE idempotency_key = $1`, [mail.key, message]);
    throw ApplicationFailure.retryable(`SMTP delivery to ${mail.kind} recipient failed${code ? ` (${code})` : ''}: ${message}`, 'SmtpTemporaryFailure');
  }
  await deps.pool.query(`UPDATE email_log SET status = 'sent', sent_at = now(), error = NULL WHERE idempotency_key = $1`, [mail.key]);
  return 'sent';
}
