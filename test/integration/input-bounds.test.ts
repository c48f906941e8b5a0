// Issue 18 §6 on real servers: durations past 5 years are refused naming the field; event properties
// are stored whole in PostgreSQL while the lead's workflow receives (and keeps) the bounded copy,
// on every path that signals an event (one event, a batch, and the replay of a lead started late).
import { defaultPayloadConverter } from '@temporalio/common';
import { storeLeads, startLeadWorkflow, type StoredLead } from '../../src/leads/enrol';
import { resolveLeadConfig } from '../../src/catalog/store';
import { WORKFLOW_PROPERTIES } from '../../src/leads/event-properties';
import { workflowIdFor } from '../../src/temporal/client';
import { eventually } from '../support/harness';
import { startApiHarness, type ApiHarness } from './api-support';

type Properties = Record<string, string | number | boolean>;

describe('limits at the boundaries (durations, event properties)', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness('bounds');
  });
  afterAll(async () => h?.stop());

  const steps = [{ id: 'welcome', delay: '0s', subject: 'Hello', body: 'Hello {{name}}' }];
  const policy = () => ({ sla: '1h', owners: [`owner-${h.tag}@sales.test`], manager: `manager-${h.tag}@sales.test` });

  it('refuses a duration past 5 years with 400 naming the field, and stores nothing', async () => {
    const campaignId = `durations-${h.tag}`;
    const res = await h.call('marketing', 'PUT', `/v1/campaigns/${campaignId}`, { name: 'd', steps, policy: { ...policy(), recyclePeriod: '300000y' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toEqual([{ in: 'body', field: 'policy.recyclePeriod', message: 'must be at most 5 years ("5y")' }]);
    const delay = await h.call('marketing', 'PUT', `/v1/campaigns/${campaignId}`, { name: 'd', steps: [{ ...steps[0], delay: '6y' }], policy: policy() });
    expect(delay.json().error.details).toEqual([expect.objectContaining({ field: 'steps.0.delay' })]);
    const model = await h.call('marketing', 'PUT', `/v1/scoring-models/durations-${h.tag}`, { behaviorWindow: '300000y', mql: { threshold: 1 } });
    expect(model.json().error.details).toEqual([expect.objectContaining({ field: 'behaviorWindow' })]);
    expect((await h.call('marketing', 'GET', `/v1/campaigns/${campaignId}`)).statusCode).toBe(404);
    expect((await h.call('marketing', 'PUT', `/v1/campaigns/${campaignId}`, { name: 'd', steps, policy: { ...policy(), recyclePeriod: '5y' } })).statusCode).toBe(201);
  });

  /** 30 keys, one of them a 1,000-character string: all within the intake schema. */
  const wideProperties = (tag: string): Properties => ({
    long: `${tag}:${'x'.repeat(1000 - tag.length - 1)}`,
    ...Object.fromEntries(Array.from({ length: 29 }, (_, i) => [`key${String(i).padStart(2, '0')}`, i])),
  });

  /** The properties of the engagement signals in the lead's workflow history, by eventId. */
  async function signalled(leadId: string): Promise<Map<string, Properties>> {
    const history = await h.client.workflow.getHandle(workflowIdFor(leadId)).fetchHistory();
    const out = new Map<string, Properties>();
    for (const e of history.events ?? []) {
      const attrs = e.workflowExecutionSignaledEventAttributes;
      if (attrs?.signalName !== 'engagement') continue;
      const event = defaultPayloadConverter.fromPayload<{ eventId: string; properties?: Properties }>(attrs.input!.payloads![0]!);
      out.set(event.eventId, event.properties ?? {});
    }
    return out;
  }

  const expectBounded = (props: Properties | undefined, tag: string) => {
    expect(props).toBeDefined();
    expect(Object.keys(props!).length).toBeLessThanOrEqual(WORKFLOW_PROPERTIES.maxKeys);
    expect(Buffer.byteLength(JSON.stringify(props))).toBeLessThanOrEqual(WORKFLOW_PROPERTIES.maxBytes);
    expect(props!.long).toBe(`${tag}:${'x'.repeat(WORKFLOW_PROPERTIES.maxStringChars - tag.length - 1)}`);
  };
  const expectStoredWhole = async (eventId: string, tag: string) => {
    const { rows } = await h.pool.query<{ properties: Properties }>('SELECT properties FROM lead_events WHERE event_id = $1', [eventId]);
    expect(rows[0]!.properties).toEqual(wideProperties(tag));
  };

  it('stores every property in PostgreSQL and signals the workflow the bounded copy (one event, a batch)', async () => {
    const email = `props-${h.tag}@customer.test`;
    const enrol = await h.call('marketing', 'POST', '/v1/leads', { email, title: 'CTO' });
    expect(enrol.statusCode).toBe(201);
    const { leadId } = enrol.json();
    const one = await h.call('marketing', 'POST', `/v1/leads/${leadId}/events`, { eventId: `one-${h.tag}`, type: 'page_view', properties: wideProperties('one') });
    expect(one.statusCode).toBe(202);
    const batch = await h.call('marketing', 'POST', '/v1/events', { events: [{ email, eventId: `batch-${h.tag}`, type: 'page_view', properties: wideProperties('batch') }] });
    expect(batch.json()).toMatchObject({ accepted: 1, failed: 0 });

    await expectStoredWhole(`one-${h.tag}`, 'one');
    await expectStoredWhole(`batch-${h.tag}`, 'batch');
    const seen = await eventually(async () => {
      const s = await signalled(leadId);
      expect(s.size).toBe(2);
      return s;
    });
    expectBounded(seen.get(`one-${h.tag}`), 'one');
    expectBounded(seen.get(`batch-${h.tag}`), 'batch');
  });

  it('bounds the stored events replayed to a workflow started late (the start relay’s path)', async () => {
    const config = await resolveLeadConfig(h.pool, 'default');
    // Stored, not started: as after a crash between the row and the start.
    const [stored] = (await storeLeads(h.pool, [{ email: `late-${h.tag}@customer.test`, title: 'CTO' }], config)) as StoredLead[];
    const leadId = stored!.leadId;
    await h.pool.query(`INSERT INTO lead_events (event_id, lead_id, type, occurred_at, properties) VALUES ($1, $2, 'page_view', now(), $3)`, [
      `late-${h.tag}`,
      leadId,
      JSON.stringify(wideProperties('late')),
    ]);
    await startLeadWorkflow({ pool: h.pool, client: h.client, taskQueue: h.taskQueue, searchAttributes: true }, leadId, config, stored!.attributes, { enrolmentRecorded: true });
    await expectStoredWhole(`late-${h.tag}`, 'late');
    const seen = await eventually(async () => {
      const s = await signalled(leadId);
      expect(s.size).toBe(1);
      return s;
    });
    expectBounded(seen.get(`late-${h.tag}`), 'late');
  });
});
