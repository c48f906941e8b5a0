// The first slice end to end on real servers: enrol → email at the SMTP server → row in PostgreSQL →
// workflow found by its search attribute; and the same person enrolled twice is one lead.
import { enrollLead, startLeadWorkflow, storeLeads, type StoredLead } from '../../src/leads/enrol';
import { recordEvent } from '../../src/leads/record-events';
import { UnknownLeadError } from '../../src/leads/errors';
import { unsubscribeLead } from '../../src/leads/unsubscribe';
import { workflowIdFor } from '../../src/temporal/client';
import { getStateQuery } from '../../workflows/messages';
import { eventually, testConfig, testEnv, uid, useDevServerStack } from '../support/harness';

describe('enrolling a lead (dev server, PostgreSQL, SMTP)', () => {
  const stack = useDevServerStack('enroll');
  const tag = uid();

  it('sends the first nurture email, stores the lead and makes the workflow searchable', async () => {
    const { deps, sink, pool, client } = stack;
    const email = `yamada-${tag}@example.co.jp`;
    const config = testConfig(tag);
    const result = await enrollLead(deps, { email, name: '山田 太郎', company: '株式会社テスト', title: '営業部長' }, config);
    expect(result.created).toBe(true);
    expect(result.leadId).toMatch(/^[0-9a-f-]{36}$/);

    const [mail] = await sink.waitFor((all) => all.some((m) => m.to.includes(email)), 30_000, `welcome email to ${email}`).then((all) => all.filter((m) => m.to.includes(email)));
    expect(mail!.subject).toBe('ようこそ、山田 太郎さん');
    expect(mail!.text).toContain('こんにちは 山田 太郎 さん。株式会社テスト のご担当者様へ。');
    expect(mail!.messageId).toMatch(/^<[0-9a-f]{40}@leadloop>$/);

    const { rows } = await pool.query('SELECT email, email_normalized, name, campaign_id, attributes FROM leads WHERE lead_id = $1', [result.leadId]);
    expect(rows).toEqual([
      expect.objectContaining({ email, email_normalized: email, name: '山田 太郎', campaign_id: config.campaign.id, attributes: expect.objectContaining({ title: '営業部長', emailDomain: 'example.co.jp' }) }),
    ]);
    await eventually(async () => {
      const log = await pool.query('SELECT status, kind, recipient FROM email_log WHERE lead_id = $1', [result.leadId]);
      expect(log.rows).toEqual([{ status: 'sent', kind: 'nurture', recipient: email }]);
    });

    // The fit rule matched the Japanese title: the workflow scored it.
    const state = await client.workflow.getHandle(workflowIdFor(result.leadId)).query(getStateQuery);
    expect(state.stage).toBe('nurturing');
    expect(state.score.fit).toBe(20);

    // Visibility is eventually consistent.
    const query = `LeadStage="nurturing" AND CampaignId="${config.campaign.id}"`;
    await eventually(async () => {
      const found: string[] = [];
      for await (const wf of client.workflow.list({ query })) found.push(wf.workflowId);
      expect(found).toEqual([workflowIdFor(result.leadId)]);
    });
    const description = await client.workflow.getHandle(workflowIdFor(result.leadId)).describe();
    expect(description.searchAttributes).toMatchObject({ LeadStage: ['nurturing'], LeadScore: [20] });
    // No personal data in search attributes.
    expect(JSON.stringify(description.searchAttributes)).not.toContain(email);
    expect(JSON.stringify(description.searchAttributes)).not.toContain('山田');
  });

  it('treats the same email in another case and with spaces as the same lead: one workflow, one email', async () => {
    const { deps, sink, pool, client } = stack;
    const email = `Sato-${tag}@Example.com`;
    const config = testConfig(`${tag}-dup`);
    const first = await enrollLead(deps, { email, name: '佐藤' }, config);
    const second = await enrollLead(deps, { email: `  ${email.toUpperCase()}  `, title: 'Director' }, config);
    expect(second).toEqual({ leadId: first.leadId, stage: 'nurturing', created: false });

    const normalized = email.toLowerCase();
    await sink.waitFor((all) => all.some((m) => m.to.includes(normalized)), 30_000, 'welcome email');
    const rows = await pool.query('SELECT lead_id, attributes FROM leads WHERE email_normalized = $1', [normalized]);
    expect(rows.rows).toHaveLength(1);
    expect(rows.rows[0].attributes.title).toBe('Director');

    // The merged attribute reached the running workflow (fit rule 'director').
    const handle = client.workflow.getHandle(workflowIdFor(first.leadId));
    await eventually(async () => expect((await handle.query(getStateQuery)).score.fit).toBe(20));

    const runs: string[] = [];
    for await (const wf of client.workflow.list({ query: `WorkflowId="${workflowIdFor(first.leadId)}"` })) runs.push(wf.runId);
    expect(runs).toHaveLength(1);
    // Let any wrongly duplicated send arrive before counting.
    await new Promise((r) => setTimeout(r, 1000));
    expect(sink.to(normalized)).toHaveLength(1);
  });

  it('stores the enrolled transition with the lead row; the workflow records only what follows', async () => {
    const { deps, sink, pool, client } = stack;
    const email = `stored-${tag}@example.co.jp`;
    const config = testConfig(`${tag}-stored`);
    // Stored alone (as `import --no-wait` or an API call with Temporal down leaves it): the transition is there already.
    const [stored] = (await storeLeads(pool, [{ email, name: '高橋', title: '営業部長' }], config)) as StoredLead[];
    expect(stored!.enrolmentRecorded).toBe(true);
    const { rows: before } = await pool.query('SELECT seq, from_stage, to_stage, reason, score, occurred_at FROM lead_transitions WHERE lead_id = $1', [stored!.leadId]);
    expect(before).toEqual([{ seq: 1, from_stage: null, to_stage: 'nurturing', reason: 'enrolled', score: 20, occurred_at: expect.any(Date) }]);
    expect((await pool.query('SELECT stage, score FROM leads WHERE lead_id = $1', [stored!.leadId])).rows[0]).toEqual({ stage: 'nurturing', score: 20 });

    await startLeadWorkflow(deps, stored!.leadId, config, stored!.attributes, { enrolmentRecorded: true });
    await sink.waitFor((all) => all.some((m) => m.to.includes(email)), 30_000, `welcome email to ${email}`);
    const handle = client.workflow.getHandle(workflowIdFor(stored!.leadId));
    const view = await handle.query(getStateQuery);
    // The workflow knows its enrolment (by its own clock, a moment after the stored one).
    expect(view.transitions[0]).toMatchObject({ seq: 1, reason: 'enrolled', score: 20 });
    expect(Date.parse(view.transitions[0]!.at) - before[0].occurred_at.getTime()).toBeGreaterThanOrEqual(0);
    expect(Date.parse(view.transitions[0]!.at) - before[0].occurred_at.getTime()).toBeLessThan(30_000);
    // It started with its search attributes, and its first task upserted none.
    expect((await handle.describe()).searchAttributes).toMatchObject({ LeadStage: ['nurturing'], LeadScore: [20], CampaignId: [config.campaign.id] });
    // No activity recorded it a second time: the only activity so far is the welcome email.
    const history = await handle.fetchHistory();
    const activities = (history.events ?? []).map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
    expect(activities).toEqual(['sendNurtureEmail']);
    expect((history.events ?? []).filter((e) => e.upsertWorkflowSearchAttributesEventAttributes || e.markerRecordedEventAttributes)).toEqual([]);
    // A repeat of the same email stores no second enrolment.
    await enrollLead(deps, { email: email.toUpperCase() }, config);
    const { rows: after } = await pool.query('SELECT seq FROM lead_transitions WHERE lead_id = $1', [stored!.leadId]);
    expect(after).toEqual([{ seq: 1 }]);
  });

  it('answers an id that is not a lead id with UnknownLeadError, never a database error', async () => {
    const { deps } = stack;
    for (const leadId of ['abc', "1' OR '1'='1", '00000000-0000-0000-0000-000000000000']) {
      await expect(recordEvent(deps, leadId, { type: 'page_view' })).rejects.toBeInstanceOf(UnknownLeadError);
      await expect(unsubscribeLead(deps, leadId)).rejects.toBeInstanceOf(UnknownLeadError);
    }
  });

  it('serves the Temporal Web UI of the dev server', async () => {
    const response = await fetch(testEnv.temporalUiUrl);
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/<html/i);
  });
});
