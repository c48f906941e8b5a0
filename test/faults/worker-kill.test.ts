// kill -9 of the worker while 200 leads are mid-nurture: emails being sent, nurture and SLA timers
// pending. A new worker process picks the leads up; every lead reaches its expected stage and the
// SMTP sink holds exactly the expected messages: none lost, none twice.
import { messageIdFor } from '../../activities/email';
import type { LeadConfig } from '../../src/domain/lead-state';
import { enrollLead } from '../../src/leads/enrol';
import type { IntakeDeps } from '../../src/leads/deps';
import { eventually, testConfig } from '../support/harness';
import { sleep } from './support/processes';
import { workerFaultStack } from './support/worker-fault-stack';

const PER_GROUP = 100;

describe('worker killed with SIGKILL mid-nurture', () => {
  const stack = workerFaultStack('worker-kill');

  it('loses no lead, no transition and no email, and sends none twice', async () => {
    const { tag, taskQueue, sink } = stack;
    // Nurture group: three steps 0 s, 3 s, 6 s apart → 3 emails each, still nurturing at the end.
    const nurture: LeadConfig = testConfig(`n-${tag}`, {
      campaign: {
        steps: [
          { id: 'one', delay: '0s', subject: 'One {{name}}', body: 'first' },
          { id: 'two', delay: '3s', subject: 'Two {{name}}', body: 'second' },
          { id: 'three', delay: '3s', subject: 'Three {{name}}', body: 'third' },
        ],
      },
    });
    // MQL group: fit alone qualifies at enrolment → owner email; nobody contacts, so the 8 s SLA is
    // missed twice: escalation + reassignment email, then escalation + recycled (sla_expired).
    const mql: LeadConfig = testConfig(`m-${tag}`, {
      campaign: { steps: [{ id: 'never', delay: '1h', subject: 'never sent', body: 'x' }] },
      policy: { sla: '8s', maxReassignments: 1, recyclePeriod: '1h' },
      model: { mql: { threshold: 10 } },
    });

    const worker = await stack.startWorker();
    const { pool, client } = stack;
    const deps: IntakeDeps = { pool, client, taskQueue, searchAttributes: true };
    const leads: { leadId: string; group: 'nurture' | 'mql' }[] = [];
    const jobs = Array.from({ length: PER_GROUP * 2 }, (_, i) => i);
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        for (let i = jobs.shift(); i !== undefined; i = jobs.shift()) {
          const group = i % 2 === 0 ? 'nurture' : 'mql';
          const r = await enrollLead(deps, { email: `lead${i}-${tag}@kill.test`, name: `Lead ${i}`, title: 'IT Director' }, group === 'nurture' ? nurture : mql);
          leads.push({ leadId: r.leadId, group });
        }
      }),
    );
    const expected = PER_GROUP * 3 + PER_GROUP * 4;

    // Kill in the middle of the first burst of sends, at a moment not tied to any one delivery (the
    // sink's own 250 reply must not be what triggers the kill).
    await sink.waitFor((all) => all.length >= 100, 120_000, '100 emails before the kill');
    await sleep(100 + Math.floor(Math.random() * 300));
    await worker.kill9();
    // Give the server time to finish what the dead worker had fully written; then every message that
    // arrived has its committed record (a delivery without one would be sent again by the retry).
    await sleep(1_000);
    const atKill = sink.messages.length;
    const { rows: recorded } = await pool.query<{ message_id: string }>(`SELECT message_id FROM email_log WHERE lead_id = ANY($1) AND status = 'sent'`, [leads.map((l) => l.leadId)]);
    const unrecorded = sink.messages.map((m) => m.messageId).filter((id) => !recorded.some((r) => r.message_id === id));
    console.log(`[faults] worker killed with ${atKill}/${expected} emails delivered, ${recorded.length} recorded as sent`);
    expect(unrecorded).toEqual([]);
    expect(atKill).toBeLessThan(expected);
    // Timers keep firing on the server while no worker runs.
    await sleep(4_000);

    await stack.startWorker();
    await sink.waitFor((all) => all.length >= expected, 240_000, `${expected} emails`);
    // Every lead settled: the nurture group has sent its last step, the MQL group is recycled.
    const ids = leads.map((l) => l.leadId);
    const rows = await eventually(async () => {
      const { rows } = await pool.query<{ lead_id: string; stage: string; transitions: string[]; emails: number }>(
        `SELECT l.lead_id, l.stage,
                ARRAY(SELECT reason FROM lead_transitions t WHERE t.lead_id = l.lead_id ORDER BY seq) AS transitions,
                (SELECT count(*)::int FROM email_log e WHERE e.lead_id = l.lead_id AND e.status = 'sent') AS emails
           FROM leads l WHERE l.lead_id = ANY($1)`,
        [ids],
      );
      const group = new Map(leads.map((l) => [l.leadId, l.group]));
      const wrong = rows.filter((r) =>
        group.get(r.lead_id) === 'nurture'
          ? !(r.stage === 'nurturing' && r.transitions.join() === 'enrolled' && r.emails === 3)
          : !(r.stage === 'recycled' && r.transitions.join() === 'enrolled,mql,assigned,sla_breached,assigned,sla_expired' && r.emails === 4),
      );
      expect(rows).toHaveLength(PER_GROUP * 2);
      expect(wrong).toEqual([]);
      return rows;
    }, 120_000, 1_000);
    expect(rows).toHaveLength(200);

    // Let any late copy arrive before counting.
    await sleep(3_000);
    // The exact set of messages expected, by their Message-ID (derived from the idempotency key).
    const expectedIds = leads.flatMap(({ leadId, group }) =>
      group === 'nurture'
        ? ['one', 'two', 'three'].map((step) => messageIdFor(`nurture:${leadId}:${nurture.campaign.id}:${step}:0`))
        : [1, 2].flatMap((n) => [messageIdFor(`owner:${leadId}:0:${n}`), messageIdFor(`sla:${leadId}:0:${n}`)]),
    );
    const copies = new Map<string, number>();
    for (const m of sink.messages) copies.set(m.messageId, (copies.get(m.messageId) ?? 0) + 1);
    const twice = [...copies.entries()].filter(([, n]) => n > 1);
    console.log(`[faults] after restart: ${sink.messages.length} deliveries, ${copies.size} distinct messages (expected ${expected}), ${twice.length} delivered twice`);
    // None lost and none unexpected: exactly the expected messages arrived, and none twice (the
    // record is committed as the message's final "." is written, before the server answers).
    expect([...copies.keys()].sort()).toEqual([...expectedIds].sort());
    expect(twice).toEqual([]);
    expect(sink.messages).toHaveLength(expected);
    const { rows: log } = await pool.query<{ status: string; n: number }>(
      'SELECT status, count(*)::int AS n FROM email_log WHERE lead_id = ANY($1) GROUP BY status',
      [ids],
    );
    expect(log).toEqual([{ status: 'sent', n: expected }]);
  });
});
