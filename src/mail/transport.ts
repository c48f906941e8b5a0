// The SMTP transport, with a hook at the moment the message's final "." has been handed to the
// socket: activities/email.ts records the email as sent right then, in the same tick, rather than
// after the server's 250 arrives, so that a worker killed while the server processes and answers
// does not send the message again on retry.
import { AsyncLocalStorage } from 'node:async_hooks';
import { connect, type Socket } from 'node:net';
import nodemailer, { type Transporter } from 'nodemailer';

export type MailTransport = Transporter;

const CONNECTION_TIMEOUT_MS = 10_000;
const END_OF_DATA = Buffer.from('\r\n.\r\n');
const dataSentHook = new AsyncLocalStorage<() => void>();

/**
 * Sends with `onDataSent` called synchronously right after the end-of-data marker was written to a
 * plain TCP connection. Over TLS the plaintext is not visible on the socket and the hook is not
 * called; callers then record the outcome after the server's answer.
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

export function createMailTransport(smtpUrl: string): MailTransport {
  // Short timeouts: a hung SMTP server should fail the attempt so Temporal's retry policy takes over.
  return nodemailer.createTransport({
    url: smtpUrl,
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    getSocket(options: { host?: string; port?: number }, callback: (err: Error | null, socket?: { connection: Socket } | false) => void) {
      const hook = dataSentHook.getStore();
      if (!hook) return callback(null, false);
      const socket = connect({ host: options.host ?? 'localhost', port: options.port ?? 25 });
      const timer = setTimeout(() => socket.destroy(Object.assign(new Error(`connection to ${options.host}:${options.port} timed out`), { code: 'ETIMEDOUT' })), CONNECTION_TIMEOUT_MS);
      socket.once('error', (err) => {
        clearTimeout(timer);
        callback(err);
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        // nodemailer attaches its own handlers; this one only keeps an early error from being unhandled.
        socket.on('error', () => {});
        watchEndOfData(socket, hook);
        callback(null, { connection: socket });
      });
    },
  } as Parameters<typeof nodemailer.createTransport>[0]);
}
