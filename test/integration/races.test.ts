// Duplicates and races over HTTP on real servers: concurrent enrolments of one person, and
// concurrent sales actions on one lead. The outcome must always be one some serial order gives.
import { workflowIdFor } from '../../src/temporal/client';
import { eventually } from '../support/harness';
import { startApiHarness, type ApiHarness } from './api-support';

describe('duplicates and races', () => {
  let h: ApiHarness;
  let campaignId: string;

  beforeAll(async () => {
    h = await startApiHarness('races');
    campaignId = `races-${h.tag}`;
    const modelId = `races-${h.tag}`;
    expect((await h.call('marketing', 'PUT', `/v1/scoring-models/${modelId}`, { fit: [{ id: 'dm', attribute: 'title', pattern: 'director', points: 20 }], mql: { threshold: 10 } })).statusCode).toBe(201);
    expect(
      (await h.call('marketing', 'PUT', `/v1/campaigns/${campaignId}`, {
        name: 'Races',
        scoringModel: modelId,
        steps: [{ id: 'welcome', delay: '0s', subject: 'Welcome', body: 'Hello' }],
        policy: { owners: [`owner-${h.tag}@sales.test`], manager: `manager-${h.tag}@sales.test` },
      })).statusCode,
    ).toBe(201);
  });
  afterAll(async () => h?.stop());

  /** Waits until the lead's recorded transitions (written by an activity) are `expected`. */
  const settles = (leadId: string, stage: string, expected: string[]) =>
    eventually(async () => {
      const body = (await h.call('sales', 'GET', `/v1/leads/${leadId}`)).json();
      expect([body.stage, (body.transitions as { reason: string }[]).map((t) => t.reason)]).toEqual([stage, expected]);
    });

  it('50 concurrent enrolments of one email in different case and spacing: one lead, one workflow, one first email', async () => {
    const email = `race-${h.tag}@customer.test`;
    const spellings = Array.from({ length: 50 }, (_, i) => {
      const cased = [...email].map((c, j) => ((i >> j % 6) & 1 ? c.toUpperCase() : c)).join('');
      return `${' '.repeat(i % 3)}${cased}${'\t'.repeat(i % 2)}`;
    });
    expect(new Set(spellings).size).toBeGreaterThan(20);
    const answers = await Promise.all(spellings.map((spelling) => h.call('marketing', 'POST', '/v1/leads', { email: spelling, name: 'Race', campaignId })));
    expect(answers.map((a) => a.statusCode).sort((a, b) => a - b)).toEqual([...Array.from({ length: 49 }, () => 200), 201]);
    const ids = new Set(answers.map((a) => a.json().leadId));
    expect(ids.size).toBe(1);
    const [leadId] = [...ids] as [string];

    const { rows } = await h.pool.query('SELECT lead_id FROM leads WHERE email_normalized = $1', [email]);
    expect(rows).toEqual([{ lead_id: leadId }]);
    await eventually(async () => {
      const runs: string[] = [];
      for await (const run of h.client.workflow.list({ query: `WorkflowId = ${JSON.stringify(workflowIdFor(leadId))}` })) runs.push(run.runId);
      expect(runs).toHaveLength(1);
    });
    await h.sink.waitFor(() => h.sink.to(email).length >= 1, 30_000, 'the welcome email');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(h.sink.to(email)).toHaveLength(1);
    // No title, so no handoff: one enrolment, nothing else, however many repeats merged attributes.
    await settles(leadId, 'nurturing', ['enrolled']);
  });

  async function mqlLead(name: string): Promise<{ leadId: string; owner: string }> {
    const res = await h.call('marketing', 'POST', '/v1/leads', { email: `${name}-${h.tag}@customer.test`, title: 'IT Director', campaignId });
    expect(res.statusCode).toBe(201);
    const leadId = res.json().leadId as string;
    const lead = await eventually(async () => {
      const body = (await h.call('sales', 'GET', `/v1/leads/${leadId}`)).json();
      expect(body.stage).toBe('mql');
      // Routing names the owner a moment after the handoff.
      expect(body.owner).toBeTruthy();
      return body;
    });
    return { leadId, owner: lead.owner };
  }

  it('10 concurrent first contacts: exactly one applies, the others get 409', async () => {
    const { leadId, owner } = await mqlLead('contacts');
    const answers = await Promise.all(Array.from({ length: 10 }, () => h.call('sales', 'POST', `/v1/leads/${leadId}/contact`, { rep: owner, channel: 'call' })));
    expect(answers.map((a) => a.statusCode).sort((a, b) => a - b)).toEqual([200, ...Array.from({ length: 9 }, () => 409)]);
    for (const a of answers.filter((x) => x.statusCode === 409)) expect(a.json().error.code).toBe('illegal_stage');
    await settles(leadId, 'working', ['enrolled', 'mql', 'assigned', 'contacted']);
  });

  it('concurrent contact and reject on an MQL: the outcome of one serial order, never both half-applied', async () => {
    const outcomes = new Set<string>();
    for (let round = 0; round < 4; round++) {
      const { leadId, owner } = await mqlLead(`contact-reject-${round}`);
      const [contact, reject] = await Promise.all([
        h.call('sales', 'POST', `/v1/leads/${leadId}/contact`, { rep: owner, channel: 'email' }),
        h.call('sales', 'POST', `/v1/leads/${leadId}/reject`, { rep: owner, reason: 'bad_timing' }),
      ]);
      // Contact first: working, then the reject of a working lead is legal too → recycled after contact.
      // Reject first: recycled, and a contact of a recycled lead is refused with 409.
      expect(reject.statusCode).toBe(200);
      if (contact.statusCode === 200) {
        await settles(leadId, 'recycled', ['enrolled', 'mql', 'assigned', 'contacted', 'rejected']);
        outcomes.add('contact, then reject');
      } else {
        expect([contact.statusCode, contact.json().error.code]).toEqual([409, 'illegal_stage']);
        await settles(leadId, 'recycled', ['enrolled', 'mql', 'assigned', 'rejected']);
        outcomes.add('reject; contact refused');
      }
    }
    console.log(`[races] contact ∥ reject outcomes seen: ${[...outcomes].join(' | ')}`);
  });

  it('concurrent accept and reject of a working lead: exactly one applies, the other gets 409', async () => {
    for (let round = 0; round < 3; round++) {
      const { leadId, owner } = await mqlLead(`accept-reject-${round}`);
      expect((await h.call('sales', 'POST', `/v1/leads/${leadId}/contact`, { rep: owner, channel: 'call' })).statusCode).toBe(200);
      const [accept, reject] = await Promise.all([
        h.call('sales', 'POST', `/v1/leads/${leadId}/accept`, { rep: owner, bant: { budget: true, authority: true, need: true, timeline: true } }),
        h.call('sales', 'POST', `/v1/leads/${leadId}/reject`, { rep: owner, reason: 'no_budget' }),
      ]);
      expect([accept.statusCode, reject.statusCode].sort((a, b) => a - b)).toEqual([200, 409]);
      const loser = accept.statusCode === 409 ? accept : reject;
      expect(loser.json().error.code).toBe('illegal_stage');
      const final = await eventually(async () => {
        const { rows } = await h.pool.query('SELECT reason FROM lead_transitions WHERE lead_id = $1 ORDER BY seq', [leadId]);
        const last = rows[rows.length - 1]?.reason;
        expect(['accepted', 'rejected']).toContain(last);
        return rows.map((r) => r.reason);
      });
      expect(final).toEqual(['enrolled', 'mql', 'assigned', 'contacted', accept.statusCode === 200 ? 'accepted' : 'rejected']);
    }
  });
});
