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
}

/** Answer the next MAIL/RCPT/DATA with an SMTP error, to exercise retries (4xx) and bounces (5xx). */
export interface Refusal {
  code: number;
  message: string;
  times: number;
}

export class SmtpSink {
  readonly messages: ReceivedMail[] = [];
  private server: SMTPServer;
  private refusals: Refusal[] = [];
  private waiters: (() => void)[] = [];
  port = 0;

  constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, _session, callback) => {
        const refusal = this.refusals[0];
        if (refusal) {
          // Counted when the message starts, so concurrent deliveries get exactly `times` refusals.
          if (--refusal.times <= 0) this.refusals.shift();
          stream.resume();
          stream.on('end', () => {
            const err = new Error(refusal.message) as Error & { responseCode: number };
            err.responseCode = refusal.code;
            callback(err);
          });
          return;
        }
        simpleParser(stream)
          .then((parsed) => {
            this.messages.push({
              to: toAddresses(parsed),
              from: parsed.from?.text ?? '',
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
              messageId: parsed.messageId ?? '',
              headers: parsed.headers,
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
    return `smtp://127.0.0.1:${this.port}`;
  }

  refuse(code: number, times: number, message = `${code} refused by test`): void {
    this.refusals.push({ code, message, times });
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

function toAddresses(parsed: ParsedMail): string[] {
  const list = Array.isArray(parsed.to) ? parsed.to : parsed.to ? [parsed.to] : [];
  return list.flatMap((a) => a.value.map((v) => (v.address ?? '').toLowerCase()));
}
