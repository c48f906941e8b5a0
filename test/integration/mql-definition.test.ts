// Changing the MQL definition safely, over HTTP on real servers: templates checked at save and sent
// as text + HTML, send windows, version pinning with migrate, and shadow scoring with its report.
import { workflowIdFor } from '../../src/temporal/client';
import { getStateQuery } from '../../workflows/messages';
import { eventually } from '../support/harness';
import { seedLeads } from './reports-seed';
import { pathOf, PUBLIC_BASE_URL, startApiHarness, type ApiHarness } from './api-support';

const MODEL = {
  fit: [{ id: 'decision-maker', attribute: 'title', pattern: 'director', points: 20 }],
  behavior: [
    { id: 'open', event: 'email_open', points: 5, maxPoints: 15 },
    { id: 'pricing', event: 'page_view', where: { page: 'pricing' }, points: 30 },
    { id: 'demo', event: 'demo_request', points: 40 },
  ],
  mql: { threshold: 70, requireAnyOf: ['pricing', 'demo'] },
};
/** The same rules without the intent requirement and with a lower threshold. */
const SHADOW = { ...MODEL, mql: { threshold: 40 } };

describe('changing the MQL definition (HTTP, dev server, PostgreSQL, SMTP)', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness('mqldef');
  });
  afterAll(async () => h?.stop());

  const policy = (tag: string) => ({ owners: [`owner-${tag}@sales.test`], manager: `manager-${tag}@sales.test`, recyclePeriod: '30d' });
  const email = (name: string) => `${name}-${h.tag}@customer.test`;
  const put = async (path: string, body: unknown, status = 201) => {
    const res = await h.call('marketing', 'PUT', path, body);
    expect([path, res.statusCode, res.statusCode >= 400 ? res.body : '']).toEqual([path, status, '']);
    return res.json();
  };
  const enrol = async (body: Record<string, unknown>) => {
    const res = await h.call('marketing', 'POST', '/v1/leads', body);
    expect(res.statusCode).toBe(201);
    return res.json().leadId as string;
  };
  const event = async (leadId: string, body: Record<string, unknown>) => expect((await h.call('marketing', 'POST', `/v1/leads/${leadId}/events`, body)).statusCode).toBe(202);
  const lead = async (leadId: string) => (await h.call('marketing', 'GET', `/v1/leads/${leadId}`)).json();
  const leadWhen = <T>(leadId: string, check: (l: any) => T) =>
    eventually(async () => {
      const l = await lead(leadId);
      check(l);
      return l;
    }, 20_000, 200);

  it('refuses a campaign whose template does not compile: 400 naming the step and the position, nothing stored', async () => {
    const id = `broken-${h.tag}`;
    const res = await h.call('marketing', 'PUT', `/v1/campaigns/${id}`, {
      name: 'broken',
      steps: [
        { id: 'a', delay: '0s', subject: 'Hi {{name}}', body: 'ok' },
        { id: 'b', delay: '1d', subject: 'ok', body: 'ok' },
        { id: 'c', delay: '1d', subject: 'Hello {{name', body: 'ok' },
      ],
      recycleSteps: [{ id: 'r', delay: '0s', subject: 'ok', body: 'Dear {{shout name}}' }],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'validation_failed',
      message: expect.stringContaining('steps.2.subject'),
      details: [
        { in: 'body', field: 'steps.2.subject', message: expect.stringMatching(/^template syntax error: .* at line 1, column 9$/) },
        { in: 'body', field: 'recycleSteps.0.body', message: expect.stringMatching(/unknown helper shout at line 1, column 6$/) },
      ],
    });
    expect((await h.call('marketing', 'GET', `/v1/campaigns/${id}`)).statusCode).toBe(404);
    // An overnight send window and an unknown lead time zone are refused too, naming the field.
    const overnight = await h.call('marketing', 'PUT', `/v1/campaigns/${id}`, { name: 'n', steps: [], sendWindow: { days: ['mon'], from: '22:00', to: '06:00' } });
    expect(overnight.json().error.details).toEqual([{ in: 'body', field: 'sendWindow.to', message: expect.stringContaining('after from') }]);
    const zone = await h.call('marketing', 'POST', '/v1/leads', { email: email('zone'), timezone: 'Mars/Olympus' });
    expect([zone.statusCode, zone.json().error.details[0].field]).toEqual([400, 'timezone']);
  });

  it('sends the text part and the HTML part of a Handlebars step: lead fields escaped in HTML, links tracked, unsubscribe added', async () => {
    const modelId = `tpl-model-${h.tag}`;
    const campaignId = `tpl-${h.tag}`;
    await put(`/v1/scoring-models/${modelId}`, MODEL);
    await put(`/v1/campaigns/${campaignId}`, {
      name: 'templates',
      scoringModel: modelId,
      policy: policy(h.tag),
      steps: [
        {
          id: 'welcome',
          delay: '0s',
          subject: '{{#if company}}{{company}}: {{/if}}ようこそ {{name}} さん',
          body: 'こんにちは {{name}} さん。\n{{#if title}}役職: {{title}}\n{{/if}}Guide: https://example.com/guide?a=1&b=2',
          html: '<html><body><p>こんにちは <b>{{name}}</b> さん</p><p><a href="https://example.com/guide?a=1&amp;b=2">Guide</a> <a href="{{unsubscribeUrl}}">配信停止</a></p></body></html>',
        },
      ],
    });
    const to = email('html');
    const leadId = await enrol({ email: to, name: '<i>山田</i> & 太郎', company: 'ACME "Japan"', campaignId });
    const [mail] = await h.sink.waitFor((all) => all.some((m) => m.to.includes(to)), 20_000, 'welcome email').then(() => h.sink.to(to));
    expect(mail!.subject).toBe('ACME "Japan": ようこそ <i>山田</i> & 太郎 さん');
    // Plain text: values as they are, the link tracked, the unsubscribe footer.
    expect(mail!.text).toContain('こんにちは <i>山田</i> & 太郎 さん。\nGuide: https://leads.example.test/t/c/');
    expect(mail!.text).toMatch(/Unsubscribe: https:\/\/leads\.example\.test\/u\//);
    // HTML: the lead's name escaped, the template's own markup kept, links tracked, the pixel at the end of the body.
    expect(mail!.html).toContain('<p>こんにちは <b>&lt;i&gt;山田&lt;/i&gt; &amp; 太郎</b> さん</p>');
    expect(mail!.html).not.toContain('<i>');
    const hrefs = [...mail!.html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
    expect(hrefs[0]).toMatch(new RegExp(`^${PUBLIC_BASE_URL}/t/c/`));
    expect(hrefs[1]).toMatch(new RegExp(`^${PUBLIC_BASE_URL}/u/`));
    expect(mail!.html).toMatch(/<img src="https:\/\/leads\.example\.test\/t\/o\/[^"]+" width="1" height="1"[^>]*>\n<\/body><\/html>/);
    const click = await h.call(null, 'GET', pathOf(hrefs[0]!));
    expect([click.statusCode, click.headers.location]).toEqual([302, 'https://example.com/guide?a=1&b=2']);
    // The unsubscribe link of the template works like the footer's.
    expect((await h.call(null, 'POST', pathOf(hrefs[1]!), 'List-Unsubscribe=One-Click', { 'content-type': 'application/x-www-form-urlencoded' })).statusCode).toBeLessThan(300);
    await leadWhen(leadId, (l) => expect(l.unsubscribed).toBe(true));
  });

  it('holds the first email of a lead outside the send window until the window opens', async () => {
    const modelId = `win-model-${h.tag}`;
    const campaignId = `win-${h.tag}`;
    // Every day but today (in Tokyo): the window cannot be open now.
    const today = new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Tokyo', weekday: 'short' }).format(new Date()).toLowerCase();
    const days = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].filter((d) => d !== today);
    await put(`/v1/scoring-models/${modelId}`, MODEL);
    await put(`/v1/campaigns/${campaignId}`, { name: 'windowed', scoringModel: modelId, policy: policy(h.tag), sendWindow: { days, from: '09:00', to: '18:00' }, steps: [{ id: 'welcome', delay: '0s', subject: 'Hi', body: 'Hi' }] });
    const to = email('window');
    const leadId = await enrol({ email: to, campaignId });
    const view = await eventually(() => h.client.workflow.getHandle(workflowIdFor(leadId)).query(getStateQuery));
    const sendAt = Date.parse(view.nurture.sendAt!);
    expect(sendAt).toBeGreaterThan(Date.now());
    expect(new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Tokyo', hour: '2-digit', minute: '2-digit' }).format(sendAt)).toBe('09:00');
    expect(view.nurture.dueAt).not.toBe(view.nurture.sendAt);
    // The workflow is waiting for the window, not sending.
    await leadWhen(leadId, (l) => expect(l.transitions.map((t: { reason: string }) => t.reason)).toEqual(['enrolled']));
    await new Promise((r) => setTimeout(r, 1500));
    expect(h.sink.to(to)).toHaveLength(0);
    expect((await h.pool.query('SELECT count(*)::int AS n FROM email_log WHERE lead_id = $1', [leadId])).rows[0].n).toBe(0);
  });

  it('keeps running leads on their versions when the model changes; POST /v1/campaigns/:id/migrate moves them, visibly', async () => {
    const modelId = `pin-model-${h.tag}`;
    const campaignId = `pin-${h.tag}`;
    await put(`/v1/scoring-models/${modelId}`, MODEL);
    await put(`/v1/campaigns/${campaignId}`, { name: 'pinned', scoringModel: modelId, policy: policy(`pin-${h.tag}`), steps: [{ id: 'welcome', delay: '0s', subject: 'Hi', body: 'Hi' }] });
    const a = await enrol({ email: email('pin-a'), title: 'IT Director', campaignId });
    const b = await enrol({ email: email('pin-b'), campaignId });

    // v2 of the model: threshold 50. Running leads keep v1 (fit 20 + pricing 30 = 50 < 70).
    expect((await put(`/v1/scoring-models/${modelId}`, { ...MODEL, mql: { threshold: 50, requireAnyOf: ['pricing', 'demo'] } })).version).toBe(2);
    await event(a, { type: 'page_view', properties: { page: 'pricing' } });
    const before = await leadWhen(a, (l) => expect(l.score.total).toBe(50));
    expect(before).toMatchObject({ stage: 'nurturing', scoringModel: { id: modelId, version: 1 }, campaignVersion: 1 });
    // A lead enrolling now gets v2.
    const c = await enrol({ email: email('pin-c'), campaignId });
    expect((await lead(c)).scoringModel.version).toBe(2);

    const migrate = await h.call('marketing', 'POST', `/v1/campaigns/${campaignId}/migrate`);
    expect(migrate.statusCode).toBe(202);
    expect(migrate.json()).toEqual({ campaignId, to: { campaignVersion: 1, scoringModel: { id: modelId, version: 2 }, shadowScoringModel: null }, signalled: 2, notRunning: 0 });

    // Under v2, lead a is an MQL: the migration hands it off and says so in its transitions.
    // (Transitions are read from PostgreSQL, which the workflow's activity writes just after.)
    const after = await leadWhen(a, (l) => expect(l.transitions.map((t: { reason: string }) => t.reason)).toEqual(['enrolled', 'migrated', 'mql', 'assigned']));
    expect(after).toMatchObject({ stage: 'mql', scoringModel: { id: modelId, version: 2 }, score: { total: 50, isMql: true } });
    expect(after.transitions[1]).toMatchObject({ from: 'nurturing', to: 'nurturing', details: { trigger: 'request', fromModel: `${modelId}@v1`, toModel: `${modelId}@v2` } });
    await leadWhen(b, (l) => expect(l.transitions.map((t: { reason: string }) => t.reason)).toEqual(['enrolled', 'migrated']));
    // Only marketing may migrate.
    expect((await h.call('sales', 'POST', `/v1/campaigns/${campaignId}/migrate`)).statusCode).toBe(403);
    // Again: every lead is on the newest versions, nobody is signalled.
    await eventually(async () => expect((await h.call('marketing', 'POST', `/v1/campaigns/${campaignId}/migrate`)).json().signalled).toBe(0));
    expect((await h.call('marketing', 'POST', '/v1/campaigns/no-such-campaign/migrate')).statusCode).toBe(404);
  });

  it('scores the shadow model beside the primary, never hands off on it, and compares the two in /v1/reports/models', async () => {
    const modelId = `ab-primary-${h.tag}`;
    const shadowId = `ab-shadow-${h.tag}`;
    const campaignId = `ab-${h.tag}`;
    await put(`/v1/scoring-models/${modelId}`, MODEL);
    await put(`/v1/scoring-models/${shadowId}`, SHADOW);
    const same = await h.call('marketing', 'PUT', `/v1/campaigns/${campaignId}`, { name: 'ab', scoringModel: modelId, shadowScoringModel: modelId, steps: [] });
    expect(same.json().error.details).toEqual([{ in: 'body', field: 'shadowScoringModel', message: expect.stringContaining('must differ') }]);
    const unknown = await h.call('marketing', 'PUT', `/v1/campaigns/${campaignId}`, { name: 'ab', scoringModel: modelId, shadowScoringModel: 'no-such-model', steps: [] });
    expect([unknown.statusCode, unknown.json().error.details[0].field]).toEqual([422, 'shadowScoringModel']);
    const owner = `owner-ab-${h.tag}@sales.test`;
    await put(`/v1/campaigns/${campaignId}`, { name: 'ab', scoringModel: modelId, shadowScoringModel: shadowId, policy: { owners: [owner] }, steps: [] });

    const director = { title: 'IT Director', campaignId };
    const [accepted, shadowOnly, demoOnly, neither, rejected] = [
      await enrol({ email: email('ab-accepted'), ...director }),
      await enrol({ email: email('ab-shadow'), ...director }),
      await enrol({ email: email('ab-demo'), title: 'Engineer', campaignId }),
      await enrol({ email: email('ab-neither'), campaignId }),
      await enrol({ email: email('ab-rejected'), ...director }),
    ];

    // Pricing: 20 + 30 = 50 → the shadow says MQL (≥ 40), the primary does not (< 70).
    await event(shadowOnly, { type: 'page_view', properties: { page: 'pricing' } });
    const s = await leadWhen(shadowOnly, (l) => expect(l.shadowMqlAt).not.toBeNull());
    expect(s).toMatchObject({ stage: 'nurturing', owner: null, score: { total: 50, isMql: false }, shadowScore: { model: { id: shadowId, version: 1 }, total: 50, isMql: true } });
    await eventually(async () => expect((await h.client.workflow.getHandle(workflowIdFor(shadowOnly)).describe()).searchAttributes).toMatchObject({ ShadowScore: [50], LeadScore: [50] }));
    // A demo alone: 40 for both; the shadow says MQL, the primary does not.
    await event(demoOnly, { type: 'demo_request' });
    await leadWhen(demoOnly, (l) => expect(l.shadowScore).toMatchObject({ total: 40, isMql: true }));

    // Both say MQL; the primary hands off.
    for (const id of [accepted, rejected]) {
      await event(id, { type: 'page_view', properties: { page: 'pricing' } });
      await event(id, { type: 'demo_request' });
      await leadWhen(id, (l) => {
        expect(l.stage).toBe('mql');
        expect(l.owner).toBeTruthy();
      });
    }
    expect((await h.call('sales', 'POST', `/v1/leads/${accepted}/contact`, { rep: owner, channel: 'call' })).statusCode).toBe(200);
    expect((await h.call('sales', 'POST', `/v1/leads/${accepted}/accept`, { rep: owner, bant: { budget: true, authority: true, need: true, timeline: true } })).statusCode).toBe(200);
    expect((await h.call('sales', 'POST', `/v1/leads/${rejected}/reject`, { rep: owner, reason: 'no_budget' })).statusCode).toBe(200);

    // Only the primary's handoffs reached sales.
    await h.sink.waitFor(() => h.sink.to(owner).length >= 2, 20_000, 'handoff emails');
    await new Promise((r) => setTimeout(r, 500));
    expect(h.sink.to(owner)).toHaveLength(2);
    await eventually(async () => {
      const { rows } = await h.pool.query(`SELECT l.lead_id, array_agg(t.reason ORDER BY t.seq) AS reasons FROM leads l JOIN lead_transitions t USING (lead_id) WHERE l.campaign_id = $1 GROUP BY l.lead_id`, [campaignId]);
      const byLead = Object.fromEntries(rows.map((r) => [r.lead_id, r.reasons]));
      expect(byLead[shadowOnly]).toEqual(['enrolled', 'shadow_mql']);
      expect(byLead[demoOnly]).toEqual(['enrolled', 'shadow_mql']);
      expect(byLead[neither]).toEqual(['enrolled']);
      expect(byLead[accepted]).toEqual(['enrolled', 'shadow_mql', 'mql', 'assigned', 'contacted', 'accepted']);
      expect(byLead[rejected]).toEqual(['enrolled', 'shadow_mql', 'mql', 'assigned', 'rejected']);
    });

    // By hand: 5 leads. Primary: MQL accepted + rejected (2), SQL accepted (1). Shadow: MQL accepted, rejected,
    // shadowOnly, demoOnly (4), SQL accepted (1). Both: 2; shadow only: 2; neither: 1.
    const report = await eventually(async () => {
      const res = await h.call('ops', 'GET', `/v1/reports/models?campaignId=${campaignId}`);
      expect(res.statusCode).toBe(200);
      expect(res.json().primary.sqls).toBe(1);
      return res.json();
    });
    const expected = {
      leads: 5,
      primary: { mqls: 2, sqls: 1, mqlToSql: { of: 2, count: 1, rate: 0.5 } },
      shadow: { mqls: 4, sqls: 1, mqlToSql: { of: 4, count: 1, rate: 0.25 } },
      agreement: { both: 2, primaryOnly: 0, shadowOnly: 2, neither: 1 },
    };
    expect(report).toEqual({ campaignId, range: { from: null, to: null }, ...expected, byModels: [{ model: { id: modelId, version: 1 }, shadowModel: { id: shadowId, version: 1 }, ...expected }] });
    // A period with nobody enrolled, and a bad period.
    const empty = (await h.call('marketing', 'GET', `/v1/reports/models?campaignId=${campaignId}&from=2020-01-01&to=2020-02-01`)).json();
    expect(empty).toMatchObject({ leads: 0, primary: { mqls: 0, mqlToSql: { rate: null } }, byModels: [] });
    const bad = await h.call('marketing', 'GET', `/v1/reports/models?campaignId=${campaignId}&from=2020-02-01&to=2020-01-01`);
    expect([bad.statusCode, bad.json().error.details[0].field]).toEqual([400, 'from']);
    expect((await h.call('sales', 'GET', `/v1/reports/models?campaignId=${campaignId}`)).statusCode).toBe(403);
  });

  it('counts a shadow MQL as converted only when the acceptance is in the same cycle', async () => {
    const campaignId = `ab-seed-${h.tag}`;
    const ids = await seedLeads(h.pool, h.tag, [
      // Shadow MQL in cycle 0, rejected; primary MQL in cycle 1 and accepted there: primary SQL, shadow not.
      { name: 'Cycles', campaignId, stage: 'sql', steps: [
        { reason: 'enrolled', to: 'nurturing', at: '2026-01-05T10:00:00Z' },
        { reason: 'shadow_mql', to: 'nurturing', at: '2026-01-05T11:00:00Z' },
        { reason: 'mql', to: 'mql', at: '2026-01-06T10:00:00Z' },
        { reason: 'rejected', to: 'recycled', at: '2026-01-06T12:00:00Z', rejectionReason: 'bad_timing' },
        { reason: 'recycle_period_over', to: 'nurturing', at: '2026-02-06T12:00:00Z' },
        { reason: 'mql', to: 'mql', at: '2026-02-07T12:00:00Z' },
        { reason: 'contacted', to: 'working', at: '2026-02-07T13:00:00Z' },
        { reason: 'accepted', to: 'sql', at: '2026-02-08T13:00:00Z' },
      ] },
      // Shadow and primary MQL in the same cycle, accepted: both converted.
      { name: 'Same', campaignId, stage: 'sql', steps: [
        { reason: 'enrolled', to: 'nurturing', at: '2026-01-05T10:00:00Z' },
        { reason: 'mql', to: 'mql', at: '2026-01-05T11:00:00Z' },
        { reason: 'shadow_mql', to: 'mql', at: '2026-01-05T11:00:00Z' },
        { reason: 'contacted', to: 'working', at: '2026-01-05T12:00:00Z' },
        { reason: 'accepted', to: 'sql', at: '2026-01-06T12:00:00Z' },
      ] },
      // No shadow model: not in the compared population.
      { name: 'NoShadow', campaignId, stage: 'mql', steps: [
        { reason: 'enrolled', to: 'nurturing', at: '2026-01-05T10:00:00Z' },
        { reason: 'mql', to: 'mql', at: '2026-01-05T11:00:00Z' },
      ] },
    ]);
    await h.pool.query(`UPDATE leads SET shadow_model_id = 'shadow', shadow_model_version = 3 WHERE lead_id = ANY($1)`, [[ids.Cycles, ids.Same]]);
    const report = (await h.call('marketing', 'GET', `/v1/reports/models?campaignId=${campaignId}`)).json();
    expect(report).toMatchObject({
      leads: 2,
      primary: { mqls: 2, sqls: 2, mqlToSql: { rate: 1 } },
      shadow: { mqls: 2, sqls: 1, mqlToSql: { rate: 0.5 } },
      agreement: { both: 2, primaryOnly: 0, shadowOnly: 0, neither: 0 },
      byModels: [{ model: { id: 'default', version: 1 }, shadowModel: { id: 'shadow', version: 3 }, leads: 2 }],
    });
    // Enrolment period filter: both were enrolled on 2026-01-05.
    expect((await h.call('marketing', 'GET', `/v1/reports/models?campaignId=${campaignId}&from=2026-01-06`)).json().leads).toBe(0);
  });
});
