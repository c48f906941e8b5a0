// The dashboard in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core): it loads,
// signs in with an API key, shows the seeded numbers, escapes data, switches to Japanese, and leaves a
// screenshot in test-artifacts/.
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { KEYS, startApiHarness, type ApiHarness } from './api-support';
import { launchChromium } from './dashboard-browser';
import { funnelScenario, seedCampaign, seedLeads, slaScenario } from './reports-seed';

const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');

describe('dashboard in headless Chromium', () => {
  let h: ApiHarness;
  let browser: Browser;
  let page: Page;
  let src: string;
  let slaCampaign: string;
  let ids: Record<string, string>;
  const problems: string[] = [];

  beforeAll(async () => {
    h = await startApiHarness('dashboard');
    src = `src-${h.tag}`;
    slaCampaign = `dashS-${h.tag}`;
    await seedLeads(h.pool, h.tag, funnelScenario(`dashA-${h.tag}`, `dashB-${h.tag}`, src, `other-${h.tag}`));
    await seedCampaign(h.pool, slaCampaign, 1, { sla: '24h' });
    await seedCampaign(h.pool, slaCampaign, 2, { sla: '3h' });
    ids = await seedLeads(h.pool, `${h.tag}s`, slaScenario(slaCampaign, new Date()));
    // S2 is in its second cycle: this cycle's escalation never arrived; the first cycle's owner email no longer counts.
    for (const [key, kind] of [[`owner:${ids.S2}:0:1`, 'owner'], [`sla:${ids.S2}:1:1`, 'escalation']] as const) {
      await h.pool.query(
        `INSERT INTO email_log (idempotency_key, lead_id, kind, recipient, subject, message_id, status, attempts, error, failure_kind, failed_at)
         VALUES ($1, $2, $3, 'manager@sales.test', 's', $1, 'failed', 25, '535 5.7.8 authentication failed', 'auth', now())`,
        [key, ids.S2, kind],
      );
    }
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB', timezoneId: 'UTC' });
    page = await context.newPage();
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
    });
  });
  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  const text = (selector: string) => page.locator(selector).first().innerText();

  async function applyFilters(f: { from?: string; to?: string; campaign?: string; source?: string; tz?: string }) {
    await page.fill('#f-from', f.from ?? '');
    await page.fill('#f-to', f.to ?? '');
    await page.fill('#f-campaign', f.campaign ?? '');
    await page.fill('#f-source', f.source ?? '');
    await page.fill('#f-tz', f.tz ?? 'UTC');
    const answered = page.waitForResponse((r) => r.url().includes('/v1/reports/funnel'));
    await page.click('#filters button[type=submit]');
    await answered;
  }

  it('serves the page without a key, with a strict content security policy', async () => {
    const res = await page.goto(`${h.baseUrl}/dashboard`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
    expect(await page.isVisible('#signin')).toBe(true);
    expect(await page.isVisible('#app')).toBe(false);
  });

  it('refuses an unknown key and stays signed out', async () => {
    await page.fill('#apikey', 'not-a-key-at-all-000000');
    await page.click('#signin button[type=submit]');
    await page.waitForFunction("document.getElementById('signin-error').textContent !== ''");
    expect(await text('#signin-error')).toBe('This API key was refused.');
    expect(await page.evaluate("sessionStorage.getItem('leadloop.apiKey')")).toBeNull();
  });

  it('signs in and shows the seeded funnel numbers', async () => {
    await page.fill('#apikey', KEYS.marketing);
    await page.click('#signin button[type=submit]');
    await page.waitForSelector('body[data-loaded=true]');
    // The key is in this tab's sessionStorage only: not in the URL, not in localStorage, not left in the form.
    expect(page.url()).toBe(`${h.baseUrl}/dashboard`);
    expect(await page.evaluate("sessionStorage.getItem('leadloop.apiKey')")).toBe(KEYS.marketing);
    expect(await page.evaluate('JSON.stringify(localStorage)')).not.toContain(KEYS.marketing);
    expect(await page.inputValue('#apikey')).toBe('');

    // The period of the scenario: 2026-01-05 .. 2026-01-18 (the page sends to=2026-01-19, exclusive).
    await applyFilters({ from: '2026-01-05', to: '2026-01-18', source: src, tz: 'UTC' });
    await page.waitForSelector('svg[data-chart=funnel] g[data-key=leads][data-value="6"]');
    const bars = await page.$$eval('svg[data-chart=funnel] g', (gs) => gs.map((g) => [g.getAttribute('data-key'), g.querySelector('.bar-value')!.textContent]));
    // the hand-computed totals of test/integration/reports.test.ts
    expect(bars).toEqual([['leads', '6'], ['mqls', '7'], ['contacted', '5'], ['sqls', '2'], ['recycled', '3'], ['disqualified', '1']]);
    expect(await text('[data-metric=mqlToSql]')).toContain('28.6%');
    expect(await text('[data-metric=mqlToSql]')).toContain('2 of 7');
    expect(await text('[data-metric=leadToMql]')).toContain('83.3%');
    expect(await text('[data-metric=slaCompliance]')).toContain('57.1%');
    expect(await text('[data-metric=medianContact]')).toContain('3h 0m'); // 10800 s
    // None of these campaigns has business hours: the card says the clock is wall-clock time.
    expect(await text('[data-metric=medianContact]')).toContain('wall-clock time');
    expect(await text('[data-metric=slaBreaches]')).toContain('4');
    // MQL→SQL against the 30% benchmark: below it
    expect(await page.textContent('svg[data-chart=benchmark]')).toContain('below the benchmark');
    expect(await page.getAttribute('svg[data-chart=benchmark] line', 'x1')).toBe(String(10 + 0.3 * 600));
    const reasons = await page.$$eval('svg[data-chart=reasons] g', (gs) => gs.map((g) => [g.getAttribute('data-key'), g.getAttribute('data-value')]));
    expect(reasons).toEqual([['bad_fit', '1'], ['bad_timing', '1'], ['no_budget', '1']]);
    expect(await page.textContent('svg[data-chart=reasons]')).toContain('Bad fit');
    const weeks = await page.$$eval('svg[data-chart=weekly] g[data-week]', (gs) => gs.map((g) => [g.getAttribute('data-week'), g.getAttribute('data-mqls'), g.getAttribute('data-sqls')]));
    expect(weeks).toEqual([['2026-01-05', '4', '1'], ['2026-01-12', '3', '1']]);
    expect(await page.$$eval('#by-campaign tbody tr', (rows) => rows.map((r) => r.getAttribute('data-campaign')))).toEqual([`dashA-${h.tag}`, `dashB-${h.tag}`]);
  });

  it('shows the SLA board breached first, escaped, each lead linked to its Temporal history', async () => {
    await applyFilters({ campaign: slaCampaign, tz: 'UTC' });
    await page.waitForSelector(`#sla-board tr[data-lead="${ids.S1}"]`);
    const order = await page.$$eval('#sla-board tbody tr', (rows) => rows.map((r) => [r.getAttribute('data-lead'), r.classList.contains('breached')]));
    expect(order).toEqual([[ids.S3, true], [ids.S2, true], [ids.S5, false], [ids.S1, false]]);
    expect(await text('[data-sla-summary]')).toBe('4 open · 2 breached');
    // Lead names carry "<b>…</b>": shown as text, never parsed as HTML.
    const link = page.locator(`#sla-board tr[data-lead="${ids.S1}"] a`);
    expect(await link.innerText()).toBe(`S1 <b>${h.tag}s</b> · Company S1`);
    expect(await page.locator('#sla-board b').count()).toBe(0);
    expect(await link.getAttribute('href')).toBe(`${process.env.TEST_TEMPORAL_UI_URL}/namespaces/default/workflows/lead-${ids.S1}`);
    expect(await text(`#sla-board tr[data-lead="${ids.S3}"]`)).toContain('overdue');
    // The escalation that never arrived is marked on its lead only.
    expect(await page.$$eval('#sla-board [data-undelivered]', (els) => els.map((e) => [e.closest('tr')!.getAttribute('data-lead'), e.getAttribute('data-undelivered'), e.textContent]))).toEqual([
      [ids.S2, '1', 'email not delivered'],
    ]);
    const board = (await h.call('sales', 'GET', `/v1/reports/sla?campaignId=${slaCampaign}`)).json();
    expect(board.entries.find((e: { leadId: string }) => e.leadId === ids.S2).undeliveredNotices).toEqual([
      { kind: 'escalation', status: 'failed', at: expect.any(String), error: '535 5.7.8 authentication failed' },
    ]);
  });

  it('switches the labels to Japanese and saves a screenshot', async () => {
    await applyFilters({ from: '2026-01-05', to: '2026-01-18', source: src, tz: 'UTC' });
    await page.waitForSelector('svg[data-chart=funnel] g[data-key=leads][data-value="6"]');
    await page.click('#lang');
    expect(await page.getAttribute('html', 'lang')).toBe('ja');
    expect(await text('h2[data-i18n=funnel]')).toBe('ファネル');
    expect(await page.textContent('svg[data-chart=funnel] g[data-key=leads]')).toContain('リード');
    expect(await page.textContent('svg[data-chart=reasons]')).toContain('予算なし');
    expect(await page.$$eval('#sla-board [data-undelivered]', (els) => els.map((e) => e.textContent))).toContain('メール未達');
    expect(await text('[data-metric=mqlToSql]')).toContain('28.6%');
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = join(ARTIFACTS, 'dashboard-ja.png');
    await page.screenshot({ path: file, fullPage: true });
    expect(statSync(file).size).toBeGreaterThan(10_000);
    await page.click('#lang');
    expect(await text('h2[data-i18n=funnel]')).toBe('Funnel');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-en.png'), fullPage: true });
  });

  it('shows a sales key the SLA board only, and signs out', async () => {
    await page.click('#signout');
    expect(await page.evaluate("sessionStorage.getItem('leadloop.apiKey')")).toBeNull();
    expect(await page.isVisible('#signin')).toBe(true);
    await page.fill('#apikey', KEYS.sales);
    await page.click('#signin button[type=submit]');
    await page.waitForSelector('body[data-loaded=true]');
    expect(await text('#status')).toContain('may not read the funnel');
    expect(await page.isVisible('#funnel-block')).toBe(false);
    expect(await page.isVisible('#sla-board table')).toBe(true);
    expect(problems.filter((p) => !p.includes('403') && !p.includes('401'))).toEqual([]);
  });
});
