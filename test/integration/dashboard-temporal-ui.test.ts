// The Temporal Web UI of the test dev server, in headless Chromium: one lead's history (the link the
// dashboard and GET /v1/leads/:leadId give) shows the nurture email activity, the handoff to sales and
// the SLA timer with its summary.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { eventually } from '../support/harness';
import { startApiHarness, type ApiHarness } from './api-support';
import { launchChromium } from './dashboard-browser';

const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');

describe('Temporal Web UI history of a lead, in headless Chromium', () => {
  let h: ApiHarness;
  let browser: Browser;

  beforeAll(async () => {
    h = await startApiHarness('dashboard-ui');
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  it('shows the nurture email, the handoff and the SLA timer with its summary', async () => {
    const model = `uimodel-${h.tag}`;
    const campaign = `uicampaign-${h.tag}`;
    const owner = `owner-${h.tag}@sales.test`;
    expect((await h.call('marketing', 'PUT', `/v1/scoring-models/${model}`, {
      behavior: [{ id: 'demo', event: 'demo_request', points: 80 }],
      mql: { threshold: 70, requireAnyOf: ['demo'] },
    })).statusCode).toBe(201);
    expect((await h.call('marketing', 'PUT', `/v1/campaigns/${campaign}`, {
      name: 'UI test',
      scoringModel: model,
      steps: [{ id: 'welcome', delay: '0s', subject: 'Welcome {{name}}', body: 'Hello {{name}}' }],
      policy: { sla: '24h', owners: [owner], manager: `manager-${h.tag}@sales.test` },
    })).statusCode).toBe(201);
    const enrolled = await h.call('marketing', 'POST', '/v1/leads', { email: `ui-${h.tag}@customer.test`, name: 'UI Lead', campaignId: campaign });
    expect(enrolled.statusCode).toBe(201);
    const { leadId } = enrolled.json();
    // the welcome email first, then the demo request makes it an MQL
    await h.sink.waitFor((all) => all.some((m) => m.to.includes(`ui-${h.tag}@customer.test`)), 30_000, 'the welcome email');
    expect((await h.call('marketing', 'POST', `/v1/leads/${leadId}/events`, { type: 'demo_request' })).statusCode).toBe(202);
    const lead = await eventually(async () => {
      const l = (await h.call('sales', 'GET', `/v1/leads/${leadId}`)).json();
      expect(l.stage).toBe('mql');
      // Routing names the owner a moment after the handoff.
      expect(l.owner).toBeTruthy();
      return l;
    });
    const uiUrl: string = lead.temporal.uiUrl;
    expect(uiUrl.startsWith(process.env.TEST_TEMPORAL_UI_URL!)).toBe(true);

    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(uiUrl);
    // The Event History lists each event as a row with its type and summary (user metadata).
    const rowsOf = (type: string) => page.locator('tr').filter({ hasText: type }).allInnerTexts();
    const flat = (rows: string[]) => rows.map((r) => r.replace(/\s+/g, ' ').trim());
    await eventually(async () => {
      const activities = flat(await rowsOf('Activity Task Scheduled'));
      expect(activities.some((r) => r.includes('Activity Type sendNurtureEmail') && r.includes("Summary Nurture email: step welcome 'Welcome {{name}}' (cycle 0)"))).toBe(true);
      expect(activities.some((r) => r.includes('Activity Type notifyOwner') && r.includes(`Summary Hand off to ${owner} (score 80)`))).toBe(true);
      const timers = flat(await rowsOf('Timer Started'));
      // the SLA timer, with the owner and the deadline (24h from the handoff) in its summary
      const sla = timers.find((r) => r.includes(`Summary SLA: first contact by ${owner} due `));
      expect(sla).toBeDefined();
      expect(sla).toMatch(/23 hours, 59 minutes, 59|1 day|24 hours/);
      expect(sla).toContain(`due ${lead.slaDeadline}`);
    }, 30_000);
    await page.locator('tr').filter({ hasText: 'Timer Started' }).first().scrollIntoViewIfNeeded();
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'temporal-ui-lead.png'), fullPage: true });
  });
});
