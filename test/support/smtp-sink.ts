// A real SMTP server in-process: nodemailer delivers to it over TCP and tests read what arrived.
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  from: string;
  subject: string;
  text: string;
  /** The HTML alternative, '' when the message has none. */
  html: string;
  messageId: string;
  headers: ParsedMail['headers'];
  /** The session was encrypted (STARTTLS or implicit TLS) when the message arrived. */
  secure: boolean;
}

/** Where a refusal is answered: AUTH, MAIL FROM, RCPT TO, or the end of DATA. */
export type RefusalStage = 'auth' | 'mail' | 'rcpt' | 'data';

/** Answer the next AUTH/MAIL/RCPT/DATA with an SMTP error, to exercise retries and bounces. */
export interface Refusal {
  code: number;
  message: string;
  times: number;
  stage: RefusalStage;
}

export interface SmtpSinkOptions {
  /** The sink's url carries a user and password, so that nodemailer authenticates (AUTH PLAIN). */
  auth?: boolean;
  /** A certificate: STARTTLS is offered (`starttls`), or the connection is TLS from the start (`implicit`, smtps://). */
  tls?: { key: Buffer; cert: Buffer; mode: 'starttls' | 'implicit' };
}

/** Awaited before the sink answers: at RCPT TO, and once the whole message is in (before its 250). */
export interface SinkHooks {
  rcpt?: () => Promise<void>;
  dataEnd?: () => Promise<void>;
}

export class SmtpSink {
  readonly messages: ReceivedMail[] = [];
  private server: SMTPServer;
  private refusals: Refusal[] = [];
  private waiters: (() => void)[] = [];
  port = 0;
  hooks: SinkHooks = {};

  constructor(private readonly options: SmtpSinkOptions = {}) {
    this.server = new SMTPServer({
      authOptional: true,
      allowInsecureAuth: true,
      ...(options.tls ? { key: options.tls.key, cert: options.tls.cert, secure: options.tls.mode === 'implicit' } : { disabledCommands: ['STARTTLS'] }),
      logger: false,
      onAuth: (auth, _session, callback) => {
        const refusal = this.takeRefusal('auth');
        if (refusal) return callback(smtpError(refusal));
        callback(null, { user: auth.username });
      },
      onMailFrom: (_address, _session, callback) => {
        const refusal = this.takeRefusal('mail');
        callback(refusal ? smtpError(refusal) : undefined);
      },
      onRcptTo: (_address, _session, callback) => {
        const refusal = this.takeRefusal('rcpt');
        void (this.hooks.rcpt?.() ?? Promise.resolve()).catch(() => {}).then(() => callback(refusal ? smtpError(refusal) : undefined));
      },
      onData: (stream, session, callback) => {
        const refusal = this.takeRefusal('data');
        if (refusal) {
          stream.resume();
          stream.on('end', () => callback(smtpError(refusal)));
          return;
        }
        simpleParser(stream)
          .then(async (parsed) => {
            await this.hooks.dataEnd?.();
            this.messages.push({
              to: toAddresses(parsed),
              from: parsed.from?.text ?? '',
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
              messageId: parsed.messageId ?? '',
              headers: parsed.headers,
              secure: session.secure,
            });
            callback();
            this.waiters.splice(0).forEach((wake) => wake());
          })
          .catch((err: Error) => callback(err));
      },
    });
    // A client killed mid-conversation (the fault tests kill workers) resets its socket: expected,
    // and without a listener the server's 'error' event would fail the whole test file.
    this.server.on('error', () => {});
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.server.address() as { port: number }).port;
  }

  get url(): string {
    const scheme = this.options.tls?.mode === 'implicit' ? 'smtps' : 'smtp';
    return `${scheme}://${this.options.auth ? 'leadloop:test-password@' : ''}127.0.0.1:${this.port}`;
  }

  /** Refuses the end of DATA `times` times. */
  refuse(code: number, times: number, message = `${code} refused by test`): void {
    this.refuseAt('data', code, times, message);
  }

  /** Refuses `stage` `times` times (AUTH only happens with `auth: true`). */
  refuseAt(stage: RefusalStage, code: number, times: number, message = `${code} refused by test`): void {
    this.refusals.push({ code, message, times, stage });
  }

  /** Counted when the stage is reached, so concurrent deliveries get exactly `times` refusals. */
  private takeRefusal(stage: RefusalStage): Refusal | null {
    const index = this.refusals.findIndex((r) => r.stage === stage);
    const refusal = index >= 0 ? this.refusals[index]! : null;
    if (refusal && --refusal.times <= 0) this.refusals.splice(index, 1);
    return refusal;
  }

  /** Cuts every open connection without an answer (as a network failure would). */
  dropConnections(): void {
    const connections = (this.server as unknown as { connections: Set<{ _socket?: { destroy(): void } }> }).connections;
    for (const connection of connections) connection._socket?.destroy();
  }

  /** Accepts every message again. */
  stopRefusing(): void {
    this.refusals = [];
  }

  to(address: string): ReceivedMail[] {
    return this.messages.filter((m) => m.to.includes(address.toLowerCase()));
  }

  /** Resolves with the messages once `predicate` holds; rejects after `timeoutMs`. */
  async waitFor(predicate: (messages: ReceivedMail[]) => boolean, timeoutMs = 30_000, what = 'expected email'): Promise<ReceivedMail[]> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.messages)) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; received: ${JSON.stringify(this.messages.map((m) => ({ to: m.to, subject: m.subject })))}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 250));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.messages;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** smtp-server writes the reply code itself: a message that starts with it ('550 5.1.1 …') loses it here. */
function smtpError(refusal: Refusal): Error {
  return Object.assign(new Error(refusal.message.replace(/^\d{3} +/, '')), { responseCode: refusal.code });
}

function toAddresses(parsed: ParsedMail): string[] {
  const list = Array.isArray(parsed.to) ? parsed.to : parsed.to ? [parsed.to] : [];
  return list.flatMap((a) => a.value.map((v) => (v.address ?? '').toLowerCase()));
}
