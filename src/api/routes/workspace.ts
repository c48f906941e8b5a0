// The sales workspace: server-rendered pages a rep opens from their email, no password. The signed
// link is the authority (src/workspace/link-tokens.ts): a lead page for one assignment, a queue for
// one rep. Forms post back with a CSRF token bound to the link and are checked for origin; actions
// run as the workflow's updates with the link's rep. Handlers only translate HTTP: the use cases
// are in src/workspace.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actionFromForm, ACTION_NAMES, parseForm, type ActionName } from '../../workspace/action-forms';
import { chooseLang, messagesFor, type Lang } from '../../workspace/language';
import { openLeadLink, repUser, runSalesAction, type LeadPageData } from '../../workspace/lead-workspace';
import { csrfTokenFor, csrfTokenMatches, leadLinkPath, MAX_LINK_TOKEN_LENGTH, queueLinkPath, verifyLinkToken } from '../../workspace/link-tokens';
import { queueLinkUrl } from '../../workspace/links';
import { leadPage } from '../../workspace/pages/lead-page';
import { messagePage, STYLESHEET_PATH } from '../../workspace/pages/layout';
import { queuePage } from '../../workspace/pages/queue-page';
import { WORKSPACE_CSS } from '../../workspace/pages/styles';
import { readQueue } from '../../workspace/queue';
import type { UserRow } from '../../users/store';
import type { RouteContext } from '../context';
import { findUnstorableText } from '../text-guard';

const CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
// The token is checked by verifyLinkToken; a longer one than it accepts still gets the 404 page.
const tokenParams = z.strictObject({ token: z.string().max(MAX_LINK_TOKEN_LENGTH * 2) });
const hidden = { hide: true } as const;

/** Headers of every workspace page: nothing cached, indexed, framed, referred or scripted. */
function send(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header('x-robots-tag', 'noindex, nofollow')
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', CSP)
    .send(html);
}

const queryOf = (request: FastifyRequest): Record<string, unknown> => (request.query ?? {}) as Record<string, unknown>;

function langOf(request: FastifyRequest, user: UserRow | null): Lang {
  return chooseLang(queryOf(request).lang, user?.locale, request.headers['accept-language']);
}

/**
 * A form from this site: the browser's Fetch metadata and Origin, when it sends them, must say so.
 * Under Referrer-Policy: no-referrer a browser sends `Origin: null`; then only Sec-Fetch-Site can vouch.
 */
function sameOrigin(request: FastifyRequest, publicBaseUrl: string | undefined): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return false;
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (origin === 'null') return site === 'same-origin';
  const allowed = [`${request.protocol}://${request.headers.host ?? ''}`];
  if (publicBaseUrl) allowed.push(new URL(publicBaseUrl).origin);
  return allowed.includes(origin);
}

