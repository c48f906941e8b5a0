// The whole path over HTTP on real servers: catalog → enrol → events → MQL → owner email → sales
// actions; tracking links, unsubscribe and erasure.
import { WorkflowNotFoundError } from '@temporalio/client';
import { workflowIdFor } from '../../src/temporal/client';
import { eventually } from '../support/harness';
import { pathOf, startApiHarness, type ApiHarness } from './api-support';

describe('HTTP API end to end (dev server, PostgreSQL, SMTP)', () => {
  let h: ApiHarness;
  let modelId: string;
  let campaignId: string;

  beforeAll(async () => {
    h = await startApiHarness('api-flow');
    modelId = `model-${h.tag}`;
    campaignId = `campaign-${h.tag}`;
  });
  afterAll(async () => h?.stop());

  const owners = () => [`owner1-${h.tag}@sales.test`, `owner2-${h.tag}@sales.test`];
  const leadEmail = (name: string) => `${name}-${h.tag}@customer.test`;

  async function enrol(email: string, extra: Record<string, unknown> = {}, campaign = campaignId) {
    const res = await h.call('marketing', 'POST', '/v1/leads', { email, name: '山田 太郎', company: '株式会社テスト', title: 'Director of IT', campaignId: campaign, ...extra });
    expect([200, 201]).toContain(res.statusCode);
    return res.json() as { leadId: string; stage: string; created: boolean };
  }

  async function makeMql(leadId: string) {
    for (const event of [{ type: 'page_view', properties: { page: 'pricing' } }, { type: 'demo_request' }]) {
      const res = await h.call('marketing', 'POST', `/v1/leads/${leadId}/events`, event);
      expect(res.statusCode).toBe(202);
    }
    return eventually(async () => {
      const lead = (await h.call('sales', 'GET', `/v1/leads/${leadId}`)).json();
      expect(lead.stage).toBe('mql');
      // Routing names the owner a moment after the handoff.
      expect(lead.owner).toBeTruthy();
      return lead;
    });
  }

  it('stores versioned scoring models and campaigns', async () => {
    const model = {
      fit: [{ id: 'decision-maker', attribute: 'title', pattern: 'director|部長', points: 20 }],
      behavior: [
        { id: 'pricing', event: 'page_view', where: { page: 'pricing' }, points: 30 },
        { id: 'demo', event: 'demo_request', points: 40 },
      ],
      mql: { threshold: 70, requireAnyOf: ['pricing', 'demo'] },
    };
    const put = await h.call('marketing', 'PUT', `/v1/scoring-models/${modelId}`, model);
    expect(put.statusCode).toBe(201);
    expect(put.json()).toEqual({ id: modelId, version: 1, created: true });
    // The same body again: PUT is idempotent, no new version.
    expect((await h.call('marketing', 'PUT', `/v1/scoring-models/${modelId}`, model)).json()).toEqual({ id: modelId, version: 1, created: false });

    const campaign = {
      name: 'API テスト',
      scoringModel: modelId,
      steps: [
        { id: 'welcome', delay: '0s', subject: 'ようこそ、{{name}}さん', body: 'こんにちは {{name}} さん。事例: https://example.com/case-study?utm=mail' },
        { id: 'second', delay: '2s', subject: 'Second step', body: 'More at https://example.com/more' },
      ],
      policy: { sla: '1h', recyclePeriod: '2s', owners: owners(), manager: `manager-${h.tag}@sales.test` },
    };
    const v1 = await h.call('marketing', 'PUT', `/v1/campaigns/${campaignId}`, campaign);
    expect(v1.statusCode).toBe(201);
    expect(v1.json()).toEqual({ id: campaignId, version: 1, created: true });
    const v2 = await h.call('marketing', 'PUT', `/v1/campaigns/${campaignId}`, { ...campaign, name: 'API テスト v2' });
    expect(v2.json()).toEqual({ id: campaignId, version: 2, created: true });

    const current = await h.call('ops', 'GET', `/v1/campaigns/${campaignId}`);
    expect(current.statusCode).toBe(200);
    expect(current.json()).toMatchObject({
      id: campaignId,
      version: 2,
      name: 'API テスト v2',
      scoringModel: modelId,
      // Defaults filled in for the policy fields not given.
      policy: { sla: '1h', maxReassignments: 2, qualificationWindow: '14d', recyclePeriod: '2s', bantRequired: 3, owners: owners() },
      versions: [{ version: 2 }, { version: 1 }],
    });
    expect((await h.call('marketing', 'GET', `/v1/campaigns/${campaignId}/versions/1`)).json()).toMatchObject({ version: 1, name: 'API テスト' });
    expect((await h.call('marketing', 'GET', `/v1/scoring-models/${modelId}`)).json()).toMatchObject({ id: modelId, version: 1, behaviorWindow: '90d' });
    // The shipped defaults exist after migrate.
    expect((await h.call('marketing', 'GET', '/v1/campaigns/default')).json()).toMatchObject({ id: 'default', scoringModel: 'default' });
    expect((await h.call('marketing', 'GET', '/v1/scoring-models/default')).json()).toMatchObject({ id: 'default', mql: { threshold: 70 } });
    // A campaign naming an unknown model is refused, naming the field.
    const bad = await h.call('marketing', 'PUT', `/v1/campaigns/${campaignId}-bad`, { ...campaign, scoringModel: 'no-such-model' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error).toMatchObject({ code: 'unknown_reference', details: [{ field: 'scoringModel' }] });
  });

  it('enrol → events → MQL → owner email → contact → accept (SQL)', async () => {
    const email = leadEmail('yamada');
    const first = await enrol(email);
    expect(first).toMatchObject({ stage: 'nurturing', created: true });
    const again = await enrol(`  ${email.toUpperCase()} `, { title: '営業部長' });
    expect(again).toEqual({ leadId: first.leadId, stage: 'nurturing', created: false });

    const [welcome] = await h.sink.waitFor((all) => all.some((m) => m.to.includes(email)), 20_000, 'welcome email').then(() => h.sink.to(email));
    expect(welcome!.subject).toBe('ようこそ、山田 太郎さん');
    // mailparser folds the List-* headers into one structured 'list' header.
    expect(welcome!.headers.get('list')).toMatchObject({ unsubscribe: { url: expect.stringMatching(/^https:\/\/leads\.example\.test\/u\//) }, 'unsubscribe-post': { name: 'List-Unsubscribe=One-Click' } });
    expect(String(welcome!.text)).toMatch(/Unsubscribe: https:\/\/leads\.example\.test\/u\//);
    expect(welcome!.text).not.toContain('https://example.com/case-study');

    const lead = await makeMql(first.leadId);
    expect(lead).toMatchObject({
      email,
      name: '山田 太郎',
      stage: 'mql',
      campaignId,
      campaignVersion: 2,
      scoringModel: { id: modelId, version: 1 },
      score: { total: 90, fit: 20, behavior: 70, isMql: true },
      temporal: { workflowId: workflowIdFor(first.leadId), live: true },
    });
    expect(owners()).toContain(lead.owner);
    expect(lead.score.breakdown.map((l: { ruleId: string }) => l.ruleId).sort()).toEqual(['decision-maker', 'demo', 'pricing']);
    expect(lead.temporal.uiUrl).toMatch(new RegExp(`/namespaces/default/workflows/lead-${first.leadId}/[0-9a-f-]+/history$`));
    expect(lead.slaDeadline).not.toBeNull();

    const ownerMail = await h.sink.waitFor((all) => all.some((m) => m.to.includes(lead.owner)), 20_000, 'owner email').then(() => h.sink.to(lead.owner));
    expect(ownerMail[0]!.subject).toMatch(/New MQL for you \(score 90\)/);

    // Accept before contact is illegal in stage mql.
    const early = await h.call('sales', 'POST', `/v1/leads/${first.leadId}/accept`, { rep: lead.owner, bant: { budget: true, authority: true, need: true, timeline: true } });
    expect(early.statusCode).toBe(409);
    expect(early.json().error.code).toBe('illegal_stage');
    expect(early.json().error.message).toMatch(/mql/);

    const contact = await h.call('sales', 'POST', `/v1/leads/${first.leadId}/contact`, { rep: lead.owner, channel: 'call', note: '電話しました' });
    expect(contact.statusCode).toBe(200);
    expect(contact.json()).toMatchObject({ stage: 'working', withinSla: true });
    expect(Date.parse(contact.json().contactedAt)).not.toBeNaN();

    const tooFew = await h.call('sales', 'POST', `/v1/leads/${first.leadId}/accept`, { rep: lead.owner, bant: { budget: true, authority: true, need: false, timeline: false } });
    expect(tooFew.statusCode).toBe(422);
    expect(tooFew.json().error).toMatchObject({ code: 'bant_insufficient' });
    expect(tooFew.json().error.message).toMatch(/at least 3/);

    const accept = await h.call('sales', 'POST', `/v1/leads/${first.leadId}/accept`, { rep: lead.owner, bant: { budget: true, authority: true, need: true, timeline: false } });
    expect(accept.statusCode).toBe(200);
    expect(accept.json()).toEqual({ stage: 'sql' });

    // The workflow has completed: every further action is a conflict, never a 500.
    await eventually(async () => {
      const res = await h.call('sales', 'POST', `/v1/leads/${first.leadId}/reject`, { rep: lead.owner, reason: 'other' });
      expect(res.statusCode).toBe(409);
    });
    const final = await eventually(async () => {
      const body = (await h.call('ops', 'GET', `/v1/leads/${first.leadId}`)).json();
      expect(body.stage).toBe('sql');
      expect(body.transitions.map((t: { to: string }) => t.to)).toEqual(['nurturing', 'mql', 'mql', 'working', 'sql']);
      expect(body.temporal.status).toBe('COMPLETED');
      return body;
    });
    expect(final.owner).toBe(lead.owner);

    const list = await h.call('sales', 'GET', `/v1/leads?stage=sql&owner=${encodeURIComponent(lead.owner)}`);
    expect(list.json().items.map((i: { leadId: string }) => i.leadId)).toEqual([first.leadId]);
  });

  it('the lead list shows the score that events move without a transition, as the detail does', async () => {
    const { leadId } = await enrol(leadEmail('list-score'));
    const listed = async () => {
      const items = (await h.call('marketing', 'GET', `/v1/leads?campaignId=${campaignId}&limit=200`)).json().items as { leadId: string; score: number; stage: string }[];
      return items.find((i) => i.leadId === leadId);
    };
    expect(await listed()).toMatchObject({ score: 20, stage: 'nurturing' });
    expect((await h.call('marketing', 'POST', `/v1/leads/${leadId}/events`, { type: 'page_view', properties: { page: 'pricing' } })).statusCode).toBe(202);
    const detail = await eventually(async () => {
      const body = (await h.call('marketing', 'GET', `/v1/leads/${leadId}`)).json();
      expect(body.score.total).toBe(50);
      return body;
    });
    // No transition (50 is below the threshold): the list catches up a few seconds later (docs/api.md).
    await eventually(async () => expect(await listed()).toMatchObject({ score: detail.score.total, stage: detail.stage }), 15_000, 250);
  });

  it("a business-hours campaign (README's tour): SLA in business hours, attempts that do not reach the lead, 400 naming the field", async () => {
    const businessHours = { timeZone: 'Asia/Tokyo', days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '18:00', holidays: 'jp', closed: ['2026-12-29'] };
    const campaign = (policy: Record<string, unknown>) => ({ name: '東京営業', scoringModel: modelId, steps: [{ id: 'welcome', delay: '0s', subject: 'ようこそ', body: '資料' }], policy: { owners: owners(), manager: `boss-${h.tag}@sales.test`, ...policy } });
    const refused = await h.call('marketing', 'PUT', `/v1/campaigns/tokyo-${h.tag}`, campaign({ sla: '8bh' }));
    expect(refused.statusCode).toBe(400);
    expect(JSON.stringify(refused.json().error)).toContain('policy.sla');
    const badHours = await h.call('marketing', 'PUT', `/v1/campaigns/tokyo-${h.tag}`, campaign({ sla: '8bh', businessHours: { ...businessHours, from: '25:00' } }));
    expect(badHours.statusCode).toBe(400);
    expect(JSON.stringify(badHours.json().error)).toContain('businessHours.from');
    expect((await h.call('marketing', 'PUT', `/v1/campaigns/tokyo-${h.tag}`, campaign({ sla: '8bh', businessHours, maxContactAttempts: 2 }))).statusCode).toBe(201);

    const { leadId } = await enrol(leadEmail('tokyo'), {}, `tokyo-${h.tag}`);
    const lead = await makeMql(leadId);
    expect(Date.parse(lead.slaDeadline)).toBeGreaterThan(Date.parse(lead.mqlAt));
    const tokyoHour = new Date(Date.parse(lead.slaDeadline) + 9 * 3600_000).getUTCHours() + new Date(Date.parse(lead.slaDeadline)).getUTCMinutes() / 60;
    expect(tokyoHour).toBeGreaterThan(9);
    expect(tokyoHour).toBeLessThanOrEqual(18);
    const first = await h.call('sales', 'POST', `/v1/leads/${leadId}/contact`, { rep: lead.owner, channel: 'call', outcome: 'no_answer' });
    expect(first.json()).toMatchObject({ stage: 'working', withinSla: true, contactAttempts: 1, reached: false });
    expect((await h.call('sales', 'POST', `/v1/leads/${leadId}/contact`, { rep: lead.owner, channel: 'call', outcome: 'maybe' })).statusCode).toBe(400);
    const second = await h.call('sales', 'POST', `/v1/leads/${leadId}/contact`, { rep: lead.owner, channel: 'email', outcome: 'left_message' });
    expect(second.json()).toMatchObject({ stage: 'recycled', contactAttempts: 2, reached: false });
    const detail = (await h.call('sales', 'GET', `/v1/leads/${leadId}`)).json();
    expect(detail.lastRejection).toMatchObject({ reason: 'unreachable' });
  });

  it('reject → recycled → nurturing again after the recycle period', async () => {
    const { leadId } = await enrol(leadEmail('suzuki'));
    const lead = await makeMql(leadId);
    const reject = await h.call('sales', 'POST', `/v1/leads/${leadId}/reject`, { rep: lead.owner, reason: 'bad_timing', note: '来期に再検討' });
    expect(reject.statusCode).toBe(200);
    expect(reject.json().stage).toBe('recycled');
    expect(Date.parse(reject.json().recycleAt)).toBeGreaterThan(Date.now() - 1000);
    const back = await eventually(async () => {
      const body = (await h.call('marketing', 'GET', `/v1/leads/${leadId}`)).json();
      expect(body.stage).toBe('nurturing');
      return body;
    }, 20_000, 250);
    expect(back.lastRejection).toMatchObject({ reason: 'bad_timing' });
    // Behaviour points were reset: the lead must earn MQL again.
    expect(back.score.behavior).toBe(0);
    // The list reads PostgreSQL, which the transition activity updates just after the workflow moves.
    await eventually(async () => {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const page = (await h.call('marketing', 'GET', `/v1/leads?stage=nurturing&limit=200${cursor ? `&cursor=${cursor}` : ''}`)).json();
        ids.push(...page.items.map((i: { leadId: string }) => i.leadId));
        cursor = page.nextCursor;
      } while (cursor && !ids.includes(leadId));
      expect(ids).toContain(leadId);
    });
  });

  it('tracks opens and clicks through signed tokens, redirecting only to the sealed URL', async () => {
    const email = leadEmail('tracking');
    const { leadId } = await enrol(email);
    await h.sink.waitFor((all) => all.some((m) => m.to.includes(email)), 20_000, 'welcome email');
    const text = h.sink.to(email)[0]!.text;
    const click = /https:\/\/leads\.example\.test\/t\/c\/[A-Za-z0-9_.-]+/.exec(text)?.[0];
    expect(click).toBeDefined();

    const events = async () => (await h.pool.query('SELECT type, properties FROM lead_events WHERE lead_id = $1 ORDER BY received_at', [leadId])).rows;

    // A query string cannot redirect elsewhere.
    const res = await h.call(null, 'GET', `${pathOf(click!)}?url=https://evil.example/`);
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('https://example.com/case-study?utm=mail');
    expect(await events()).toEqual([{ type: 'email_click', properties: { url: 'https://example.com/case-study?utm=mail' } }]);

    // The HTML part carries the open pixel (and the same tracked link, escaped for HTML).
    const html = h.sink.to(email)[0]!.html;
    expect(html).toContain(`<a href="${click}">`);
    const pixel = /<img src="(https:\/\/leads\.example\.test\/t\/o\/[A-Za-z0-9_.-]+)"/.exec(html)?.[1];
    expect(pixel).toBeDefined();
    const openToken = pathOf(pixel!).slice('/t/o/'.length);
    const open = await h.call(null, 'GET', `/t/o/${openToken}`);
    expect(open.statusCode).toBe(200);
    expect(open.headers['content-type']).toBe('image/gif');
    expect(open.rawPayload.subarray(0, 6).toString()).toBe('GIF89a');
    // A second load of the same email's pixel is the same open.
    await h.call(null, 'GET', `/t/o/${openToken}`);
    expect((await events()).map((e) => e.type)).toEqual(['email_click', 'email_open']);

    // Tampered tokens: changed MAC, changed payload (another URL) with the old MAC, a token of another kind.
    const [payload, mac] = pathOf(click!).slice('/t/c/'.length).split('.') as [string, string];
    const evilPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), u: 'https://evil.example/' })).toString('base64url');
    for (const path of [
      `/t/c/${payload}.${mac.slice(0, -2)}${mac.endsWith('AA') ? 'BB' : 'AA'}`,
      `/t/c/${evilPayload}.${mac}`,
      `/t/c/${openToken}`,
      `/t/o/${openToken}x`,
      `/u/${openToken}`,
      '/t/c/garbage',
      `/t/c/${'a'.repeat(5000)}`,
    ]) {
      const r = await h.call(null, 'GET', path);
      // 414 for a path longer than any token can be.
      expect([path, r.statusCode]).toEqual([path, path.length > 4096 ? 414 : 404]);
      expect(r.json().error.code).toBe(path.length > 4096 ? 'uri_too_long' : 'not_found');
      expect(r.headers.location).toBeUndefined();
    }
    expect(await events()).toHaveLength(2);
    await eventually(async () => expect((await h.call('marketing', 'GET', `/v1/leads/${leadId}`)).json().score.breakdown).toEqual([expect.objectContaining({ ruleId: 'decision-maker' })]));
  });

  it('one-click unsubscribe stops further email', async () => {
    // Two leads on the same two-step campaign: the one who unsubscribes gets no second email, the other does.
    const quitter = leadEmail('quitter');
    const control = leadEmail('control');
    const q = await enrol(quitter);
    await enrol(control);
    await h.sink.waitFor((all) => all.some((m) => m.to.includes(quitter)), 20_000, 'welcome email');
    const url = (h.sink.to(quitter)[0]!.headers.get('list') as { unsubscribe?: { url?: string } } | undefined)?.unsubscribe?.url;
    expect(url).toMatch(/^https:\/\/leads\.example\.test\/u\//);

    // GET shows a confirmation page and changes nothing (mail scanners follow links).
    const page = await h.call(null, 'GET', pathOf(url!));
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect((await h.pool.query('SELECT unsubscribed_at FROM leads WHERE lead_id = $1', [q.leadId])).rows[0].unsubscribed_at).toBeNull();

    const post = await h.call(null, 'POST', pathOf(url!), 'List-Unsubscribe=One-Click', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(post.statusCode).toBe(200);
    await eventually(async () => expect((await h.call('marketing', 'GET', `/v1/leads/${q.leadId}`)).json().unsubscribed).toBe(true));

    await h.sink.waitFor((all) => all.filter((m) => m.to.includes(control)).length === 2, 20_000, 'second email to the control lead');
    await new Promise((r) => setTimeout(r, 300));
    expect(h.sink.to(quitter)).toHaveLength(1);
  });

  it('erases a person: no row anywhere holds the address and the workflow is gone from Temporal', async () => {
    const email = leadEmail('erase');
    const { leadId } = await enrol(email);
    await h.call('marketing', 'POST', `/v1/leads/${leadId}/events`, { type: 'page_view', properties: { page: 'pricing' } });
    await eventually(async () => {
      const { rows } = await h.pool.query("SELECT 1 FROM email_log WHERE lead_id = $1 AND status = 'sent'", [leadId]);
      expect(rows).toHaveLength(1);
    });
    expect((await h.call('marketing', 'DELETE', `/v1/leads/${leadId}`)).statusCode).toBe(403);
    const del = await h.call('ops', 'DELETE', `/v1/leads/${leadId}`);
    expect(del.statusCode).toBe(204);
    expect(del.body).toBe('');

    const { rows: tables } = await h.pool.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'");
    expect(tables.length).toBeGreaterThanOrEqual(5);
    for (const { table_name } of tables) {
      const { rows } = await h.pool.query(`SELECT count(*)::int AS n FROM "${table_name}" x WHERE lower(x::text) LIKE $1 OR x::text LIKE $2`, [`%${email}%`, `%${leadId}%`]);
      expect([table_name, rows[0].n]).toEqual([table_name, 0]);
    }
    const handle = h.client.workflow.getHandle(workflowIdFor(leadId));
    await eventually(async () => {
      await expect(handle.describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    });
    expect((await h.call('ops', 'GET', `/v1/leads/${leadId}`)).statusCode).toBe(404);
    expect((await h.call('ops', 'DELETE', `/v1/leads/${leadId}`)).statusCode).toBe(404);
  });

  it('accepts a batch of events by lead id and email; an unknown lead fails only its own item', async () => {
    const email = leadEmail('batch');
    const { leadId } = await enrol(email);
    const res = await h.call('marketing', 'POST', '/v1/events', {
      events: [
        { leadId, type: 'page_view', eventId: `b1-${h.tag}`, properties: { page: 'pricing' } },
        { email: email.toUpperCase(), type: 'webinar_attended', eventId: `b2-${h.tag}` },
        { email: `nobody-${h.tag}@customer.test`, type: 'email_open' },
        { leadId: '00000000-0000-4000-8000-000000000000', type: 'email_open' },
        { leadId, type: 'page_view', eventId: `b1-${h.tag}`, properties: { page: 'pricing' } },
      ],
    });
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body).toMatchObject({ accepted: 2, duplicates: 1, failed: 2 });
    expect(body.results.map((r: { status: string }) => r.status)).toEqual(['accepted', 'accepted', 'failed', 'failed', 'duplicate']);
    expect(body.results[2].error.code).toBe('not_found');
    await eventually(async () => expect((await h.call('marketing', 'GET', `/v1/leads/${leadId}`)).json().score.behavior).toBe(30));
  });

  it('a batch sent again is all duplicates; an eventId of another lead fails only its item', async () => {
    const a = await enrol(leadEmail('batch-again-a'));
    const b = await enrol(leadEmail('batch-again-b'));
    const events = [
      { leadId: a.leadId, type: 'email_open', eventId: `again-1-${h.tag}` },
      { leadId: b.leadId, type: 'email_open', eventId: `again-2-${h.tag}` },
    ];
    expect((await h.call('marketing', 'POST', '/v1/events', { events })).json()).toMatchObject({ accepted: 2, duplicates: 0, failed: 0 });
    const again = await h.call('marketing', 'POST', '/v1/events', { events: [...events, { leadId: b.leadId, type: 'email_open', eventId: `again-1-${h.tag}` }] });
    expect(again.json()).toMatchObject({ accepted: 0, duplicates: 2, failed: 1 });
    expect(again.json().results[2]).toMatchObject({ status: 'failed', error: { code: 'event_id_conflict' } });
    const { rows } = await h.pool.query('SELECT lead_id FROM lead_events WHERE event_id = $1', [`again-1-${h.tag}`]);
    expect(rows).toEqual([{ lead_id: a.leadId }]);
  });

  it('serves health, readiness and metrics', async () => {
    expect((await h.call(null, 'GET', '/healthz')).json()).toEqual({ status: 'ok' });
    expect((await h.call(null, 'GET', '/readyz')).json()).toEqual({ status: 'ready', failing: [] });
    const forOps = (await h.call('ops', 'GET', '/readyz')).json();
    expect(forOps).toMatchObject({ status: 'ready', failing: [], components: { postgres: { status: 'ok' }, temporal: { status: 'ok' } } });
    // Recent SMTP failures of other tests in this database may be listed; the shape is what counts here.
    expect(forOps.email).toMatchObject({ windowMinutes: 15, recentFailures: expect.any(Array) });
    const metrics = await h.call('ops', 'GET', '/metrics');
    expect(metrics.statusCode).toBe(200);
    expect(metrics.headers['content-type']).toMatch(/text\/plain/);
    expect(metrics.body).toMatch(/leadloop_http_requests_total\{method="POST",route="\/v1\/leads",status="201"\} \d+/);
    expect(metrics.body).toMatch(/leadloop_events_accepted_total\{source="api"\} [1-9]/);
    expect(metrics.body).toMatch(/leadloop_handoffs [1-9]/);
    expect(metrics.body).toContain('leadloop_http_request_duration_seconds_bucket');
    expect(metrics.body).toContain('leadloop_sla_breaches');
  });
});
