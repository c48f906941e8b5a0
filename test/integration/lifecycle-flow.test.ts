// The lead's life on the real dev server: handoff, sales updates, recycling, duplicates,
// continue-as-new, and what ops see (search attributes, summaries). With RECORD_HISTORIES=1 the
// histories are saved as replay fixtures (test/fixtures/histories; RECORD_HISTORIES_PREFIX=x- names
// them x-<name>-runN.json, so that fixtures of older code stay).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from 'pg';
import type { LeadConfig } from '../../src/domain/lead-state';
import { enrollLead } from '../../src/leads/enrol';
import { recordEvent } from '../../src/leads/record-events';
import { unsubscribeLead } from '../../src/leads/unsubscribe';
import type { IntakeDeps } from '../../src/leads/deps';
import { resolveTemporalBinary } from '../../src/temporal/binaries';
import { workflowIdFor } from '../../src/temporal/client';
import { putCampaign, putScoringModel, resolveLeadConfig } from '../../src/catalog/store';
import { acceptUpdate, contactUpdate, getStateQuery, migrateSignal, migrateToSignal, rejectUpdate } from '../../workflows/messages';
import { eventually, testConfig, testEnv, uid, useDevServerStack } from '../support/harness';

const FIXTURES = join(__dirname, '..', 'fixtures', 'histories');

