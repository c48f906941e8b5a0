// Only links that marketing wrote are tracked: real welcome emails (worker → SMTP sink) for a lead
// whose name and company carry a URL, every /t/c/ link of their text and HTML parts followed
// through the API; expired and old tokens; a rotated TRACKING_SECRET; long URLs; List-Unsubscribe.
import type { FastifyInstance } from 'fastify';
import { createActivities } from '../../activities';
import { buildApp } from '../../src/api/app';
import { createMailTransport } from '../../src/mail/transport';
import { signToken } from '../../src/mail/tokens';
import { eventually, uid } from '../support/harness';
import type { ReceivedMail } from '../support/smtp-sink';
import { pathOf, PUBLIC_BASE_URL, startApiHarness, TRACKING_SECRET, type ApiHarness } from './api-support';

const EVIL = 'https://evil.example/login';
const OFFER = 'https://example.com/offer?utm=mail';
const GUIDE = 'https://example.com/guide?a=1&b=2';
/** 5,000 characters: too long to embed in a link mail clients keep. */
const LONG = `https://example.com/landing?${'segment=abcdefghij&'.repeat(300)}`.slice(0, 5000);
const NEW_KEY = 'rotated-in-tracking-secret-0123456789abcdef';

describe('tracked links in email', () => {
  let h: ApiHarness;
  let campaignId: string;
  let rotated: FastifyInstance;
  let rotatedBase: string;

  beforeAll(async () => {
    h = await startApiHarness('tracked-links');
    campaignId = `links-${h.tag}`;
    const policy = { owners: [`owner-${h.tag}@sales.test`], manager: `manager-${h.tag}@sales.test` };
    const put = await h.call('marketing', 'PUT', `/v1/campaigns/${campaignId}`, {
      name: 'links',
      policy,
      steps: [
        { id: 'welcome', delay: '0s', subject: 'Hello {{name}} {{company}}', body: `Hi {{name}} of {{company}}, see ${OFFER}.\nAll of it: ${LONG}\n{{title}}` },
        {
          id: 'html',
          delay: '2s',
          subject: 'More',
          body: 'Hi {{name}}',
          html: `<p>Hi {{name}} of {{company}}</p><p><a href="${GUIDE.replace('&', '&amp;')}">Guide</a> <a href="{{attributes.site}}">{{title}}</a></p>`,
        },
      ],
    });
    expect(put.statusCode).toBe(201);
    // The same API with the key rotated: a new key first, the old one kept for links already sent.
    rotated = await buildApp({ pool: h.pool, client: h.client, taskQueue: h.taskQueue, searchAttributes: true, apiKeys: [], trackingSecret: `${NEW_KEY},${TRACKING_SECRET}`, publicBaseUrl: PUBLIC_BASE_URL });
    rotatedBase = await rotated.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await rotated?.close();
    await h?.stop();
  });

  async function enrolEvil(label: string): Promise<{ leadId: string; email: string }> {
    const email = `${label}-${h.tag}@customer.test`;
    const res = await h.call('marketing', 'POST', '/v1/leads', {
      email,
      name: `Bob ${EVIL}`,
      company: `Evil Corp ${EVIL} Ltd`,
      title: `CTO ${EVIL}`,
      attributes: { site: EVIL },
      campaignId,
    });
    expect(res.statusCode).toBe(201);
    return { leadId: res.json().leadId, email };
  }

  /** Every link of the email on our domain's click route, from the text part and every URL in the HTML part. */
  function clickLinks(mail: ReceivedMail): string[] {
    const inText = (mail.text.match(/https?:\/\/[^\s<>"']+/g) ?? []).map((u) => u.replace(/[.,;:!?)]+$/, ''));
    const inHtml = (mail.html.match(/https?:\/\/[^\s<>"']+/g) ?? []).map((u) => u.replace(/&amp;/g, '&').replace(/&#x3D;/g, '='));
    return [...inText, ...inHtml].filter((u) => u.startsWith(`${PUBLIC_BASE_URL}/t/c/`));
  }

  async function follow(link: string) {
    const res = await h.call(null, 'GET', pathOf(link));
    return { status: res.statusCode, location: res.headers.location };
  }

  it('tracks only template links in a welcome email for a lead whose name and company carry a URL', async () => {
    const { email } = await enrolEvil('welcome');
    await h.sink.waitFor(() => h.sink.to(email).length >= 2, 30_000, 'the welcome and html emails');
    const [welcome, html] = h.sink.to(email).sort((a, b) => (a.subject === 'More' ? 1 : 0) - (b.subject === 'More' ? 1 : 0)) as [ReceivedMail, ReceivedMail];

    // Plain text: the lead's URL as it is, untracked; the template's links tracked.
    expect(welcome.text).toContain(`Hi Bob ${EVIL} of Evil Corp ${EVIL} Ltd, see ${PUBLIC_BASE_URL}/t/c/`);
    // HTML made from the text: the lead's URL escaped text, never an <a>.
    expect(welcome.html).toContain(`Hi Bob ${EVIL} of Evil Corp ${EVIL} Ltd`);
    const anchors = [...welcome.html.matchAll(/<a href="([^"]+)">/g)].map((m) => m[1]!);
    expect(anchors.every((a) => a.startsWith(`${PUBLIC_BASE_URL}/`))).toBe(true);
    expect(welcome.html).not.toMatch(/<a[^>]*evil\.example/);
    // The step's own HTML: the lead's values escaped; an href built from a lead value is not tracked.
    expect(html.html).toContain(`<a href="${EVIL}">CTO ${EVIL}</a>`);

    // Every click link of both emails, text and HTML, leads to a URL the template wrote, and only there.
    const links = [...clickLinks(welcome), ...clickLinks(html)];
    expect(links.length).toBeGreaterThanOrEqual(4);
    const targets = new Set<string>();
    for (const link of links) {
      expect(link.length).toBeLessThanOrEqual(500);
      const { status, location } = await follow(link);
      expect([link, status]).toEqual([link, 302]);
      targets.add(location!);
    }
    expect([...targets].sort()).toEqual([GUIDE, LONG, OFFER].sort());
    // The 5,000-character URL went through a short link (stored server side when the email was sent).
    expect((await h.pool.query('SELECT count(*)::int AS n FROM tracked_urls WHERE url = $1', [LONG])).rows[0].n).toBe(1);

    // List-Unsubscribe is https (PUBLIC_BASE_URL is) and one-click.
    expect(welcome.headers.get('list')).toMatchObject({ unsubscribe: { url: expect.stringMatching(/^https:\/\//) }, 'unsubscribe-post': { name: 'List-Unsubscribe=One-Click' } });
  });

  it('answers 410 for an expired click link and for an old token of a URL no template wrote; nothing recorded', async () => {
    const { leadId, email } = await enrolEvil('expired');
    await h.sink.waitFor(() => h.sink.to(email).length >= 1, 30_000, 'the welcome email');
    const expired = signToken(TRACKING_SECRET, { kind: 'click', leadId, mail: 'm', url: OFFER, expiresAt: Date.now() - 1000 });
    const json = await h.call(null, 'GET', `/t/c/${expired}`);
    expect([json.statusCode, json.headers.location, json.json().error.code]).toEqual([410, undefined, 'link_expired']);
    const page = await h.call(null, 'GET', `/t/c/${expired}`, undefined, { accept: 'text/html,application/xhtml+xml' });
    expect([page.statusCode, page.headers['content-type']]).toEqual([410, 'text/html; charset=utf-8']);
    expect(page.body).toContain('This link has expired.');

    // Tokens of emails sent before links expired: no expiry field. A lead-sourced URL is dead...
    const oldEvil = signToken(TRACKING_SECRET, { kind: 'click', leadId, mail: 'm', url: EVIL });
    expect(await follow(`${PUBLIC_BASE_URL}/t/c/${oldEvil}`)).toEqual({ status: 410, location: undefined });
    // ...a link a campaign template wrote keeps working.
    const oldOffer = signToken(TRACKING_SECRET, { kind: 'click', leadId, mail: 'm', url: OFFER });
    expect(await follow(`${PUBLIC_BASE_URL}/t/c/${oldOffer}`)).toEqual({ status: 302, location: OFFER });
    await eventually(async () => {
      const { rows } = await h.pool.query("SELECT properties->>'url' AS url FROM lead_events WHERE lead_id = $1 AND type = 'email_click'", [leadId]);
      expect(rows).toEqual([{ url: OFFER }]);
    });
  });

  it('keeps unsubscribe and click links of emails already sent working after a key rotation', async () => {
    const { leadId, email } = await enrolEvil('rotation');
    await h.sink.waitFor(() => h.sink.to(email).length >= 1, 30_000, 'the welcome email');
    const [mail] = h.sink.to(email);
    const unsubscribe = (mail!.headers.get('list') as { unsubscribe: { url: string } }).unsubscribe.url;
    const click = clickLinks(mail!)[0]!;
    const viaRotated = (method: 'GET' | 'POST', url: string) =>
      fetch(`${rotatedBase}${pathOf(url)}`, { method, redirect: 'manual', ...(method === 'POST' ? { body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } } : {}) });
    expect((await viaRotated('GET', click)).status).toBe(302);
    expect((await viaRotated('POST', unsubscribe)).status).toBe(200);
    await eventually(async () => expect((await h.call('marketing', 'GET', `/v1/leads/${leadId}`)).json().unsubscribed).toBe(true));
    // New links are signed with the newest key: the rotated API accepts them, an API with the old key alone does not.
    const fresh = signToken(`${NEW_KEY},${TRACKING_SECRET}`, { kind: 'unsubscribe', leadId });
    expect((await viaRotated('GET', `${PUBLIC_BASE_URL}/u/${fresh}`)).status).toBe(200);
    expect((await h.call(null, 'GET', `/u/${fresh}`)).statusCode).toBe(404);
  });

  it('leaves one-click unsubscribe out when PUBLIC_BASE_URL is not https', async () => {
    const { leadId, email } = await enrolEvil(`http-${uid()}`);
    await h.sink.waitFor(() => h.sink.to(email).length >= 1, 30_000, 'the welcome email');
    const activities = createActivities({ pool: h.pool, transport: createMailTransport(h.sink.url), mailFrom: 'test <noreply@leadloop.test>', publicBaseUrl: 'http://leads.plain.test', trackingSecret: TRACKING_SECRET });
    const step = { id: `plain-${uid()}`, delay: '0s', subject: 'Plain', body: `See ${OFFER}` };
    expect(await activities.sendNurtureEmail({ leadId, campaignId, campaignVersion: 1, cycle: 0, stepIndex: 0, step })).toEqual({ status: 'sent' });
    const [mail] = await h.sink.waitFor(() => h.sink.to(email).some((m) => m.subject === 'Plain'), 10_000).then(() => h.sink.to(email).filter((m) => m.subject === 'Plain'));
    expect(mail!.headers.get('list')).toEqual({ unsubscribe: { url: expect.stringMatching(/^http:\/\/leads\.plain\.test\/u\//) } });
  });
});
