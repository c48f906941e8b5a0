// Public links from emails: open pixel, click redirect, unsubscribe. No API key; the signed token
// is the authority. A token that does not verify answers 404 and records nothing; an expired click
// link answers 410 and records nothing (src/mail/legacy-clicks.ts: tokens older than expiry). A
// verified token of a lead that was erased since does nothing, but answers as usual (no lead
// existence oracle).
import { createHash } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { IntakeDeps } from '../../leads/deps';
import { UnknownLeadError } from '../../leads/errors';
import { recordEvent } from '../../leads/record-events';
import { unsubscribeLead } from '../../leads/unsubscribe';
import { legacyClickCheck } from '../../mail/legacy-clicks';
import { DEFAULT_CLICK_TTL_MS, MAX_TOKEN_LENGTH, verifyToken, type ClickToken } from '../../mail/tokens';
import { loadTrackedUrl } from '../../mail/tracked-urls';
import { ApiError } from '../errors';
import type { RouteContext } from '../context';

/** A transparent 1×1 GIF. */
export const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

const tokenParams = z.strictObject({ token: z.string().max(MAX_TOKEN_LENGTH) });
const short = (value: string) => createHash('sha256').update(value).digest('base64url').slice(0, 32);
const noSuchLink = () => new ApiError(404, 'not_found', 'no such link');

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${title}</title></head><body style="font-family:sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem">${body}</body></html>`;

export function publicRoutes(ctx: RouteContext): FastifyPluginAsyncZod {
  // The route context carries everything intake needs.
  const deps: IntakeDeps = ctx;
  const verify = <K extends 'open' | 'click' | 'unsubscribe'>(kind: K, token: string) => {
    const found = ctx.trackingSecret ? verifyToken(ctx.trackingSecret, kind, token) : null;
    if (!found) throw noSuchLink();
    return found;
  };
  const honouredLegacy = legacyClickCheck(ctx.pool, ctx.trackingLinkTtlMs ?? DEFAULT_CLICK_TTL_MS);
  /** The destination of a verified click token, or null when the link has expired. */
  const destination = async (token: ClickToken): Promise<string | null> => {
    if (token.expiresAt !== undefined && token.expiresAt <= Date.now()) return null;
    const url = token.url ?? (token.urlHash ? await loadTrackedUrl(ctx.pool, token.urlHash) : null);
    if (url === null) throw noSuchLink();
    if (token.expiresAt === undefined && !(await honouredLegacy(url))) return null;
    return url;
  };

  return async (app) => {
    // RFC 8058 one-click unsubscribe POSTs a form body; accept (and ignore) form bodies in this scope only.
    for (const type of ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']) {
      app.addContentTypeParser(type, { parseAs: 'string' }, (_req, _body, done) => done(null, {}));
    }

    app.get('/t/o/:token', {
      config: { access: 'public' },
      schema: {
        tags: ['public'],
        summary: 'Open-tracking pixel: records email_open (once per email) and returns a 1×1 GIF',
        description: 'A token that does not verify → 404 and nothing recorded.',
        params: tokenParams,
      },
      handler: async (request, reply) => {
        const token = verify('open', request.params.token);
        await recordEvent(deps, token.leadId, { type: 'email_open', eventId: `open-${short(token.mail)}`, properties: {} }).then(
          (r) => (r.duplicate ? undefined : ctx.metrics.eventsAccepted.inc({ source: 'tracking' })),
          (err) => (err instanceof UnknownLeadError ? undefined : request.log.warn({ err }, 'open not recorded')),
        );
        return reply.header('cache-control', 'no-store, private').type('image/gif').send(PIXEL);
      },
    });

    app.get('/t/c/:token', {
      config: { access: 'public' },
      schema: {
        tags: ['public'],
        summary: 'Click tracking: records email_click and redirects (302) to the URL sealed in the token',
        description:
          'The target comes from the signed token only (or the stored URL its hash names), never from the query string. ' +
          'A token that does not verify → 404; an expired link → 410 (an HTML page for browsers, else the JSON error `link_expired`) and nothing recorded.',
        params: tokenParams,
        querystring: z.looseObject({}),
      },
      handler: async (request, reply) => {
        const token = verify('click', request.params.token);
        const url = await destination(token);
        if (url === null) {
          // A person clicking in a mail client gets a page; any other client the one error shape.
          if (!/\btext\/html\b/.test(request.headers.accept ?? '')) throw new ApiError(410, 'link_expired', 'this link has expired');
          return reply
            .code(410)
            .header('cache-control', 'no-store, private')
            .type('text/html; charset=utf-8')
            .send(page('Link expired', '<h1>Link expired</h1><p>This link has expired.</p>'));
        }
        await recordEvent(deps, token.leadId, {
          type: 'email_click',
          eventId: `click-${short(`${token.mail}\n${url}`)}`,
          properties: { url: url.slice(0, 1000) },
        }).then(
          (r) => (r.duplicate ? undefined : ctx.metrics.eventsAccepted.inc({ source: 'tracking' })),
          (err) => (err instanceof UnknownLeadError ? undefined : request.log.warn({ err }, 'click not recorded')),
        );
        return reply.header('cache-control', 'no-store, private').redirect(url, 302);
      },
    });

    app.get('/u/:token', {
      config: { access: 'public' },
      schema: {
        tags: ['public'],
        summary: 'Unsubscribe page: asks for confirmation (link scanners must not unsubscribe people)',
        params: tokenParams,
      },
      handler: async (request, reply) => {
        verify('unsubscribe', request.params.token);
        return reply
          .header('cache-control', 'no-store, private')
          .type('text/html; charset=utf-8')
          .send(page('Unsubscribe', `<h1>Unsubscribe</h1><p>Stop receiving these emails?</p><form method="post"><button type="submit">Unsubscribe</button></form>`));
      },
    });

    app.post('/u/:token', {
      config: { access: 'public' },
      schema: {
        tags: ['public'],
        summary: 'Unsubscribe (RFC 8058 one-click target of List-Unsubscribe-Post, and the confirmation form)',
        params: tokenParams,
      },
      handler: async (request, reply) => {
        const token = verify('unsubscribe', request.params.token);
        await unsubscribeLead(deps, token.leadId).catch((err) => {
          if (!(err instanceof UnknownLeadError)) throw err;
        });
        return reply
          .header('cache-control', 'no-store, private')
          .type('text/html; charset=utf-8')
          .send(page('Unsubscribed', '<h1>You are unsubscribed</h1><p>You will not receive these emails any more.</p>'));
      },
    });
  };
}
