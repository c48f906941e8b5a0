// The pre-aggregated funnel (migration 004) against the direct query over lead_transitions: the same
// numbers for every whole-day range, filter and split, after idempotent re-inserts, erasures and a rebuild.
import { recordTransitionRow } from '../../src/leads/store';
import { funnelReport, type FunnelQuery } from '../../src/reports/funnel';
import { testPool, uid } from '../support/harness';
import { randomFunnel } from '../support/random-funnel';
import { funnelScenario, seedLeads } from './reports-seed';

const pool = testPool();
afterAll(() => pool.end());

const day = (iso: string) => new Date(`${iso}T00:00:00Z`);
const both = async (q: FunnelQuery) => {
  const [rollup, direct] = await Promise.all([funnelReport(pool, q, 0.3, 'rollup'), funnelReport(pool, q, 0.3, 'transitions')]);
  return { rollup, direct };
};

describe('pre-aggregated funnel', () => {
  const tag = uid();
  const campaigns = [`rollA-${tag}`, `rollB-${tag}`, `rollC-${tag}`];
  const src = `rollsrc-${tag}`;
  let ids: Record<string, string>;

  beforeAll(async () => {
    const random = randomFunnel({ leads: 250, campaigns, sources: [src, `${src}-2`, null], start: day('2026-03-02'), days: 40, seed: 20261123 });
    ids = await seedLeads(pool, tag, [...random, ...funnelScenario(campaigns[0]!, campaigns[1]!, src, `${src}-other`)]);
  }, 120_000);

  it('gives the same report as the direct query for whole-day ranges, filters and splits', async () => {
    const ranges: [string, string][] = [
      ['2026-03-01', '2026-06-01'],
      ['2026-03-09', '2026-03-23'],
      ['2026-04-01', '2026-04-02'],
      ['2026-01-05', '2026-01-19'],
    ];
    let compared = 0;
    for (const [from, to] of ranges) {
      for (const filter of [{ campaignId: campaigns[0] }, { campaignId: campaigns[2] }, { source: src }, { campaignId: campaigns[1], source: src }]) {
        const { rollup, direct } = await both({ from: day(from), to: day(to), tz: 'UTC', ...filter });
        expect(rollup).toEqual(direct);
        compared += direct.totals.mqls;
      }
    }
    // The comparison is not vacuous: the ranges hold plenty of handoffs.
    expect(compared).toBeGreaterThan(100);
    const { direct } = await both({ from: day('2026-03-01'), to: day('2026-06-01'), tz: 'UTC', campaignId: campaigns[0] });
    expect(direct.weekly.length).toBeGreaterThan(5);
    expect(direct.totals.timeToFirstContact.medianSeconds).not.toBeNull();
    expect(direct.totals.rejectionReasons.length).toBeGreaterThan(2);
  });

  it('is used automatically only for whole local days in the report zone', async () => {
    // A marker row only the rollup knows: visible when the rollup answers, absent when the direct query does.
    const marker = `rollM-${tag}`;
    await pool.query(`INSERT INTO funnel_daily (day, campaign_id, enrolled) VALUES ('2026-05-04', $1, 7)`, [marker]);
    try {
      const q = { campaignId: marker, tz: 'UTC' };
      expect((await funnelReport(pool, { ...q, from: day('2026-05-01'), to: day('2026-05-08') })).totals.leads).toBe(7);
      expect((await funnelReport(pool, { ...q, from: new Date('2026-05-01T00:00:01Z'), to: day('2026-05-08') })).totals.leads).toBe(0);
      expect((await funnelReport(pool, { ...q, from: day('2026-05-01'), to: day('2026-05-08'), tz: 'Asia/Tokyo' })).totals.leads).toBe(0);
    } finally {
      await pool.query('DELETE FROM funnel_daily WHERE campaign_id = $1', [marker]);
    }
  });

  it('counts a retried transition write once', async () => {
    const q = { from: day('2026-01-05'), to: day('2026-01-19'), tz: 'UTC', campaignId: campaigns[0] };
    const before = await funnelReport(pool, q, 0.3, 'rollup');
    // L1's MQL again, as a retried recordTransition activity would write it (same lead, same seq).
    await recordTransitionRow(pool, ids.L1!, { seq: 2, from: 'nurturing', to: 'mql', reason: 'mql', cycle: 0, score: 80, owner: 'o1', at: Date.parse('2026-01-06T10:00:00Z') } as never, {
      stage: 'sql', owner: 'o1', score: 80, unsubscribed: false, emailBounced: false,
    });
    expect(await funnelReport(pool, q, 0.3, 'rollup')).toEqual(before);
  });

  it('leaves an erased lead out of both, and a rebuild gives the same tables', async () => {
    const q = { from: day('2026-01-05'), to: day('2026-01-19'), tz: 'UTC', source: src };
    const before = await both(q);
    await pool.query('DELETE FROM leads WHERE lead_id = $1', [ids.L2]);
    const after = await both(q);
    expect(after.rollup).toEqual(after.direct);
    // L2 had two MQLs, one SQL and one enrolment in the period.
    expect(after.direct.totals.mqls).toBe(before.direct.totals.mqls - 2);
    expect(after.direct.totals.sqls).toBe(before.direct.totals.sqls - 1);
    expect(after.direct.totals.leads).toBe(before.direct.totals.leads - 1);

    const snapshot = async () =>
      (
        await pool.query(
          `SELECT d::text FROM funnel_daily d WHERE campaign_id = ANY ($1) 
              AND enrolled + mql + contacted + accepted + sla_breached + recycled + disqualified + became_mql + mql_to_sql + contacted_cohort + sla_settled + within_sla > 0
           UNION ALL SELECT r::text FROM funnel_daily_rejections r WHERE campaign_id = ANY ($1) AND n <> 0 ORDER BY 1`,
          [campaigns],
        )
      ).rows;
    const incremental = await snapshot();
    expect(incremental.length).toBeGreaterThan(50);
    expect(incremental.some((r) => r.d?.startsWith('(2026-01-06'))).toBe(true);
    await pool.query('SELECT funnel_rebuild()');
    expect(await snapshot()).toEqual(incremental);
  });

  it('follows the report zone: days and weeks in Asia/Tokyo after a zone change', async () => {
    await pool.query(`UPDATE report_settings SET time_zone = 'Asia/Tokyo'`);
    await pool.query('SELECT funnel_rebuild()');
    try {
      for (const filter of [{ campaignId: campaigns[1] }, { source: src }]) {
        const q = { from: new Date('2026-03-08T15:00:00Z'), to: new Date('2026-04-05T15:00:00Z'), tz: 'Asia/Tokyo', ...filter };
        const { rollup, direct } = await both(q);
        expect(rollup).toEqual(direct);
        expect(direct.weekly.length).toBeGreaterThan(2);
      }
    } finally {
      await pool.query(`UPDATE report_settings SET time_zone = 'UTC'`);
      await pool.query('SELECT funnel_rebuild()');
    }
  });
});
