// An SMTP sink for the benchmarks: records when each message arrived, keyed by its Message-ID
// (the product derives it from the email's idempotency key, see activities/email.ts messageIdFor),
// without parsing bodies, so the sink itself costs as little CPU as possible on a small machine.
import { SMTPServer } from 'smtp-server';

export class BenchMailSink {
  /** Message-ID → arrival time (epoch ms, end of DATA). */
  readonly arrivals = new Map<string, number>();
  private waiters = new Map<string, (at: number) => void>();
  private server: SMTPServer;
  port = 0;

  constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, _session, callback) => {
        const chunks: Buffer[] = [];
        let headerDone = false;
        stream.on('data', (chunk: Buffer) => {
          if (!headerDone) {
            chunks.push(chunk);
            if (chunk.includes('\r\n\r\n')) headerDone = true;
          }
        });
        stream.on('end', () => {
          const at = Date.now();
          const head = Buffer.concat(chunks).toString('latin1').split('\r\n\r\n')[0] ?? '';
          const id = /^message-id:\s*(<[^>]+>)/im.exec(head)?.[1];
          if (id) {
            this.arrivals.set(id, at);
            this.waiters.get(id)?.(at);
            this.waiters.delete(id);
          }
          callback();
        });
      },
    });
    // Capacity runs restart worker processes: a reset socket must not end the bench.
    this.server.on('error', () => {});
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.server.address() as { port: number }).port;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  get count(): number {
    return this.arrivals.size;
  }

  /** Arrival time of the message with this Message-ID; rejects after `timeoutMs`. */
  waitFor(messageId: string, timeoutMs: number): Promise<number> {
    const known = this.arrivals.get(messageId);
    if (known !== undefined) return Promise.resolve(known);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(messageId);
        reject(new Error(`no email ${messageId} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.set(messageId, (at) => {
        clearTimeout(timer);
        resolve(at);
      });
    });
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
