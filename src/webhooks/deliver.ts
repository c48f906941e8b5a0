// One HTTP attempt of a webhook: a signed POST, bounded in time, to an address checked after DNS.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { signedHeaders } from './sign';
import { guardedLookup, isPrivateAddress, PrivateTargetError } from './target-guard';

export interface AttemptOptions {
  /** Per-attempt limit on the whole exchange (WEBHOOK_TIMEOUT). */
  timeoutMs: number;
  allowPrivate: boolean;
}

/** What an attempt got: an HTTP status, or an error message that names no lead data. */
export type AttemptResult = { statusCode: number } | { error: string };

const USER_AGENT = 'leadloop-webhooks/1';

export async function postWebhook(target: { url: string; secret: string; webhookId: string }, body: string, o: AttemptOptions): Promise<AttemptResult> {
  const url = new URL(target.url);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  // Node resolves no name for an address literal, so guardedLookup would not see it.
  if (!o.allowPrivate && isIP(host) && isPrivateAddress(host)) return { error: new PrivateTargetError().message };
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<AttemptResult>((resolve) => {
    let settled = false;
    const done = (result: AttemptResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const req = request(
      url,
      {
        method: 'POST',
        lookup: guardedLookup(o.allowPrivate),
        headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT, 'content-length': Buffer.byteLength(body), ...signedHeaders(target.secret, target.webhookId, body) },
      },
      (res: IncomingMessage) => {
        // Only the status counts: the answer's body is drained, never read into memory nor stored.
        done({ statusCode: res.statusCode ?? 0 });
        res.on('error', () => {});
        res.resume();
      },
    );
    const timer = setTimeout(() => {
      done({ error: `no answer within ${o.timeoutMs} ms` });
      req.destroy();
    }, o.timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => done({ error: err instanceof PrivateTargetError ? err.message : `${err.code ?? 'network error'}: ${err.message}`.slice(0, 300) }));
    req.end(body);
  });
}
