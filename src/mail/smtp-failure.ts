// What an SMTP failure means for the email. Only a permanent refusal of this recipient is a bounce
// (it flags the lead for good); a refusal of our credentials, our sender, our message's size, a
// policy of the relay, or the network says nothing about the recipient: retried and reported.

/** Why a delivery failed without being a bounce: the `kind` label of leadloop_email_failures_total. */
export type SmtpFailureKind = 'auth' | 'sender' | 'policy' | 'size' | 'temporary' | 'connection' | 'tls' | 'protocol';

export const SMTP_FAILURE_KINDS: readonly SmtpFailureKind[] = ['auth', 'sender', 'policy', 'size', 'temporary', 'connection', 'tls', 'protocol'];

export type SmtpFailure = { bounce: true } | { bounce: false; kind: SmtpFailureKind };

/** The fields nodemailer puts on its errors (smtp-connection's _formatError). */
interface SmtpErrorFields {
  code?: string;
  command?: string;
  responseCode?: number;
  response?: string;
}

/** The enhanced status code (RFC 3463) of a reply such as "550 5.1.1 no such user", or null. */
export function enhancedStatus(response: string | undefined): { klass: number; subject: number; detail: number } | null {
  const match = /^\d{3}[ -]([245])\.(\d{1,3})\.(\d{1,3})\b/.exec(response ?? '');
  return match ? { klass: Number(match[1]), subject: Number(match[2]), detail: Number(match[3]) } : null;
}

/**
 * Classifies a failed send. A bounce is a 5xx reply about the recipient's mailbox: at RCPT TO (unless
 * its enhanced code says policy, size or another non-recipient reason), or anywhere after the
 * envelope with an enhanced code 5.1.x/5.2.x (addressing or mailbox status), except the codes that
 * are about the sender (5.1.7, 5.1.8) or the message's size (5.2.3).
 */
export function classifySmtpFailure(err: unknown): SmtpFailure {
  const e = (err ?? {}) as SmtpErrorFields;
  const code = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const command = (e.command ?? '').toUpperCase();
  const status = enhancedStatus(e.response);
  const aboutSender = status?.subject === 1 && (status.detail === 7 || status.detail === 8);
  // 552 alone is "exceeded storage allocation" (a size limit in practice); with 5.2.2 it is a full mailbox.
  const aboutSize = (code === 552 && status === null) || (status?.subject === 2 && status.detail === 3) || (status?.subject === 3 && status.detail === 4);
  const aboutMailbox = status !== null && status.klass === 5 && (status.subject === 1 || status.subject === 2) && !aboutSender && !aboutSize;

  if (e.code === 'EAUTH' || command.startsWith('AUTH') || code === 530 || code === 534 || code === 535 || code === 538) return { bounce: false, kind: 'auth' };
  if (e.code === 'ETLS' || e.code === 'EREQUIRETLS' || command === 'STARTTLS') return { bounce: false, kind: 'tls' };
  if (code === undefined) return { bounce: false, kind: e.code === 'EMESSAGE' && command === 'MAIL FROM' ? 'size' : e.code === 'EPROTOCOL' ? 'protocol' : 'connection' };
  if (code < 500) return { bounce: false, kind: 'temporary' };
  if (command === 'MAIL FROM' || command === 'CONN' || command === 'EHLO' || command === 'HELO') {
    return { bounce: false, kind: aboutSize ? 'size' : command === 'MAIL FROM' ? 'sender' : 'policy' };
  }
  if (command === 'RCPT TO') {
    if (aboutSize) return { bounce: false, kind: 'size' };
    if (aboutSender) return { bounce: false, kind: 'sender' };
    // Without an enhanced code, 550/551/553 name the mailbox; 554 at RCPT is a relay's "no".
    if (status === null) return code === 550 || code === 551 || code === 553 ? { bounce: true } : { bounce: false, kind: code === 554 ? 'policy' : 'protocol' };
    return aboutMailbox ? { bounce: true } : { bounce: false, kind: status.subject === 5 ? 'protocol' : 'policy' };
  }
  if (aboutMailbox) return { bounce: true };
  if (aboutSize) return { bounce: false, kind: 'size' };
  return { bounce: false, kind: code >= 500 && code <= 504 && status === null ? 'protocol' : 'policy' };
}

/** The ApplicationFailure type a non-bounce failure is reported with: it names the kind. */
export function smtpFailureType(kind: SmtpFailureKind): string {
  return `Smtp${kind[0]!.toUpperCase()}${kind.slice(1)}Failure`;
}
