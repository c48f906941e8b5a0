// The recordTransition activity's single statement against a real PostgreSQL: it is retried in any
// order, so the lead row must always mirror the newest transition, and only the newest migration may
// re-pin the lead's versions.
import type { Pool } from 'pg';
import { recordTransitionRow, type LeadSnapshot } from '../../src/leads/store';
import type { Transition } from '../../src/domain/lead-state';
import { testPool, uid } from '../support/harness';

describe('recordTransitionRow', () => {
  let pool: Pool;
  beforeAll(() => {
    pool = testPool();
  });
  afterAll(async () => {
    await pool?.end();
  });

  async function insertLead(): Promise<string> {
    const email = `record-${uid()}@customer.test`;
    const { rows } = await pool.query(
      `INSERT INTO leads (lead_id, email, email_normalized, campaign_id, campaign_version, scoring_model_id, scoring_model_version)
       VALUES (gen_random_uuid(), $1, $1, 'c', 1, 'm', 1) RETURNING lead_id`,
      [email],
    );
    return rows[0].lead_id;
  }
  const at = Date.parse('2026-11-01T09:00:00Z');
  const t = (seq: number, fields: Partial<Transition>): Transition => ({ seq, from: 'nurturing', to: 'nurturing', at: at + seq * 1000, reason: 'enrolled', cycle: 0, score: seq * 10, ...fields });
  const snap = (fields: Partial<LeadSnapshot>): LeadSnapshot => ({ stage: 'nurturing', owner: null, score: 0, unsubscribed: false, emailBounced: false, ...fields });
  const row = async (leadId: string) =>
    (
      await pool.query(
        `SELECT stage, owner, score, campaign_version, scoring_model_id, scoring_model_version, unsubscribed_at IS NOT NULL AS unsubscribed,
                (SELECT count(*)::int FROM lead_transitions WHERE lead_id = $1) AS transitions
           FROM leads WHERE lead_id = $1`,
        [leadId],
      )
    ).rows[0];

  it('mirrors the newest transition, and a retried older one neither duplicates nor rolls the row back', async () => {
    const leadId = await insertLead();
    await recordTransitionRow(pool, leadId, t(1, { from: null, reason: 'enrolled' }), snap({ score: 10 }));
    await recordTransitionRow(pool, leadId, t(2, { to: 'mql', reason: 'mql', owner: 'rep@sales.test' }), snap({ stage: 'mql', owner: 'rep@sales.test', score: 80 }));
    expect(await row(leadId)).toMatchObject({ stage: 'mql', owner: 'rep@sales.test', score: 80, transitions: 2 });

    // seq 1 again (an activity retried after its first attempt had in fact written).
    await recordTransitionRow(pool, leadId, t(1, { from: null, reason: 'enrolled' }), snap({ score: 10 }));
    expect(await row(leadId)).toMatchObject({ stage: 'mql', owner: 'rep@sales.test', score: 80, transitions: 2 });

    // The same newest transition again: idempotent.
    await recordTransitionRow(pool, leadId, t(2, { to: 'mql', reason: 'mql', owner: 'rep@sales.test' }), snap({ stage: 'mql', owner: 'rep@sales.test', score: 80 }));
    expect(await row(leadId)).toMatchObject({ stage: 'mql', score: 80, transitions: 2 });

    await recordTransitionRow(pool, leadId, t(3, { from: 'mql', to: 'mql', reason: 'unsubscribed' }), snap({ stage: 'mql', owner: 'rep@sales.test', score: 80, unsubscribed: true }));
    expect(await row(leadId)).toMatchObject({ unsubscribed: true, transitions: 3 });
  });

  it('re-pins the versions only for the newest migration, even when a later transition already moved the row', async () => {
    const leadId = await insertLead();
    const migrated = (seq: number, version: number): Transition =>
      t(seq, { reason: 'migrated', details: { toCampaignVersion: version, toModelId: `m${version}`, toModelVersion: version, toShadowModelId: null, toShadowModelVersion: null } });
    await recordTransitionRow(pool, leadId, t(1, { from: null }), snap({ score: 10 }));
    await recordTransitionRow(pool, leadId, migrated(2, 2), snap({ score: 20 }));
    expect(await row(leadId)).toMatchObject({ campaign_version: 2, scoring_model_id: 'm2', scoring_model_version: 2, score: 20 });

    // A later non-migration transition lands first, then migration 3 arrives late: versions move,
    // the mirrored stage and score stay with seq 4.
    await recordTransitionRow(pool, leadId, t(4, { to: 'mql', reason: 'mql' }), snap({ stage: 'mql', score: 90 }));
    await recordTransitionRow(pool, leadId, migrated(3, 3), snap({ score: 30 }));
    expect(await row(leadId)).toMatchObject({ stage: 'mql', score: 90, campaign_version: 3, scoring_model_id: 'm3', transitions: 4 });

    // Migration 2 retried now is older than migration 3: nothing moves back.
    await recordTransitionRow(pool, leadId, migrated(2, 2), snap({ score: 20 }));
    expect(await row(leadId)).toMatchObject({ stage: 'mql', score: 90, campaign_version: 3, scoring_model_id: 'm3', transitions: 4 });
  });

  it('records nothing, and does not fail, for a lead erased meanwhile', async () => {
    const leadId = await insertLead();
    await pool.query('DELETE FROM leads WHERE lead_id = $1', [leadId]);
    await expect(recordTransitionRow(pool, leadId, t(1, { from: null }), snap({}))).resolves.toBeUndefined();
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM lead_transitions WHERE lead_id = $1', [leadId]);
    expect(rows[0].n).toBe(0);
  });
});
