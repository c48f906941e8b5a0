// A real webhook receiver on loopback (node:http) that verifies each request's Standard Webhooks
// signature with the subscription's secret and answers what the test says.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Received {
  webhookId: string;
  /** Whether the signature verified with `secret`. */
  verified: boolean;
  body: string;
  json: any;
  at: number;
}

/** The status to answer the n-th request (0-based); may wait first (a held request). */
export type Responder = (request: Received, n: number) => number | Promise<number>;

export class WebhookReceiver {
  readonly received: Received[] = [];
  secret = '';
  respond: Responder = () => 200;
  private server: Server | null = null;
  private port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/crm`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The distinct webhook-ids in the order they first arrived. */
  distinctIds(): string[] {
    return [...new Set(this.received.map((r) => r.webhookId))];
  }

  /** Waits until `check` holds for the requests received so far. */
  async waitFor(check: (received: Received[]) => boolean, timeoutMs = 30_000, what = 'webhooks'): Promise<Received[]> {
    const deadline = Date.now() + timeoutMs;
    while (!check(this.received)) {
      if (Date.now() > deadline) throw new Error(`receiver: no ${what} within ${timeoutMs} ms (got ${this.received.length}: ${this.received.map((r) => r.json?.type).join(', ')})`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return this.received;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    let verified = false;
    try {
      new Webhook(this.secret).verify(body, headers);
      verified = true;
    } catch {
      verified = false;
    }
    const received: Received = { webhookId: headers['webhook-id'] ?? '', verified, body, json: safeJson(body), at: Date.now() };
    const n = this.received.push(received) - 1;
    const status = verified ? await this.respond(received, n) : 401;
    if (!res.destroyed) res.writeHead(status, { 'content-type': 'text/plain' }).end('ok');
  }
}

function safeJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return null;
  }
}