describe('lead lifecycle on the dev server', () => {
  const stack = useDevServerStack('flow');
  const sink = stack.sink;
  let pool: Pool;
  let client: Client;
  let deps: IntakeDeps;
  beforeAll(() => ({ pool, client, deps } = stack));

  const handle = (leadId: string) => client.workflow.getHandle(workflowIdFor(leadId));
  const state = (leadId: string) => handle(leadId).query(getStateQuery);
  const stageIs = (leadId: string, stage: string) =>
    eventually(async () => {
      const s = await state(leadId);
      expect(s.stage).toBe(stage);
      // Routing names the owner a moment after the handoff.
      if (stage === 'mql') expect(s.owner).toBeTruthy();
      return s;
    }, 20_000);

  async function record(name: string, leadId: string): Promise<void> {
    if (process.env.RECORD_HISTORIES !== '1') return;
    mkdirSync(FIXTURES, { recursive: true });
    // Every run of the lead (continue-as-new chains), oldest first.
    const runs: string[] = [];
    for await (const wf of client.workflow.list({ query: `WorkflowId="${workflowIdFor(leadId)}"` })) runs.push(wf.runId);
    for (const [i, runId] of runs.reverse().entries()) {
      // The CLI writes the canonical proto-JSON that historyFromJSON reads back.
      const json = execFileSync(resolveTemporalBinary('cli'), ['workflow', 'show', '--address', testEnv.temporalAddress, '--workflow-id', workflowIdFor(leadId), '--run-id', runId, '--output', 'json'], { maxBuffer: 64 << 20 });
      // RECORD_HISTORIES_PREFIX records new fixtures beside the old ones (after a patched() change).
      writeFileSync(join(FIXTURES, `${process.env.RECORD_HISTORIES_PREFIX ?? ''}${name}-run${i + 1}.json`), json);
    }
  }

  async function enrolDecisionMaker(config: LeadConfig) {
    const email = `buyer-${uid()}@customer.test`;
    const { leadId } = await enrollLead(deps, { email, name: '鈴木 一郎', title: 'IT Director' }, config);
    return { leadId, email };
  }

  /** Stores `base`'s model and campaign in the catalog (version 1) and returns the config a lead enrols with. */
  async function inCatalog(base: LeadConfig) {
    const { id: modelId, version: _mv, ...modelBody } = base.model;
    await putScoringModel(pool, modelId, modelBody as Parameters<typeof putScoringModel>[2]);
    await putCampaign(pool, base.campaign.id, { name: base.campaign.name, steps: base.campaign.steps, scoringModel: modelId, policy: base.policy } as Parameters<typeof putCampaign>[2]);
    return { modelId, modelBody, config: await resolveLeadConfig(pool, base.campaign.id) };
  }

  async function makeMql(leadId: string) {
    await recordEvent(deps, leadId, { type: 'page_view', properties: { page: 'pricing' } });
    await recordEvent(deps, leadId, { type: 'demo_request' });
    return stageIs(leadId, 'mql');
  }

  it('hands an MQL to sales, and contact → accept completes the workflow as SQL', async () => {
    const config = testConfig(uid());
    const { leadId } = await enrolDecisionMaker(config);
    const mql = await makeMql(leadId);
    expect(mql.score).toMatchObject({ total: 90, fit: 20, behavior: 70, isMql: true });
    expect(mql.score.breakdown.map((l) => l.ruleId).sort()).toEqual(['decision-maker', 'demo', 'pricing']);
    expect(config.policy.owners).toContain(mql.owner);

    // The owner is told, with the score breakdown.
    const [notice] = await sink.waitFor(() => sink.to(mql.owner!).length === 1, 15_000, 'handoff email').then(() => sink.to(mql.owner!));
    expect(notice!.subject).toBe('New MQL for you (score 90)');
    expect(notice!.text).toContain('Requested a demo (+40)');

    // Ops: search attributes and summaries.
    await eventually(async () => {
      const d = await handle(leadId).describe();
      expect(d.searchAttributes).toMatchObject({ LeadStage: ['mql'], LeadScore: [90], LeadOwner: [mql.owner], CampaignId: [config.campaign.id], ScoringModel: [`${config.model.id}@v1`] });
      expect((d.searchAttributes.SlaDeadline as Date[])[0]!.toISOString()).toBe(mql.slaDeadline);
    });
    const description = await handle(leadId).describe();
    expect(await description.staticSummary()).toBe(`Lead ${leadId} · campaign ${config.campaign.id} v1 · model ${config.model.id} v1`);
    const metadata = await handle(leadId).query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    expect(metadata.currentDetails).toContain('**Stage:** mql');
    expect(metadata.currentDetails).toContain(`**Owner:** ${mql.owner}`);
    expect(metadata.currentDetails).toContain(`**SLA deadline:** ${mql.slaDeadline}`);
    await eventually(async () => {
      const history = await handle(leadId).fetchHistory();
      const summaries = (history.events ?? []).map((e) => e.userMetadata?.summary?.data).filter(Boolean).map((d) => Buffer.from(d as Uint8Array).toString());
      expect(summaries.some((s) => s.includes('Choose owner (handoff, assignment 1): default (3)'))).toBe(true);
      expect(summaries.some((s) => s.includes(`SLA: first contact by ${mql.owner} due ${mql.slaDeadline}`))).toBe(true);
      expect(summaries.some((s) => s.includes(`Hand off to ${mql.owner}`))).toBe(true);
    });

    const contacted = await handle(leadId).executeUpdate(contactUpdate, { args: [{ rep: mql.owner!, channel: 'call', note: '初回架電' }] });
    expect(contacted).toMatchObject({ stage: 'working', contactedWithinSla: true });
    const accepted = await handle(leadId).executeUpdate(acceptUpdate, { args: [{ rep: mql.owner!, bant: { budget: true, authority: true, need: true, timeline: false } }] });
    expect(accepted.stage).toBe('sql');
    expect(await handle(leadId).result()).toMatchObject({ leadId, stage: 'sql', owner: mql.owner, score: 90, cycle: 0 });

    const { rows } = await pool.query('SELECT reason, to_stage FROM lead_transitions WHERE lead_id = $1 ORDER BY seq', [leadId]);
    expect(rows).toEqual([
      { reason: 'enrolled', to_stage: 'nurturing' },
      { reason: 'mql', to_stage: 'mql' },
      { reason: 'assigned', to_stage: 'mql' },
      { reason: 'contacted', to_stage: 'working' },
      { reason: 'accepted', to_stage: 'sql' },
    ]);
    expect((await pool.query('SELECT stage, owner, score FROM leads WHERE lead_id = $1', [leadId])).rows[0]).toEqual({ stage: 'sql', owner: mql.owner, score: 90 });
    await record('handoff-accept', leadId);
  });

  it('refuses illegal sales actions with a clear message, before they touch history', async () => {
    const config = testConfig(uid());
    const { leadId } = await enrolDecisionMaker(config);
    const historyLength = async () => (await handle(leadId).fetchHistory()).events?.length ?? 0;
    // Let the enrolment settle (welcome email, transition row) so that only the update could add events.
    const before = await eventually(async () => {
      const n = await historyLength();
      await new Promise((r) => setTimeout(r, 500));
      expect(await historyLength()).toBe(n);
      return n;
    });
    const refused = await handle(leadId)
      .executeUpdate(acceptUpdate, { args: [{ rep: 'rep@sales.test', bant: { budget: true, authority: true, need: true, timeline: true } }] })
      .catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    const cause = (refused as WorkflowUpdateFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe('illegal_stage');
    expect(cause.message).toBe("cannot accept a lead in stage 'nurturing'; accept is allowed only in stage 'working'");
    // A rejected update leaves no trace in history.
    expect(await historyLength()).toBe(before);

    const mql = await makeMql(leadId);
    await handle(leadId).executeUpdate(contactUpdate, { args: [{ rep: mql.owner!, channel: 'email' }] });
    const tooFew = await handle(leadId)
      .executeUpdate(acceptUpdate, { args: [{ rep: mql.owner!, bant: { budget: true, authority: false, need: true, timeline: false } }] })
      .then(
        () => { throw new Error('accept with 2 of 4 BANT items was not refused'); },
        (err: unknown) => (err as WorkflowUpdateFailedError).cause as ApplicationFailure,
      );
    expect(tooFew.type).toBe('bant_insufficient');
    expect(tooFew.message).toContain('at least 3 of 4 BANT items');
    expect((await state(leadId)).stage).toBe('working');
  });

  it('recycles a rejected lead, returns it to nurturing, and makes it re-earn MQL with new activity', async () => {
    const config = testConfig(uid(), { policy: { recyclePeriod: '2s' } });
    const { leadId, email } = await enrolDecisionMaker(config);
    const first = await makeMql(leadId);
    const rejected = await handle(leadId).executeUpdate(rejectUpdate, { args: [{ rep: first.owner!, reason: 'no_budget', note: '予算なし' }] });
    expect(rejected).toMatchObject({ stage: 'recycled', lastRejection: { reason: 'no_budget', rep: first.owner, note: '予算なし' } });

    const back = await stageIs(leadId, 'nurturing');
    expect(back.cycle).toBe(1);
    expect(back.score).toMatchObject({ total: 20, behavior: 0, isMql: false });
    await sink.waitFor(() => sink.to(email).length === 2, 15_000, 'welcome email of the new cycle');

    // Re-sending the old events (same eventIds) does not count again; one new pricing view is not enough.
    const oldEvents = (await pool.query('SELECT event_id, type, properties FROM lead_events WHERE lead_id = $1', [leadId])).rows;
    for (const e of oldEvents) await recordEvent(deps, leadId, { eventId: e.event_id, type: e.type, properties: e.properties });
    await recordEvent(deps, leadId, { type: 'page_view', properties: { page: 'pricing' } });
    await eventually(async () => expect((await state(leadId)).score.behavior).toBe(30));
    expect((await state(leadId)).stage).toBe('nurturing');
    await recordEvent(deps, leadId, { type: 'demo_request' });
    const again = await stageIs(leadId, 'mql');
    expect(again.cycle).toBe(1);
    expect(again.transitions.map((t) => t.reason).slice(-4)).toEqual(['rejected', 'recycle_period_over', 'mql', 'assigned']);
    await record('reject-recycle-requalify', leadId);
  });

  it('scores a repeated eventId once', async () => {
    const config = testConfig(uid());
    const { leadId } = await enrolDecisionMaker(config);
    const eventId = `evt-${uid()}`;
    const first = await recordEvent(deps, leadId, { eventId, type: 'page_view', properties: { page: 'pricing' } });
    const again = await recordEvent(deps, leadId, { eventId, type: 'page_view', properties: { page: 'pricing' } });
    expect(first.duplicate).toBe(false);
    expect(again.duplicate).toBe(true);
    await recordEvent(deps, leadId, { type: 'email_open' });
    await eventually(async () => expect((await state(leadId)).score.behavior).toBe(35));
    const s = await state(leadId);
    expect(s.score.breakdown.filter((l) => l.eventId === eventId)).toHaveLength(1);
    expect((await pool.query('SELECT count(*)::int AS n FROM lead_events WHERE lead_id = $1', [leadId])).rows[0].n).toBe(2);
  });

  it('never emails an unsubscribed lead again, but still scores and hands it off', async () => {
    const config = testConfig(uid(), {
      campaign: {
        steps: [
          { id: 'welcome', delay: '0s', subject: 'Welcome', body: 'Hi' },
          { id: 'second', delay: '2s', subject: 'Second', body: 'Hi again' },
        ],
      },
    });
    const { leadId, email } = await enrolDecisionMaker(config);
    await sink.waitFor(() => sink.to(email).length === 1, 15_000, 'welcome');
    await unsubscribeLead(deps, leadId);
    await eventually(async () => expect((await state(leadId)).unsubscribed).toBe(true));
    await new Promise((r) => setTimeout(r, 3000));
    expect(sink.to(email)).toHaveLength(1);
    const mql = await makeMql(leadId);
    expect(mql.unsubscribed).toBe(true);
    await sink.waitFor(() => sink.to(mql.owner!).length === 1, 15_000, 'handoff email');
  });

  it('continues as new when history grows, keeping all state', async () => {
    // The dev server suggests continue-as-new at 120 events (global setup); ~70 signals get there.
    const config = testConfig(uid(), { model: { behavior: [{ id: 'open', event: 'email_open', points: 1 }, { id: 'pricing', event: 'page_view', where: { page: 'pricing' }, points: 1 }], mql: { threshold: 1000 } } });
    const { leadId } = await enrolDecisionMaker(config);
    const firstRun = (await handle(leadId).describe()).runId;
    const ids: string[] = [];
    for (let i = 0; i < 70; i++) {
      const { eventId } = await recordEvent(deps, leadId, { type: 'email_open', eventId: `can-${leadId}-${i}` });
      ids.push(eventId);
    }
    await eventually(async () => expect((await handle(leadId).describe()).runId).not.toBe(firstRun), 20_000);
    await eventually(async () => expect((await state(leadId)).score.behavior).toBe(70));
    // After the new run started: a repeat of an early event still counts once, a new one adds.
    await recordEvent(deps, leadId, { type: 'email_open', eventId: ids[0] });
    await recordEvent(deps, leadId, { type: 'page_view', properties: { page: 'pricing' } });
    const s = await eventually(async () => {
      const current = await state(leadId);
      expect(current.score.behavior).toBe(71);
      return current;
    });
    expect(s).toMatchObject({ stage: 'nurturing', cycle: 0, score: { fit: 20 } });
    expect(s.transitions.map((t) => t.reason)).toEqual(['enrolled']);
    const d = await handle(leadId).describe();
    expect(d.status.name).toBe('RUNNING');
    await eventually(async () => expect((await handle(leadId).describe()).searchAttributes).toMatchObject({ LeadStage: ['nurturing'], LeadScore: [91] }));
    await record('continue-as-new', leadId);
  });
  it('keeps a running lead on its versions until told to migrate (by name: content in a signal is ignored); scores a shadow model that never hands off', async () => {
    const tag = uid();
    // Shadow: the demo request alone is enough (threshold 50); the primary needs 70 and pricing or demo.
    const base = testConfig(tag);
    const { id: modelId, version: _v, ...modelBody } = base.model;
    const shadowId = `shadow-${tag}`;
    await putScoringModel(pool, shadowId, { ...modelBody, mql: { threshold: 50 } } as Parameters<typeof putScoringModel>[2]);
    await putScoringModel(pool, modelId, modelBody as Parameters<typeof putScoringModel>[2]);
    await putCampaign(pool, base.campaign.id, { name: base.campaign.name, steps: base.campaign.steps, scoringModel: modelId, shadowScoringModel: shadowId, policy: base.policy } as Parameters<typeof putCampaign>[2]);
    const config = await resolveLeadConfig(pool, base.campaign.id);
    const { leadId } = await enrolDecisionMaker(config);
    await recordEvent(deps, leadId, { type: 'email_open' });
    await recordEvent(deps, leadId, { type: 'page_view', properties: { page: 'pricing' } });
    const shadowed = await eventually(async () => {
      const s = await state(leadId);
      expect(s.score.total).toBe(55);
      return s;
    });
    // 20 + 5 + 30 = 55: the shadow would hand off (≥ 50), the primary does not (< 70).
    expect(shadowed).toMatchObject({ stage: 'nurturing', owner: null, shadowScore: { total: 55, isMql: true, model: { id: shadowId, version: 1 } } });
    expect(shadowed.transitions.map((t) => t.reason)).toEqual(['enrolled', 'shadow_mql']);
    await eventually(async () => expect((await handle(leadId).describe()).searchAttributes).toMatchObject({ ShadowScore: [55], LeadScore: [55] }));

    // Model v2 (pricing worth 50) is not seen by the running lead until it is told to migrate.
    const v2Body = { ...modelBody, behavior: modelBody.behavior.map((r) => (r.id === 'pricing' ? { ...r, points: 50 } : r)) };
    await putScoringModel(pool, modelId, v2Body as Parameters<typeof putScoringModel>[2]);
    // Whoever can reach Temporal cannot hand the lead a configuration of their own: the old content signal is ignored.
    const forged = { ...config, model: { ...config.model, version: 7 }, campaign: { ...config.campaign, steps: config.campaign.steps.map((st) => ({ ...st, subject: 'forged' })) } };
    await handle(leadId).signal(migrateSignal, forged);
    const versions = { campaign: { id: config.campaign.id, version: config.campaign.version }, model: { id: modelId, version: 2 }, shadowModel: { id: shadowId, version: 1 } };
    await handle(leadId).signal(migrateToSignal, versions);
    const migrated = await stageIs(leadId, 'mql');
    expect(migrated).toMatchObject({ scoringModel: { version: 2 }, score: { total: 75 } });
    expect(migrated.transitions.map((t) => t.reason)).toEqual(['enrolled', 'shadow_mql', 'migrated', 'mql', 'assigned']);
    expect(migrated.transitions[2]).toMatchObject({ from: 'nurturing', to: 'nurturing', details: { trigger: 'request', fromModel: `${modelId}@v1`, toModel: `${modelId}@v2` } });
    await eventually(async () => expect((await handle(leadId).describe()).searchAttributes).toMatchObject({ ScoringModel: [`${modelId}@v2`], LeadStage: ['mql'] }));
    // The signal and the catalog load are readable in the history.
    const history = await handle(leadId).fetchHistory();
    expect((history.events ?? []).some((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'migrateTo')).toBe(true);
    expect((history.events ?? []).some((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'loadCatalogVersions')).toBe(true);
    // A second identical signal changes nothing; versions that are not in the catalog change nothing either.
    await handle(leadId).signal(migrateToSignal, versions);
    await handle(leadId).signal(migrateToSignal, { ...versions, model: { id: modelId, version: 99 } });
    await eventually(async () => {
      const { rows } = await pool.query(`SELECT reason FROM lead_transitions WHERE lead_id = $1 ORDER BY seq`, [leadId]);
      expect(rows.map((r) => r.reason)).toEqual(['enrolled', 'shadow_mql', 'migrated', 'mql', 'assigned']);
      const lead = await pool.query('SELECT scoring_model_version FROM leads WHERE lead_id = $1', [leadId]);
      expect(lead.rows[0].scoring_model_version).toBe(2);
      const events = (await handle(leadId).fetchHistory()).events ?? [];
      expect(events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'loadCatalogVersions')).toHaveLength(3);
    });
    expect((await state(leadId)).transitions).toHaveLength(5);
    await record('migrate-by-reference', leadId);
  });

  it('moves a recycled lead to the newest catalog versions when it is recycled, not before', async () => {
    const tag = uid();
    const base = testConfig(tag, { policy: { recyclePeriod: '3s' } });
    const { modelId, modelBody, config } = await inCatalog(base);
    const { leadId } = await enrolDecisionMaker(config);
    const first = await makeMql(leadId);
    expect(first.scoringModel.version).toBe(1);

    // A new model version while the lead is with sales: nothing changes for it.
    await putScoringModel(pool, modelId, { ...modelBody, mql: { threshold: 60, requireAnyOf: ['pricing', 'demo'] } } as Parameters<typeof putScoringModel>[2]);
    await recordEvent(deps, leadId, { type: 'email_open' });
    await eventually(async () => expect((await state(leadId)).score.total).toBe(95));
    expect((await state(leadId)).scoringModel.version).toBe(1);

    await handle(leadId).executeUpdate(rejectUpdate, { args: [{ rep: first.owner!, reason: 'bad_timing' }] });
    const back = await stageIs(leadId, 'nurturing');
    expect(back).toMatchObject({ cycle: 1, scoringModel: { id: modelId, version: 2 }, campaign: { version: 1 } });
    expect(back.transitions.map((t) => t.reason).slice(-3)).toEqual(['rejected', 'migrated', 'recycle_period_over']);
    expect(back.transitions.at(-2)).toMatchObject({ to: 'recycled', details: { trigger: 'recycle', fromModel: `${modelId}@v1`, toModel: `${modelId}@v2` } });
    // The new cycle is scored by v2: pricing (30) + fit (20) = 50 < 60, then a demo makes it an MQL.
    await recordEvent(deps, leadId, { type: 'page_view', properties: { page: 'pricing' } });
    await eventually(async () => expect((await state(leadId)).score.total).toBe(50));
    await recordEvent(deps, leadId, { type: 'email_open' });
    await recordEvent(deps, leadId, { type: 'email_open' });
    const again = await stageIs(leadId, 'mql');
    expect(again.score.total).toBe(60);
    await record('recycle-upgrade', leadId);
  });

  it('continues as new while a lead waits out its recycle period (history grew), and still checks the catalog and returns it to nurturing at the end', async () => {
    const tag = uid();
    const base = testConfig(tag, { policy: { recyclePeriod: '20s' }, model: { behavior: [...testConfig(tag).model.behavior, { id: 'open', event: 'email_open', points: 1 }] } });
    const { modelId, modelBody, config } = await inCatalog(base);
    const { leadId } = await enrolDecisionMaker(config);
    const first = await makeMql(leadId);
    await handle(leadId).executeUpdate(rejectUpdate, { args: [{ rep: first.owner!, reason: 'bad_timing' }] });
    const recycledRun = (await handle(leadId).describe()).runId;
    // A new model version while the lead is recycled; it moves to it only when the period ends.
    await putScoringModel(pool, modelId, { ...modelBody, mql: { threshold: 60, requireAnyOf: ['pricing', 'demo'] } } as Parameters<typeof putScoringModel>[2]);

    // Behaviour keeps arriving during the recycle period: the server suggests continue-as-new (at
    // 120 events in these tests) and the lead continues in a new run, still recycled.
    for (let i = 0; i < 70; i++) await recordEvent(deps, leadId, { type: 'email_open', eventId: `recycle-can-${leadId}-${i}` });
    await eventually(async () => expect((await handle(leadId).describe()).runId).not.toBe(recycledRun), 15_000);
    const during = await state(leadId);
    expect(during).toMatchObject({ stage: 'recycled', cycle: 0, scoringModel: { version: 1 } });

    // At the end of the period that run still checks the catalog and continues as new: the next
    // cycle starts on the newest versions, once.
    const back = await stageIs(leadId, 'nurturing');
    expect(back).toMatchObject({ cycle: 1, scoringModel: { id: modelId, version: 2 } });
    expect(back.transitions.map((t) => t.reason).slice(-3)).toEqual(['rejected', 'migrated', 'recycle_period_over']);
    expect(back.transitions.filter((t) => t.reason === 'recycle_period_over')).toHaveLength(1);
    // The catalog was checked once, by a run that started during the recycle period (the events may
    // have grown more than one), neither by the run that recycled the lead nor by the new cycle's.
    const finalRun = (await handle(leadId).describe()).runId;
    const runs = await eventually(async () => {
      const listed: string[] = [];
      for await (const wf of client.workflow.list({ query: `WorkflowId="${workflowIdFor(leadId)}"` })) listed.push(wf.runId);
      expect(listed).toEqual(expect.arrayContaining([recycledRun, finalRun]));
      return listed;
    });
    const checks = new Map<string, number>();
    for (const runId of runs) {
      const events = (await client.workflow.getHandle(workflowIdFor(leadId), runId).fetchHistory()).events ?? [];
      checks.set(runId, events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'resolveCatalog').length);
    }
    expect(runs.length).toBeGreaterThanOrEqual(3);
    expect([...checks.values()].reduce((a, b) => a + b, 0)).toBe(1);
    expect(checks.get(recycledRun)).toBe(0);
    expect(checks.get(finalRun)).toBe(0);
    const { rows } = await pool.query('SELECT reason FROM lead_transitions WHERE lead_id = $1 ORDER BY seq', [leadId]);
    expect(rows.map((r) => r.reason).slice(-3)).toEqual(['rejected', 'migrated', 'recycle_period_over']);
  }, 60_000);
});
