// POST /v1/scoring-models/:id/what-if on real PostgreSQL: a fixed event log whose scores under the
// current and the candidate model are computed by hand below.
import { randomUUID } from 'node:crypto';
import { whatIf } from '../../src/scoring/what-if';
import { startApiHarness, type ApiHarness } from './api-support';

const DAY = 86_400_000;

describe('what-if re-scoring', () => {
  let h: ApiHarness;
  let model: string;
  let campA: string;
  const ids: Record<string, string> = {};
  const now = Date.now();
  const ago = (days: number) => new Date(now - days * DAY);

  // Current (v1): Director 20; pricing_view 30 each (at most 60); demo_request 50; 30 days; MQL at 60.
  const current = {
    fit: [{ id: 'director', attribute: 'title', pattern: 'director', points: 20 }],
    behavior: [
      { id: 'pricing', event: 'pricing_view', points: 30, maxPoints: 60 },
      { id: 'demo', event: 'demo_request', points: 50 },
    ],
    behaviorWindow: '30d',
    mql: { threshold: 60 },
  };
  // Candidate: 100+ employees 30; pricing_view 10; demo_request 40; webinar 20; MQL at 50 and only with a demo.
  const candidate = {
    fit: [{ id: 'size', attribute: 'employees', gte: 100, points: 30 }],
    behavior: [
      { id: 'pricing', event: 'pricing_view', points: 10 },
      { id: 'demo', event: 'demo_request', points: 40 },
      { id: 'webinar', event: 'webinar_attended', points: 20 },
    ],
    behaviorWindow: '30d',
    mql: { threshold: 50, requireAnyOf: ['demo'] },
  };

  async function seed(name: string, o: { campaign: string; stage: string; attributes: Record<string, unknown>; events: [string, number][]; transitions?: [string, number, number, string?][] }) {
    const id = randomUUID();
    ids[name] = id;
    await h.pool.query(
      `INSERT INTO leads (lead_id, email, email_normalized, campaign_id, campaign_version, scoring_model_id, scoring_model_version, stage, attributes, created_at)
       VALUES ($1, $2, $2, $3, 1, $4, 1, $5, $6, $7)`,
      [id, `${name}-${h.tag}@whatif.test`, o.campaign, model, o.stage, JSON.stringify(o.attributes), ago(90)],
    );
    for (const [i, [type, days]] of o.events.entries()) {
      await h.pool.query(`INSERT INTO lead_events (event_id, lead_id, type, occurred_at) VALUES ($1, $2, $3, $4)`, [`${id}-${i}`, id, type, ago(days)]);
    }
    for (const [i, [reason, cycle, days, rejection]] of (o.transitions ?? []).entries()) {
      await h.pool.query(
        `INSERT INTO lead_transitions (lead_id, seq, to_stage, reason, cycle, score, rejection_reason, occurred_at) VALUES ($1, $2, 'x', $3, $4, 0, $5, $6)`,
        [id, i + 1, reason, cycle, rejection ?? null, ago(days)],
      );
    }
  }

  beforeAll(async () => {
    h = await startApiHarness('whatif');
    model = `wi-${h.tag}`;
    campA = `wiA-${h.tag}`;
    expect((await h.call('marketing', 'PUT', `/v1/scoring-models/${model}`, current)).statusCode).toBe(201);
    // W1 — current 20 + 60 = 80 (MQL); candidate 0 + 20 = 20.
    await seed('W1', { campaign: campA, stage: 'mql', attributes: { title: 'Director', employees: 50 }, events: [['pricing_view', 2], ['pricing_view', 1]] });
    // W2 — current 50; candidate 30 + 40 = 70 with a demo (MQL).
    await seed('W2', { campaign: campA, stage: 'nurturing', attributes: { title: 'Engineer', employees: 500 }, events: [['demo_request', 3]] });
    // W3 — current 20 (the pricing view is 40 days old); candidate 30 + 20 = 50, but no demo: not an MQL.
    await seed('W3', { campaign: campA, stage: 'nurturing', attributes: { title: 'Director', employees: 200 }, events: [['pricing_view', 40], ['webinar_attended', 1]] });
    // W4 — 0 and 0: unchanged.
    await seed('W4', { campaign: campA, stage: 'nurturing', attributes: { title: 'VP', employees: 10 }, events: [] });
    // W5 (another campaign) — current 20 + 30 = 50; candidate 10.
    await seed('W5', { campaign: `wiB-${h.tag}`, stage: 'nurturing', attributes: { title: 'Director' }, events: [['pricing_view', 1]] });
    // W6 — rejected (no_budget) 58 days ago, back in nurture 20 days ago. Now only the new pricing view
    // counts: current 20 + 30 = 50, candidate 30 + 10 = 40. At its MQL (59 days ago): current
    // 20 + 50 + 30 = 100, candidate 30 + 40 + 10 = 80, both MQL.
    await seed('W6', {
      campaign: campA, stage: 'nurturing', attributes: { title: 'Director', employees: 150 },
      events: [['demo_request', 60], ['pricing_view', 59], ['pricing_view', 10]],
      transitions: [['enrolled', 0, 61], ['mql', 0, 59], ['rejected', 0, 58, 'no_budget'], ['recycle_period_over', 1, 20]],
    });
    // W7 — accepted: at its MQL 5 days ago current 50 (sales took it anyway), candidate 30 + 40 = 70.
    await seed('W7', {
      campaign: campA, stage: 'sql', attributes: { title: 'Manager', employees: 1000 },
      events: [['demo_request', 5]],
      transitions: [['enrolled', 0, 6], ['mql', 0, 5], ['contacted', 0, 4], ['accepted', 0, 3]],
    });
  });
  afterAll(async () => h?.stop());

  it('compares MQL counts, lists the leads that change and scores past handoffs by outcome', async () => {
    const versionsBefore = (await h.pool.query('SELECT count(*)::int AS n FROM scoring_model_versions WHERE model_id = $1', [model])).rows[0].n;
    const res = await h.call('marketing', 'POST', `/v1/scoring-models/${model}/what-if`, { candidate });
    expect(res.statusCode).toBe(200);
    const r = res.json();
    expect(r.leadsEvaluated).toBe(7);
    expect(r).toMatchObject({ complete: true, stoppedBy: null, leadsWithEventsCut: 0 });
    expect(r.mql).toEqual({ current: 1, candidate: 2 });
    expect(r.changes).toMatchObject({ becomeMql: 2, stopBeingMql: 1, scoreChanged: 6, truncated: false });
    const byLead = Object.fromEntries(r.changes.listed.map((c: any) => [c.leadId, [c.current.score, c.current.isMql, c.candidate.score, c.candidate.isMql]]));
    expect(byLead).toEqual({
      [ids.W1!]: [80, true, 20, false],
      [ids.W2!]: [50, false, 70, true],
      [ids.W3!]: [20, false, 50, false],
      [ids.W5!]: [50, false, 10, false],
      [ids.W6!]: [50, false, 40, false],
      [ids.W7!]: [50, false, 70, true],
    });
    expect(r.outcomes).toEqual([
      { outcome: 'accepted', handoffs: 1, current: { mql: 0, meanScore: 50 }, candidate: { mql: 1, meanScore: 70 } },
      { outcome: 'rejected:no_budget', handoffs: 1, current: { mql: 1, meanScore: 100 }, candidate: { mql: 1, meanScore: 80 } },
    ]);
    // Nothing stored: the candidate is not a new version.
    expect((await h.pool.query('SELECT count(*)::int AS n FROM scoring_model_versions WHERE model_id = $1', [model])).rows[0].n).toBe(versionsBefore);
  });

  it('filters by campaign, stage and enrolment time, and pages through the leads', async () => {
    const byCampaign = (await h.call('ops', 'POST', `/v1/scoring-models/${model}/what-if`, { candidate, filter: { campaignId: campA } })).json();
    expect([byCampaign.leadsEvaluated, byCampaign.changes.scoreChanged]).toEqual([6, 5]);
    const sql = (await h.call('marketing', 'POST', `/v1/scoring-models/${model}/what-if`, { candidate, filter: { stage: 'sql' } })).json();
    expect(sql.changes.listed.map((c: any) => c.leadId)).toEqual([ids.W7]);
    const future = (await h.call('marketing', 'POST', `/v1/scoring-models/${model}/what-if`, { candidate, filter: { since: new Date(now + DAY).toISOString() } })).json();
    expect(future.leadsEvaluated).toBe(0);
    // Pages of two leads give the same answer as one page.
    const parsed = { ...candidate, id: 'c', version: 0 } as never;
    const paged = await whatIf(h.pool, model, parsed, {}, now, 2);
    const whole = await whatIf(h.pool, model, parsed, {}, now, 500);
    expect(paged).toEqual(whole);
    expect(paged.leadsEvaluated).toBe(7);
  });

  it('bounds its work: leads, events per lead and time, answering complete: false with the bound that stopped it', async () => {
    const parsed = { ...candidate, id: 'c', version: 0 } as never;
    const capped = await whatIf(h.pool, model, parsed, {}, now, 2, { maxLeads: 3 });
    expect(capped).toMatchObject({ leadsEvaluated: 3, complete: false, stoppedBy: 'maxLeads' });
    // Exactly as many leads as the bound: nothing was left out.
    expect(await whatIf(h.pool, model, parsed, {}, now, 2, { maxLeads: 7 })).toMatchObject({ leadsEvaluated: 7, complete: true, stoppedBy: null });
    const late = await whatIf(h.pool, model, parsed, {}, now, 500, { timeBudgetMs: -1 });
    expect(late).toMatchObject({ leadsEvaluated: 0, complete: false, stoppedBy: 'timeBudget' });
    // W1, W3 (2 events) and W6 (3) have more than one: only their newest event is scored.
    const cut = await whatIf(h.pool, model, parsed, {}, now, 500, { maxEventsPerLead: 1 });
    expect(cut).toMatchObject({ leadsEvaluated: 7, complete: true, leadsWithEventsCut: 3 });
    // W1's newest pricing view alone: current 20 + 30 = 50.
    const whole = await whatIf(h.pool, model, parsed, {}, now, 500);
    expect(cut.mql.current).toBeLessThan(whole.mql.current);
  });

  it('refuses bad input with a 4xx naming the field, and unknown models with 404', async () => {
    const missing = await h.call('marketing', 'POST', `/v1/scoring-models/${model}/what-if`, { candidate: { ...candidate, mql: {} } });
    expect(missing.statusCode).toBe(400);
    expect(JSON.stringify(missing.json().error)).toContain('candidate.mql.threshold');
    const badStage = await h.call('marketing', 'POST', `/v1/scoring-models/${model}/what-if`, { candidate, filter: { stage: 'won' } });
    expect(badStage.statusCode).toBe(400);
    expect(JSON.stringify(badStage.json().error)).toContain('filter.stage');
    const extra = await h.call('marketing', 'POST', `/v1/scoring-models/${model}/what-if`, { candidate, dryRun: true });
    expect(extra.statusCode).toBe(400);
    expect((await h.call('marketing', 'POST', `/v1/scoring-models/nope-${h.tag}/what-if`, { candidate })).statusCode).toBe(404);
    expect((await h.call('sales', 'POST', `/v1/scoring-models/${model}/what-if`, { candidate })).statusCode).toBe(403);
  });
});
