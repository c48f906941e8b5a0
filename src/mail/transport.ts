// The SMTP transport, with a hook at the moment the message's final "." has been handed to the
// connection: activities/email.ts records the email as sent right then, in the same tick, rather
// than after the server's 250 arrives, so that a worker killed while the server processes and
// answers does not send the message again on retry. The hook sits where nodemailer pipes the
// message into its socket, which is the TLS socket after STARTTLS or with smtps: it sees the
// plaintext on every kind of connection.
import { AsyncLocalStorage } from 'node:async_hooks';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import nodemailer, { type Transporter } from 'nodemailer';
import SMTPConnection from 'nodemailer/lib/smtp-connection';

export type MailTransport = Transporter;

export interface SmtpTlsOptions {
  /** SMTP_TLS_REJECT_UNAUTHORIZED: false only against a test server with a self-signed certificate. */
  rejectUnauthorized?: boolean;
  /** SMTP_CA_FILE: a PEM file of the CA(s) that sign the server's certificate, instead of the system's. */
  caFile?: string;
  /** SMTP_REQUIRE_TLS: never send over a connection that STARTTLS did not upgrade (smtp://). */
  requireTls?: boolean;
}

const END_OF_DATA = Buffer.from('\r\n.\r\n');
const dataSentHook = new AsyncLocalStorage<() => void>();

/**
 * Sends with `onDataSent` called synchronously right after the end-of-data marker was written to
 * the connection (plain TCP, STARTTLS or implicit TLS).
 */
export function sendMailWithHook(transport: MailTransport, message: Parameters<Transporter['sendMail']>[0], onDataSent: () => void) {
  return dataSentHook.run(onDataSent, () => transport.sendMail(message));
}

/** Calls `hook` once, in the same tick, after the bytes written so far end with CRLF "." CRLF. */
function watchEndOfData(socket: Socket, hook: () => void): void {
  let tail = Buffer.alloc(0);
  let fired = false;
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  socket.write = ((chunk: unknown, ...rest: unknown[]) => {
    const result = write(chunk, ...rest);
    if (!fired && (Buffer.isBuffer(chunk) || typeof chunk === 'string' || chunk instanceof Uint8Array)) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array);
      tail = Buffer.concat([tail, bytes]).subarray(-END_OF_DATA.length);
      if (tail.equals(END_OF_DATA)) {
        fired = true;
        hook();
      }
    }
    return result;
  }) as Socket['write'];
}

// nodemailer pipes the message into `this._socket` from _createSendStream, once the server said 354:
// by then `_socket` is whatever the session ended up on (TLS after STARTTLS). nodemailer is pinned
// (package.json); test/integration/email-tls.test.ts fails if this stops seeing the marker.
type WithSendStream = { _socket?: Socket; _createSendStream?: (...args: unknown[]) => unknown };
const connectionPrototype = (SMTPConnection as unknown as { prototype: WithSendStream }).prototype;
const createSendStream = connectionPrototype._createSendStream;
if (typeof createSendStream !== 'function') throw new Error('nodemailer SMTPConnection has no _createSendStream: the end-of-data hook cannot be installed');
connectionPrototype._createSendStream = function (this: WithSendStream, ...args: unknown[]) {
  const hook = dataSentHook.getStore();
  if (hook && this._socket) watchEndOfData(this._socket, hook);
  return createSendStream.apply(this, args);
};

export function createMailTransport(smtpUrl: string, tls: SmtpTlsOptions = {}): MailTransport {
  // Short timeouts: a hung SMTP server should fail the attempt so Temporal's retry policy takes over.
  return nodemailer.createTransport({
    url: smtpUrl,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    ...(tls.requireTls ? { requireTLS: true } : {}),
    tls: {
      ...(tls.rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
      ...(tls.caFile ? { ca: readFileSync(tls.caFile) } : {}),
    },
  } as Parameters<typeof nodemailer.createTransport>[0]);
}
