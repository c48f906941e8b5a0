// Routing on the dev server with two worker processes on one task queue: consecutive handoffs of a
// campaign alternate between its reps (the turn is taken in PostgreSQL, whichever worker runs the
// pick), a matching rule gives its own pool, reps out of office or at capacity are skipped, and a
// missed SLA goes to the next rep of the pool, never to the one who missed it.
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { LeadConfig } from '../../src/domain/lead-state';
import type { IntakeDeps } from '../../src/leads/deps';
import { enrollLead } from '../../src/leads/enrol';
import { recordEvent } from '../../src/leads/record-events';
import { workflowIdFor } from '../../src/temporal/client';
import { upsertUser } from '../../src/users/store';
import { getStateQuery } from '../../workflows/messages';
import { startWorkerProcess, type OwnedProcess } from '../faults/support/processes';
import { devServerClient, eventually, testConfig, testEnv, testPool, uid } from '../support/harness';
import { SmtpSink } from '../support/smtp-sink';

describe('routing (dev server, two worker processes)', () => {
  const taskQueue = `routing-${uid()}`;
  const sink = new SmtpSink();
  let pool: Pool;
  let client: Client;
  let deps: IntakeDeps;
  const workers: OwnedProcess[] = [];

  beforeAll(async () => {
    await sink.start();
    pool = testPool();
    client = await devServerClient();
    deps = { pool, client, taskQueue, searchAttributes: true };
    for (let i = 0; i < 2; i++) workers.push(await startWorkerProcess({ taskQueue, databaseUrl: testEnv.databaseUrl, temporalAddress: testEnv.temporalAddress, smtpUrl: sink.url, bundlePath: testEnv.bundlePath }));
  }, 120_000);
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await client?.connection.close();
    await pool?.end();
    await sink.stop();
  });

  const state = (leadId: string) => client.workflow.getHandle(workflowIdFor(leadId)).query(getStateQuery);
  const reps = (tag: string, n: number) => Array.from({ length: n }, (_, i) => `rep${i + 1}-${tag}@sales.test`);
  async function owned(config: LeadConfig, attributes: Record<string, unknown> = {}): Promise<{ leadId: string; owner: string }> {
    const { leadId } = await enrollLead(deps, { email: `lead-${uid()}@customer.test`, title: 'Director of IT', ...attributes }, config);
    await recordEvent(deps, leadId, { type: 'page_view', properties: { page: 'pricing' } });
    await recordEvent(deps, leadId, { type: 'demo_request' });
    const owner = await eventually(async () => {
      const s = await state(leadId);
      expect(s.stage).toBe('mql');
      expect(s.owner).toBeTruthy();
      return s.owner!;
    }, 20_000);
    // Capacity counts the lead rows: wait until this one holds its owner.
    await eventually(async () => expect((await pool.query('SELECT owner FROM leads WHERE lead_id = $1', [leadId])).rows[0].owner).toBe(owner));
    return { leadId, owner };
  }
  const user = (email: string, extra: Record<string, unknown> = {}) => upsertUser(pool, email.toLowerCase(), email, { name: email, role: 'sales', locale: 'ja', ...extra } as Parameters<typeof upsertUser>[3]);

  it('alternates consecutive handoffs between the reps, whichever worker runs them, and records who assigned each', async () => {
    const tag = uid();
    const config = testConfig(tag, { policy: { owners: reps(tag, 2) } });
    const owners: string[] = [];
    for (let i = 0; i < 4; i++) owners.push((await owned(config)).owner);
    expect(owners).toEqual([owners[0], owners[1], owners[0], owners[1]]);
    expect(new Set(owners).size).toBe(2);
    const { rows } = await pool.query(`SELECT details FROM lead_transitions t JOIN leads l USING (lead_id) WHERE l.campaign_id = $1 AND t.reason = 'assigned'`, [config.campaign.id]);
    expect(rows.map((r) => r.details.assignedBy)).toEqual(['fallback', 'fallback', 'fallback', 'fallback']);
  }, 60_000);

  it("a matching rule's pool comes first; a rep out of office or at capacity is skipped; nobody available falls back to the campaign's reps", async () => {
    const tag = uid();
    const [big1, big2] = [`big1-${tag}@sales.test`, `big2-${tag}@sales.test`];
    const config = testConfig(tag, { policy: { owners: reps(tag, 1), routing: { rules: [{ id: 'enterprise', when: { attribute: 'employees', gte: 1000 }, owners: [big1, big2] }] } } });
    await user(big1, { outOfOffice: [{ from: new Date(Date.now() - 3600_000).toISOString(), to: new Date(Date.now() + 86_400_000).toISOString() }] });
    await user(big2, { capacity: 1 });
    const first = await owned(config, { employees: 5000 });
    expect(first.owner).toBe(big2);
    const details = (await state(first.leadId)).transitions.find((t) => t.reason === 'assigned')!.details;
    expect(details).toMatchObject({ assignedBy: 'enterprise', pool: 'enterprise', skipped: `${big1} (out_of_office)` });
    // big2 is at capacity now, big1 away: the rule's pool has nobody, the campaign's rep takes it.
    const second = await owned(config, { employees: 5000 });
    expect(second.owner).toBe(reps(tag, 1)[0]);
    expect((await state(second.leadId)).transitions.find((t) => t.reason === 'assigned')!.details).toMatchObject({ assignedBy: 'fallback' });
    // A small company matches no rule.
    expect((await owned(config, { employees: 10 })).owner).toBe(reps(tag, 1)[0]);
  }, 60_000);

  it('a missed SLA goes to the next rep of the pool, never the one who missed it', async () => {
    const tag = uid();
    const config = testConfig(tag, { policy: { owners: reps(tag, 2), sla: '3s' } });
    const { leadId, owner } = await owned(config);
    const after = await eventually(async () => {
      const s = await state(leadId);
      expect(s.transitions.map((t) => t.reason)).toContain('sla_breached');
      expect(s.owner).toBeTruthy();
      return s;
    }, 20_000, 250);
    expect(after.owner).not.toBe(owner);
    expect(reps(tag, 2)).toContain(after.owner);
    await sink.waitFor(() => sink.to(config.policy.manager).length >= 1, 15_000, 'escalation');
    expect(sink.to(config.policy.manager)[0]!.text).toContain(`not ${owner}`);
    await sink.waitFor(() => sink.to(after.owner!).length >= 1, 15_000, 'reassignment email');
  }, 60_000);
});
