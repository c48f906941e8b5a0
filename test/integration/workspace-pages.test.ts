// The sales workspace end to end: a lead reaches MQL, its owner (a user of the directory, ja in one
// test and en in another) gets the email in the SMTP sink, and the lead page link taken from that
// email is opened in headless Chromium: an attempt without answer, then one that reached, then an
// accept with BANT; the lead is SQL. A reassigned link answers 410, a tampered one 404, a form
// without the page's CSRF token 403 (and changes nothing).
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { eventually } from '../support/harness';
import type { ReceivedMail } from '../support/smtp-sink';
import { launchChromium } from './dashboard-browser';
import { pathOf, PUBLIC_BASE_URL, startApiHarness, type ApiHarness } from './api-support';

const LINK = /https:\/\/leads\.example\.test\/app\/(leads|queue)\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g;

describe('sales workspace pages in headless Chromium', () => {
  let h: ApiHarness;
  let browser: Browser;
  const dialogs: string[] = [];
  const modelId = () => `wsmodel-${h.tag}`;

  beforeAll(async () => {
    h = await startApiHarness('workspace');
    const model = {
      fit: [{ id: 'decision-maker', attribute: 'title', pattern: 'director|部長', points: 20 }],
      behavior: [
        { id: 'pricing', event: 'page_view', where: { page: 'pricing' }, points: 30 },
        { id: 'demo', event: 'demo_request', points: 40 },
      ],
      mql: { threshold: 70, requireAnyOf: ['pricing', 'demo'] },
    };
    expect((await h.call('marketing', 'PUT', `/v1/scoring-models/${modelId()}`, model)).statusCode).toBe(201);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  async function campaign(name: string, owners: string[], policy: Record<string, unknown> = {}) {
    const id = `ws-${name}-${h.tag}`;
    const body = { name: `Workspace ${name}`, scoringModel: modelId(), steps: [{ id: 'welcome', delay: '1h', subject: 'Hi', body: 'Hello' }], policy: { sla: '24h', owners, manager: `manager-${h.tag}@sales.test`, ...policy } };
    expect((await h.call('marketing', 'PUT', `/v1/campaigns/${id}`, body)).statusCode).toBe(201);
    return id;
  }

  async function user(email: string, locale: 'ja' | 'en', timeZone: string) {
    const res = await h.call('ops', 'PUT', `/v1/users/${encodeURIComponent(email)}`, { name: email.split('@')[0], role: 'sales', locale, timeZone });
    expect([200, 201]).toContain(res.statusCode);
  }

  async function mqlLead(campaignId: string, fields: Record<string, string>) {
    const enrolled = await h.call('marketing', 'POST', '/v1/leads', { email: `lead-${Math.random().toString(36).slice(2)}-${h.tag}@customer.test`, campaignId, ...fields });
    expect([200, 201]).toContain(enrolled.statusCode);
    const { leadId } = enrolled.json() as { leadId: string };
    for (const event of [{ type: 'page_view', properties: { page: 'pricing' } }, { type: 'demo_request' }]) {
      expect((await h.call('marketing', 'POST', `/v1/leads/${leadId}/events`, event)).statusCode).toBe(202);
    }
    return leadId;
  }

  const lead = async (leadId: string) => (await h.call('sales', 'GET', `/v1/leads/${leadId}`)).json();

  /** The owner's email about `leadId` (its links name no lead id: the one that arrived for this owner). */
  async function ownerMail(owner: string, count = 1): Promise<ReceivedMail> {
    await h.sink.waitFor(() => h.sink.to(owner).length >= count, 30_000, `email ${count} to ${owner}`);
    return h.sink.to(owner)[count - 1]!;
  }

  function linksOf(mail: ReceivedMail): { lead: string; queue: string } {
    const found = [...mail.text.matchAll(LINK)].map((m) => m[0]);
    return { lead: found.find((u) => u.includes('/app/leads/'))!, queue: found.find((u) => u.includes('/app/queue/'))! };
  }

  async function newPage(locale: string): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ locale, timezoneId: 'UTC', viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    return { context, page };
  }

  const open = (page: Page, link: string) => page.goto(`${h.baseUrl}${pathOf(link)}`);

  async function submit(page: Page, form: 'contact' | 'accept' | 'reject', fill: (page: Page) => Promise<void>) {
    await fill(page);
    const [response] = await Promise.all([page.waitForNavigation(), page.click(`form[data-form=${form}] button[type=submit]`)]);
    return response;
  }

  async function walkThrough(locale: 'ja' | 'en') {
    const rep = `rep-${locale}-${h.tag}@sales.test`;
    await user(rep, locale, locale === 'ja' ? 'Asia/Tokyo' : 'Europe/London');
    const campaignId = await campaign(`flow-${locale}`, [rep]);
    const leadId = await mqlLead(campaignId, { name: '<script>alert(1)</script> Taro', company: 'Evil http://evil.example Corp', title: 'Director' });
    const mail = await ownerMail(rep);
    // The email is in the rep's language, names the lead (defanged), and says why in words.
    if (locale === 'ja') {
      expect(mail.subject).toMatch(/^新しい MQL の担当になりました\(スコア 90\): Evil/);
      expect(mail.text).toContain('デモを依頼 (+40)');
      expect(mail.text).toMatch(/初回コンタクトは24時間以内: \d+月\d+日\(.\) \d\d:\d\d JSTまで/);
    } else {
      expect(mail.subject).toMatch(/^New MQL for you \(score 90\): Evil/);
      expect(mail.text).toContain('Requested a demo (+40)');
      expect(mail.text).toContain('Visited the pricing page (+30)');
      expect(mail.text).toMatch(/First contact within 24 hours: by \w{3} \d+ \w{3} \d\d:\d\d (GMT|BST)/);
    }
    expect(mail.text).not.toContain('http://evil.example');
    expect(mail.html).not.toContain('<script>alert');
    const links = linksOf(mail);
    expect(links.lead).toBeTruthy();
    expect(links.queue).toBeTruthy();

    const { context, page } = await newPage(locale === 'ja' ? 'en-GB' : 'ja-JP');
    const first = await open(page, links.lead);
    expect(first?.status()).toBe(200);
    const headers = first!.headers();
    expect(headers['content-security-policy']).toContain("default-src 'none'");
    expect(headers['referrer-policy']).toBe('no-referrer');
    expect(headers['cache-control']).toBe('no-store');
    expect(headers['x-robots-tag']).toContain('noindex');
    // The directory's locale wins over the browser's Accept-Language.
    expect(await page.getAttribute('html', 'lang')).toBe(locale);
    expect(await page.innerText('[data-field=name]')).toBe('<script>alert(1)</script> Taro');
    expect(await page.locator('[data-section=profile] script').count()).toBe(0);
    expect(await page.innerText('[data-section=score]')).toContain(locale === 'ja' ? 'デモを依頼 (+40)' : 'Requested a demo (+40)');
    expect(await page.getAttribute('[data-deadline]', 'data-deadline')).toBe((await lead(leadId)).slaDeadline);

    // The queue from the same email lists the lead, linked to its page.
    const queue = await context.newPage();
    expect((await open(queue, links.queue))?.status()).toBe(200);
    expect(await queue.locator(`tr[data-lead="${leadId}"] a`).count()).toBe(1);
    await queue.close();

    // Accept before any contact: refused in words, not a 500.
    const early = await submit(page, 'accept', async (p) => {
      for (const k of ['budget', 'authority', 'need']) await p.check(`form[data-form=accept] input[name=${k}]`);
    });
    expect(early?.status()).toBe(409);
    expect(await page.innerText('[data-notice=error]')).toContain(locale === 'ja' ? 'ステージ' : 'stage');

    const noAnswer = await submit(page, 'contact', async (p) => {
      await p.selectOption('form[data-form=contact] select[name=outcome]', 'no_answer');
      await p.fill('form[data-form=contact] textarea[name=note]', 'rang twice');
    });
    expect(noAnswer?.status()).toBe(200);
    expect(page.url()).toContain('?done=contact');
    await page.waitForSelector('[data-notice=done]');
    expect(await lead(leadId)).toMatchObject({ stage: 'working', contactAttempts: 1, reached: false });

    await submit(page, 'contact', async (p) => {
      await p.selectOption('form[data-form=contact] select[name=outcome]', 'reached');
    });
    expect(await lead(leadId)).toMatchObject({ stage: 'working', contactAttempts: 2, reached: true });
    // The timeline shows the attempts, newest first.
    const kinds = await page.$$eval('[data-section=timeline] li[data-kind=transition]', (els) => els.map((e) => e.textContent ?? ''));
    expect(kinds.length).toBeGreaterThanOrEqual(3);

    const accepted = await submit(page, 'accept', async (p) => {
      for (const k of ['budget', 'authority', 'need', 'timeline']) await p.check(`form[data-form=accept] input[name=${k}]`);
    });
    expect(accepted?.status()).toBe(200);
    expect(await page.getAttribute('[data-message]', 'data-message')).toBe('done_accept');
    await eventually(async () => expect((await lead(leadId)).stage).toBe('sql'));
    const transitions = (await lead(leadId)).transitions as { reason: string; rep: string | null }[];
    expect(transitions.find((t) => t.reason === 'accepted')?.rep).toBe(rep);
    // Once accepted, the link no longer opens the lead: closed.
    expect((await open(page, links.lead))?.status()).toBe(410);
    expect(await page.getAttribute('[data-message]', 'data-message')).toBe('closed');
    expect(dialogs).toEqual([]);
    await context.close();
  }

  it('walks a ja rep from the email to SQL', () => walkThrough('ja'));
  it('walks an en rep from the email to SQL', () => walkThrough('en'));

  it('answers 404 to a tampered link and 410 (reassigned) to the previous owner after a missed SLA', async () => {
    const first = `rep-a-${h.tag}@sales.test`;
    const second = `rep-b-${h.tag}@sales.test`;
    const campaignId = await campaign('reassign', [first, second], { sla: '3s', maxReassignments: 1 });
    const leadId = await mqlLead(campaignId, { name: 'Hanako', company: 'Acme' });
    const owner = await eventually(async () => {
      const l = await lead(leadId);
      expect(l.owner).toBeTruthy();
      return l.owner as string;
    });
    const other = owner === first ? second : first;
    const links = linksOf(await ownerMail(owner));
    const { context, page } = await newPage('en-GB');
    const [payload, mac] = pathOf(links.lead).split('/').pop()!.split('.') as [string, string];
    const tampered = `${h.baseUrl}/app/leads/${payload}.${mac.slice(0, -2)}${mac.endsWith('AA') ? 'BB' : 'AA'}`;
    const bad = await page.goto(tampered);
    expect(bad?.status()).toBe(404);
    expect(await page.getAttribute('[data-message]', 'data-message')).toBe('not_found');

    // The SLA passes without contact: the lead goes to the other rep, whose email has a new link.
    await ownerMail(other);
    await eventually(async () => expect((await lead(leadId)).owner).toBe(other), 20_000);
    const gone = await open(page, links.lead);
    expect(gone?.status()).toBe(410);
    expect(await page.getAttribute('[data-message]', 'data-message')).toBe('reassigned');
    expect(await page.innerText('[data-message]')).toContain('reassigned');
    const fresh = linksOf(h.sink.to(other)[0]!);
    expect((await open(page, fresh.lead))?.status()).toBe(200);
    await context.close();
  });

  it('refuses a form without, or with a wrong, CSRF token or from another origin (403), and changes nothing', async () => {
    const rep = `rep-csrf-${h.tag}@sales.test`;
    const campaignId = await campaign('csrf', [rep]);
    const leadId = await mqlLead(campaignId, { name: 'Csrf', company: 'Acme' });
    const links = linksOf(await ownerMail(rep));
    const path = pathOf(links.lead);
    const page = await h.call(null, 'GET', path);
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const post = (body: string, headers: Record<string, string> = {}) => h.call(null, 'POST', `${path}/contact`, body, { ...form, ...headers });
    expect((await post('outcome=reached&channel=call')).statusCode).toBe(403);
    expect((await post(`outcome=reached&channel=call&csrf=${'A'.repeat(43)}`)).statusCode).toBe(403);
    expect((await post(`outcome=reached&channel=call&csrf=${csrf}`, { origin: 'https://evil.example' })).statusCode).toBe(403);
    expect((await post(`outcome=reached&channel=call&csrf=${csrf}`, { 'sec-fetch-site': 'cross-site' })).statusCode).toBe(403);
    expect((await post(`outcome=reached&channel=call&csrf=${csrf}`, { origin: 'null' })).statusCode).toBe(403);
    expect(await lead(leadId)).toMatchObject({ stage: 'mql', contactAttempts: 0 });
    // A bad field is named (400), with the right token; the right form then works (303 to the page).
    const invalid = await post(`outcome=maybe&channel=call&csrf=${csrf}`, { origin: h.baseUrl });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.body).toContain('outcome');
    const nul = await post(`outcome=reached&channel=call&note=a%00b&csrf=${csrf}`, { origin: h.baseUrl });
    expect(nul.statusCode).toBe(400);
    expect(nul.body).toContain('note');
    const ok = await post(`outcome=reached&channel=call&csrf=${csrf}`, { origin: new URL(PUBLIC_BASE_URL).origin, 'sec-fetch-site': 'same-origin' });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe(`${path}?done=contact`);
    expect(await lead(leadId)).toMatchObject({ stage: 'working', contactAttempts: 1, reached: true });
  });
});
