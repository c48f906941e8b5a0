import nodemailer, { type Transporter } from 'nodemailer';

export type MailTransport = Transporter;

export function createMailTransport(smtpUrl: string): MailTransport {
  // Short timeouts: a hung SMTP server should fail the attempt so Temporal's retry policy takes over.
  return nodemailer.createTransport(smtpUrl, {
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  } as Parameters<typeof nodemailer.createTransport>[1]);
}
