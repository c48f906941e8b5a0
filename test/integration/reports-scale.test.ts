// The funnel over 1,000,000 transitions (issue 7 asks for under a second), on the run's PostgreSQL but in
// a schema of its own (dropped at the end), so that the other tests neither see nor wait for the rows.
// Opt-in (seeding takes about a minute): REPORT_SCALE_TEST=1; REPORT_SCALE_BUDGET_MS (default 1000) is the
// time allowed for one report.
import type { Pool } from 'pg';
import { createPool } from '../../src/db/pool';
import { migrate } from '../../src/db/migrate';
import { funnelReport } from '../../src/reports/funnel';
import { slaBoard } from '../../src/reports/sla';
import { testEnv, testPool, uid } from '../support/harness';

const LEADS = 200_000; // × 5 transitions = 1,000,000
const BUDGET_MS = Number(process.env.REPORT_SCALE_BUDGET_MS ?? 1000);
const describeScale = process.env.REPORT_SCALE_TEST === '1' ? describe : describe.skip;

describeScale('reports at scale (REPORT_SCALE_TEST=1)', () => {
  const schema = `report_scale_${uid().replace(/-/g, '')}`;
  let admin: Pool;
  let pool: Pool;

  beforeAll(async () => {
    admin = testPool();
    await admin.query(`CREATE SCHEMA ${schema}`);
    pool = createPool(testEnv.databaseUrl, { max: 4, options: `-c search_path=${schema}` });
    await migrate(pool);
    // 200,000 leads over 52 weeks of 2025, 10 campaigns, 5 sources; each: enrolled, mql, contacted
    // (within the SLA 3 times in 4), then accepted (1 in 3) or rejected (reasons rotate) → recycled.
    await pool.query(
      `INSERT INTO leads (lead_id, email, email_normalized, source, utm, campaign_id, campaign_version, scoring_model_id, scoring_model_version, stage, created_at)
       SELECT md5(i::text)::uuid, 'l' || i || '@scale.test', 'l' || i || '@scale.test', 'src' || (i % 5),
              jsonb_build_object('source', 'utm' || (i % 3), 'medium', 'cpc'), 'camp' || (i % 10), 1, 'default', 1,
              CASE WHEN i % 3 = 0 THEN 'sql' ELSE 'recycled' END, '2025-01-06'::timestamptz + (i * interval '150 seconds')
         FROM generate_series(1, ${LEADS}) i`,
    );
    await pool.query(
      `INSERT INTO lead_transitions (lead_id, seq, from_stage, to_stage, reason, cycle, score, rejection_reason, details, occurred_at)
       SELECT md5(i::text)::uuid, s.seq, s.from_stage, s.to_stage, s.reason, 0, 70,
              CASE WHEN s.reason = 'rejected' THEN (ARRAY['no_budget','no_authority','no_need','bad_timing','other'])[1 + i % 5] END,
              CASE WHEN s.reason = 'contacted' THEN jsonb_build_object('channel', 'call', 'withinSla', i % 4 <> 0) ELSE '{}'::jsonb END,
              '2025-01-06'::timestamptz + (i * interval '150 seconds') + s.offs
         FROM generate_series(1, ${LEADS}) i
        CROSS JOIN LATERAL (VALUES
          (1, NULL, 'nurturing', 'enrolled', interval '0'),
          (2, 'nurturing', 'mql', 'mql', interval '2 days'),
          (3, 'mql', 'working', 'contacted', interval '2 days' + (i % 48) * interval '1 hour'),
          (4, 'working', CASE WHEN i % 3 = 0 THEN 'sql' ELSE 'recycled' END, CASE WHEN i % 3 = 0 THEN 'accepted' ELSE 'rejected' END, interval '5 days'),
          (5, CASE WHEN i % 3 = 0 THEN 'sql' ELSE 'recycled' END, CASE WHEN i % 3 = 0 THEN 'sql' ELSE 'recycled' END, 'unsubscribed', interval '6 days')
        ) AS s(seq, from_stage, to_stage, reason, offs)`,
    );
    await pool.query('ANALYZE leads; ANALYZE lead_transitions');
  }, 300_000);

  afterAll(async () => {
    await pool?.end();
    await admin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin?.end();
  });

  it(`reports a year over 1,000,000 transitions within ${BUDGET_MS} ms`, async () => {
    expect(Number((await pool.query('SELECT count(*) FROM lead_transitions')).rows[0].count)).toBe(LEADS * 5);
    const query = { from: new Date('2025-01-01T00:00:00Z'), to: new Date('2026-01-01T00:00:00Z'), tz: 'Asia/Tokyo' };
    await funnelReport(pool, query); // warm the cache
    const started = performance.now();
    const r = await funnelReport(pool, query);
    const ms = performance.now() - started;
    console.log(`funnel over ${LEADS * 5} transitions: ${ms.toFixed(0)} ms`);
    // every lead enrolled in 2025 (the last at 2025-01-06 + 200000 × 150 s ≈ 2025-12-19) and MQL 2 days later
    expect(r.totals.leads).toBe(LEADS);
    expect(r.totals.mqls).toBe(LEADS);
    // i % 3 = 0 are accepted: 66,666 of 200,000
    expect(r.totals.mqlToSql.count).toBe(Math.floor(LEADS / 3));
    expect(r.byCampaign).toHaveLength(10);
    expect(r.weekly.length).toBeGreaterThanOrEqual(50);
    expect(ms).toBeLessThan(BUDGET_MS);
    const filtered = performance.now();
    const one = await funnelReport(pool, { ...query, campaignId: 'camp3', from: new Date('2025-06-01T00:00:00Z'), to: new Date('2025-07-01T00:00:00Z') });
    expect(one.byCampaign.map((c) => c.campaignId)).toEqual(['camp3']);
    expect(performance.now() - filtered).toBeLessThan(BUDGET_MS);
    const board = performance.now();
    await slaBoard(pool, { now: new Date(), limit: 200 });
    expect(performance.now() - board).toBeLessThan(BUDGET_MS);
  });
});