export function workspaceRoutes(ctx: RouteContext): FastifyPluginAsyncZod {
  const secret = ctx.appLinkSecret;
  const deps = { pool: ctx.pool, client: ctx.client, ...(secret ? { appLinkSecret: secret } : {}) };

  const notFound = (reply: FastifyReply, request: FastifyRequest, path: string) => {
    const m = messagesFor(langOf(request, null));
    return send(reply, 404, messagePage({ m, title: m.page.notFoundTitle, selfPath: path }, m.page.notFound, 'not_found'));
  };

  /** The lead page of an open link, or its 404/410 page; `status` and `notice` for an answer to a form. */
  async function showLead(request: FastifyRequest, reply: FastifyReply, token: string, status = 200, notice?: { kind: 'done' | 'error'; text: string }) {
    const selfPath = leadLinkPath(token);
    const opened = await openLeadLink(deps, token);
    if (opened.kind === 'not_found') return notFound(reply, request, selfPath);
    const lang = langOf(request, opened.user);
    const m = messagesFor(lang);
    const queuePath = queueLinkUrl({ baseUrl: '', secret: secret! }, opened.token.rep);
    if (opened.kind === 'gone') {
      const done = queryOf(request).done;
      if (opened.closedByRep && done === opened.closedByRep) {
        return send(reply, 200, messagePage({ m, title: m.page.title, selfPath, queuePath }, m.page.done[opened.closedByRep] ?? '', `done_${opened.closedByRep}`));
      }
      return send(reply, 410, messagePage({ m, title: m.page.goneTitle[opened.reason] ?? '', selfPath, queuePath }, m.page.gone[opened.reason] ?? '', opened.reason));
    }
    const doneKey = queryOf(request).done;
    const shownNotice = notice ?? (typeof doneKey === 'string' && m.page.done[doneKey] ? { kind: 'done' as const, text: m.page.done[doneKey]! } : undefined);
    const html = leadPage({
      data: opened as LeadPageData,
      m,
      lang,
      timeZone: opened.user?.time_zone ?? opened.config?.policy.businessHours?.timeZone ?? null,
      now: Date.now(),
      selfPath,
      queuePath,
      csrf: csrfTokenFor(secret!, token),
      ...(shownNotice ? { notice: shownNotice } : {}),
    });
    return send(reply, status, html);
  }

  async function act(request: FastifyRequest, reply: FastifyReply, token: string, name: ActionName) {
    const selfPath = leadLinkPath(token);
    const link = verifyLinkToken(secret, 'lead', token);
    if (!link) return notFound(reply, request, selfPath);
    const form = typeof request.body === 'string' ? parseForm(request.body) : null;
    const user = await repUser(ctx.pool, link.rep);
    const m = messagesFor(langOf(request, user));
    if (!form || !sameOrigin(request, ctx.publicBaseUrl) || !csrfTokenMatches(secret!, token, form.csrf)) {
      return send(reply, 403, messagePage({ m, title: m.page.title, selfPath }, m.page.forbidden, 'forbidden'));
    }
    // The link must still open the lead (not expired, not reassigned or closed) before anything runs.
    const opened = await openLeadLink(deps, token);
    if (opened.kind !== 'open') return showLead(request, reply, token);
    // A parsed form may hold what PostgreSQL cannot store (NUL, lone surrogates): refused as the JSON API does.
    const unstorable = findUnstorableText(form);
    const parsed = unstorable ? { ok: false as const, field: unstorable.field, message: unstorable.message } : actionFromForm(name, form, link.rep);
    if (!parsed.ok) {
      const label = m.page.fieldNames[parsed.field] ?? parsed.field;
      return showLead(request, reply, token, 400, { kind: 'error', text: `${m.page.invalid(label)} (${parsed.field}: ${parsed.message})` });
    }
    const result = await runSalesAction(deps, link.leadId, parsed.input);
    if (!result.done) return showLead(request, reply, token, result.status, { kind: 'error', text: m.page.refused[result.code] ?? result.code });
    const lang = queryOf(request).lang;
    return reply.header('cache-control', 'no-store').redirect(`${selfPath}?done=${name}${lang === 'ja' || lang === 'en' ? `&lang=${lang}` : ''}`, 303);
  }

  return async (app) => {
    // The pages' forms post urlencoded bodies; read as text here and parsed by parseForm (bounded).
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 32 * 1024 }, (_req, body, done) => done(null, body));

    app.get(STYLESHEET_PATH, { config: { access: 'public' }, schema: hidden }, async (_request, reply) =>
      reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').header('x-content-type-options', 'nosniff').send(WORKSPACE_CSS),
    );

    app.get('/app/leads/:token', { config: { access: 'public' }, schema: { ...hidden, params: tokenParams } }, async (request, reply) => {
      if (!secret) return notFound(reply, request, leadLinkPath(request.params.token));
      return showLead(request, reply, request.params.token);
    });

    for (const name of ACTION_NAMES) {
      app.post(`/app/leads/:token/${name}`, { config: { access: 'public' }, schema: { ...hidden, params: tokenParams } }, async (request, reply) => {
        if (!secret) return notFound(reply, request, leadLinkPath(request.params.token));
        return act(request, reply, request.params.token, name);
      });
    }

    app.get('/app/queue/:token', { config: { access: 'public' }, schema: { ...hidden, params: tokenParams } }, async (request, reply) => {
      const selfPath = queueLinkPath(request.params.token);
      const link = verifyLinkToken(secret, 'queue', request.params.token);
      if (!link || !secret) return notFound(reply, request, selfPath);
      const user = await repUser(ctx.pool, link.rep);
      const lang = langOf(request, user);
      const m = messagesFor(lang);
      if (link.expiresAt <= Date.now()) return send(reply, 410, messagePage({ m, title: m.page.goneTitle.expired ?? '', selfPath }, m.page.gone.expired ?? '', 'expired'));
      const entries = await readQueue({ ...deps, appLinkSecret: secret }, link);
      return send(reply, 200, queuePage({ entries, m, lang, timeZone: user?.time_zone ?? null, now: Date.now(), selfPath, rep: link.rep }));
    });
  };
}
