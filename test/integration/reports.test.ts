// GET /v1/reports/funnel and /v1/reports/sla on real PostgreSQL: a seeded scenario (test/integration/
// reports-seed.ts) whose numbers are computed by hand below.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import { testEnv } from '../support/harness';
import { startApiHarness, type ApiHarness } from './api-support';
import { funnelScenario, seedCampaign, seedLeads, slaScenario } from './reports-seed';

describe('reports (PostgreSQL)', () => {
  let h: ApiHarness;
  let a: string;
  let b: string;
  let src: string;
  const PERIOD = 'from=2026-01-05&to=2026-01-19';

  beforeAll(async () => {
    h = await startApiHarness('reports');
    a = `repA-${h.tag}`;
    b = `repB-${h.tag}`;
    src = `src-${h.tag}`;
    await seedLeads(h.pool, h.tag, funnelScenario(a, b, src, `other-${h.tag}`));
  });
  afterAll(async () => h?.stop());

  it('prints the same funnel in the terminal: leadloop report', async () => {
    const api = (await h.call('marketing', 'GET', `/v1/reports/funnel?${PERIOD}&source=${src}&tz=UTC`)).json();
    const run = (args: string[]) =>
      promisify(execFile)(join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), [join(PROJECT_ROOT, 'src', 'cli', 'index.ts'), 'report', '--from', '2026-01-05', '--to', '2026-01-19', '--source', src, '--tz', 'UTC', ...args], {
        cwd: PROJECT_ROOT,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: testEnv.databaseUrl },
      });
    expect(JSON.parse((await run(['--json'])).stdout)).toEqual(api);
    const table = (await run([])).stdout;
    // Totals of the seeded scenario (see the next test): 6 leads, 7 MQLs, 2 SQLs; MQL→SQL 2/7; SLA met 4/7.
    expect(table).toContain('Funnel 2026-01-05T00:00:00.000Z → 2026-01-19T00:00:00.000Z (UTC)');
    expect(table).toMatch(/^total\s+6\s+7\s+\d+\s+2\s+/m);
    expect(table).toContain('MQL→SQL 28.6% (2/7) against the 30% benchmark (not met)');
    expect(table).toContain('57.1% (4/7)');
    const bad = await run(['--tz', 'Mars/Olympus']).then(() => null, (err: { code: number; stderr: string }) => err);
    expect(bad?.code).toBe(1);
    expect(bad?.stderr.trim()).toBe("leadloop: --tz: unknown time zone 'Mars/Olympus'");
  }, 60_000);

  it('computes the funnel totals of the seeded scenario', async () => {
    const res = await h.call('marketing', 'GET', `/v1/reports/funnel?${PERIOD}&source=${src}&tz=UTC`);
    expect(res.statusCode).toBe(200);
    const r = res.json();
    expect(r.range).toEqual({ from: '2026-01-05T00:00:00.000Z', to: '2026-01-19T00:00:00.000Z', tz: 'UTC' });
    expect(r.filters).toEqual({ campaignId: null, source: src });
    const t = r.totals;
    // enrolled in the period: L1 L2 L3 L4 L5 L6 (L7 other source, L8 enrolled in December) = 6
    expect(t.leads).toBe(6);
    // MQL transitions: L1, L2 (cycle 0), L2 (cycle 1, re-qualified: a new MQL), L3, L4, L6, L8 = 7
    expect(t.mqls).toBe(7);
    // contacted: L1, L2 c0, L2 c1, L3, L8 = 5 (L6's contact is on 01-20, after the period)
    expect(t.contacted).toBe(5);
    expect(t.sqls).toBe(2); // L1, L2 c1
    expect(t.recycled).toBe(3); // L2 rejected, L4 sla_expired, L8 rejected
    expect(t.disqualified).toBe(1); // L3
    expect(t.slaBreaches).toBe(4); // L2, L4 ×2, L6
    // of the 6 enrolled, L1 L2 L3 L4 L6 became MQL: 5/6
    expect(t.leadToMql).toEqual({ of: 6, count: 5, rate: 0.8333 });
    // of the 7 MQLs, accepted in the same cycle: L1 c0, L2 c1 → 2/7 = 0.2857, below 30%
    expect(t.mqlToSql).toEqual({ of: 7, count: 2, rate: 0.2857 });
    expect(r.benchmark).toEqual({ mqlToSql: 0.3, met: false });
    // MQL → first contact (s): L1 2h=7200, L2c0 30h=108000, L2c1 1h=3600, L3 4h=14400, L6 96h=345600, L8 1h=3600
    // sorted 3600 3600 7200 14400 108000 345600: median (7200+14400)/2 = 10800;
    // p90 at rank 0.9×5 = 4.5: 108000 + 0.5×(345600−108000) = 226800
    expect(t.timeToFirstContact).toEqual({ count: 6, businessTime: 0, medianSeconds: 10800, p90Seconds: 226800 });
    // SLA settled: the 6 contacted + L4 (expired without contact) = 7; within SLA: L1, L2c1, L3, L8 = 4 → 4/7
    expect(t.sla).toEqual({ of: 7, count: 4, rate: 0.5714 });
    expect(t.rejectionReasons).toEqual([
      { reason: 'bad_fit', count: 1 },
      { reason: 'bad_timing', count: 1 },
      { reason: 'no_budget', count: 1 },
    ]);
  });

  it('splits by campaign and by source/UTM', async () => {
    const r = (await h.call('ops', 'GET', `/v1/reports/funnel?${PERIOD}&source=${src}`)).json();
    expect(r.byCampaign.map((c: { campaignId: string }) => c.campaignId)).toEqual([a, b]);
    const [ca, cb] = r.byCampaign;
    // A: L1 L2 L3 L8. leads 3 (L8 enrolled before); MQLs L1 L2c0 L2c1 L3 L8 = 5; SQLs 2 → 2/5
    expect(ca).toMatchObject({ leads: 3, mqls: 5, contacted: 5, sqls: 2, recycled: 2, disqualified: 1, slaBreaches: 1 });
    expect(ca.leadToMql).toEqual({ of: 3, count: 3, rate: 1 });
    expect(ca.mqlToSql).toEqual({ of: 5, count: 2, rate: 0.4 });
    // contact times 3600 3600 7200 14400 108000: median 7200; p90 at rank 3.6: 14400 + 0.6×93600 = 70560
    expect(ca.timeToFirstContact).toEqual({ count: 5, businessTime: 0, medianSeconds: 7200, p90Seconds: 70560 });
    expect(ca.sla).toEqual({ of: 5, count: 4, rate: 0.8 });
    expect(ca.rejectionReasons).toHaveLength(3);
    // B: L4 L5 L6. MQLs L4 L6; none accepted; SLA settled L4 (expired) and L6 (late contact) → 0/2
    expect(cb).toMatchObject({ leads: 3, mqls: 2, contacted: 0, sqls: 0, recycled: 1, disqualified: 0, slaBreaches: 3 });
    expect(cb.leadToMql).toEqual({ of: 3, count: 2, rate: 0.6667 });
    expect(cb.mqlToSql).toEqual({ of: 2, count: 0, rate: 0 });
    expect(cb.timeToFirstContact).toEqual({ count: 1, businessTime: 0, medianSeconds: 345600, p90Seconds: 345600 });
    expect(cb.sla).toEqual({ of: 2, count: 0, rate: 0 });
    expect(cb.rejectionReasons).toEqual([]);

    // by UTM: google/cpc/spring = L1 L2 (3 MQLs, 2 SQLs); linkedin/social = L4 L5 L6; none = L3 L8
    const keys = r.bySource.map((s: any) => [s.source, s.utmSource, s.utmMedium, s.utmCampaign]);
    expect(keys).toEqual([
      [src, 'google', 'cpc', 'spring'],
      [src, 'linkedin', 'social', null],
      [src, null, null, null],
    ]);
    expect(r.bySource.map((s: any) => [s.leads, s.mqls, s.sqls, s.mqlToSql.rate])).toEqual([
      [2, 3, 2, 0.6667],
      [3, 2, 0, 0],
      [1, 2, 0, 0],
    ]);
  });

  it('gives a weekly cohort series whose buckets follow the time zone', async () => {
    const utc = (await h.call('marketing', 'GET', `/v1/reports/funnel?${PERIOD}&source=${src}&tz=UTC`)).json();
    const row = (w: any) => [w.week, w.leads, w.mqls, w.sqls, w.slaBreaches, w.mqlToSql.count, w.mqlToSql.of];
    // week of 01-05: enrolled L1 L2 L3 L5 (Sunday 20:00 UTC) = 4; MQLs L1 L2c0 L3 L8 = 4, of which L1 accepted;
    //   SQL L1; breach L2.
    // week of 01-12: enrolled L4 L6 = 2; MQLs L2c1 L4 L6 = 3, of which L2c1 accepted; SQL L2; breaches L4 ×2, L6.
    expect(utc.weekly.map(row)).toEqual([
      ['2026-01-05', 4, 4, 1, 1, 1, 4],
      ['2026-01-12', 2, 3, 1, 3, 1, 3],
    ]);
    expect(utc.weekly[1].mqlToSql.rate).toBe(0.3333);
    // In Tokyo L5's enrolment is Monday 05:00: it moves to the week of 01-12.
    const tokyo = (await h.call('marketing', 'GET', `/v1/reports/funnel?${PERIOD}&source=${src}&tz=Asia/Tokyo`)).json();
    expect(tokyo.weekly.map((w: any) => [w.week, w.leads])).toEqual([
      ['2026-01-05', 3],
      ['2026-01-12', 3],
    ]);
    expect(tokyo.totals.leads).toBe(6);
  });

  it('filters by campaign (L7 of another source now counts) and by period', async () => {
    const r = (await h.call('marketing', 'GET', `/v1/reports/funnel?${PERIOD}&campaignId=${a}`)).json();
    // A with every source: L1 L2 L3 L7 enrolled (4); MQLs 5 + L7 = 6; SQLs 2 → 2/6 = 0.3333 ≥ 30%
    expect([r.totals.leads, r.totals.mqls, r.totals.sqls]).toEqual([4, 6, 2]);
    expect(r.totals.mqlToSql.rate).toBe(0.3333);
    expect(r.benchmark.met).toBe(true);
    // A's sources: src with UTM google (L1 L2), src without UTM (L3 L8), and L7's other source
    expect(r.bySource.map((s: any) => s.source).sort()).toEqual([`other-${h.tag}`, src, src].sort());
    // only the second week: enrolled L4 L6; MQLs L2c1 L4 L6
    const w2 = (await h.call('marketing', 'GET', `/v1/reports/funnel?from=2026-01-12&to=2026-01-19&source=${src}`)).json();
    expect([w2.totals.leads, w2.totals.mqls, w2.totals.sqls, w2.totals.recycled]).toEqual([2, 3, 1, 1]);
    // a period with nothing: zeros and null rates, no division by zero
    const none = (await h.call('marketing', 'GET', `/v1/reports/funnel?from=2026-01-05&to=2026-01-19&source=nobody-${h.tag}`)).json();
    expect(none.totals).toMatchObject({ leads: 0, mqls: 0, leadToMql: { rate: null }, mqlToSql: { rate: null }, timeToFirstContact: { medianSeconds: null } });
    expect(none.benchmark.met).toBeNull();
    expect(none.byCampaign).toEqual([]);
  });

  it('refuses bad parameters with 400 and enforces roles', async () => {
    const reversed = await h.call('marketing', 'GET', '/v1/reports/funnel?from=2026-02-01&to=2026-01-01');
    expect(reversed.statusCode).toBe(400);
    expect(reversed.json().error).toMatchObject({ code: 'validation_failed', details: [{ in: 'querystring', field: 'from' }] });
    expect((await h.call('marketing', 'GET', '/v1/reports/funnel?from=yesterday')).statusCode).toBe(400);
    expect((await h.call('marketing', 'GET', '/v1/reports/funnel?tz=Mars/Olympus')).json().error.details[0].field).toBe('tz');
    expect((await h.call('marketing', 'GET', '/v1/reports/funnel?benchmark=2')).statusCode).toBe(400);
    expect((await h.call('marketing', 'GET', '/v1/reports/funnel?colour=red')).statusCode).toBe(400);
    expect((await h.call('sales', 'GET', '/v1/reports/funnel')).statusCode).toBe(403);
    expect((await h.call(null, 'GET', '/v1/reports/funnel')).statusCode).toBe(401);
    for (const role of ['marketing', 'sales', 'ops'] as const) expect((await h.call(role, 'GET', '/v1/reports/sla?limit=1')).statusCode).toBe(200);
  });

  it('lists open handoffs with owner and time left, breached first', async () => {
    const c = `repS-${h.tag}`;
    await seedCampaign(h.pool, c, 1, { sla: '24h' });
    await seedCampaign(h.pool, c, 2, { sla: '3h' });
    const now = new Date();
    const ids = await seedLeads(h.pool, h.tag, slaScenario(c, now));
    const res = await h.call('sales', 'GET', `/v1/reports/sla?campaignId=${c}`);
    expect(res.statusCode).toBe(200);
    const board = res.json();
    // S4 was contacted (stage working): not on the board. Deadlines (from the last mql/sla_breached + the version's SLA):
    // S3 25h ago + 24h = 1h overdue (breached); S2 breached 6h ago (reassigned) + 24h = 18h left;
    // S5 1h ago + 3h (version 2) = 2h left; S1 2h ago + 24h = 22h left.
    expect(board.entries.map((e: any) => e.leadId)).toEqual([ids.S3, ids.S2, ids.S5, ids.S1]);
    expect([board.total, board.breached]).toEqual([4, 2]);
    const by = Object.fromEntries(board.entries.map((e: any) => [e.leadId, e]));
    const near = (actual: number, expected: number) => expect(Math.abs(actual - expected)).toBeLessThan(120);
    near(by[ids.S3].secondsLeft, -3600);
    near(by[ids.S2].secondsLeft, 18 * 3600);
    near(by[ids.S5].secondsLeft, 2 * 3600);
    near(by[ids.S1].secondsLeft, 22 * 3600);
    // S2's breach in its earlier cycle does not count against this handoff
    expect(by[ids.S2]).toMatchObject({ owner: 'o2', breaches: 1, breached: true, cycle: 1, sla: '24h' });
    expect(by[ids.S3]).toMatchObject({ owner: 'o1', breaches: 0, breached: true });
    expect(by[ids.S5]).toMatchObject({ breached: false, sla: '3h' });
    expect(Date.parse(by[ids.S2].deadline) - Date.parse(by[ids.S2].assignedAt)).toBe(24 * 3600_000);
    expect(Date.parse(by[ids.S2].mqlAt)).toBe(now.getTime() - 30 * 3600_000);
    expect(by[ids.S1].uiUrl).toBe(`${process.env.TEST_TEMPORAL_UI_URL}/namespaces/default/workflows/lead-${ids.S1}`);
    // filters: one owner; a limit keeps the order and the totals
    const o2 = (await h.call('ops', 'GET', `/v1/reports/sla?campaignId=${c}&owner=o2`)).json();
    expect(o2.entries.map((e: any) => e.leadId)).toEqual([ids.S2, ids.S5]);
    const first = (await h.call('ops', 'GET', `/v1/reports/sla?campaignId=${c}&limit=1`)).json();
    expect([first.total, first.entries.length, first.entries[0].leadId]).toEqual([4, 1, ids.S3]);
  });
});
