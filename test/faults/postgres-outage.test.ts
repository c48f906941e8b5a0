// PostgreSQL stopped for 15 s while events come in and SLA timers run. The API answers what it
// cannot store with 503 + Retry-After (never a 500); clients resend the same eventIds; activities
// retry until PostgreSQL is back. Afterwards no event, no transition and no email is missing, and
// none is doubled. This test owns its PostgreSQL (a child process on a data directory kept across
// the stop); Temporal is the run's shared dev server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import { messageIdFor } from '../../activities/email';
import { buildApp } from '../../src/api/app';
import { createPool } from '../../src/db/pool';
import { migrateAndSeed } from '../../src/catalog/migrate-and-seed';
import { devServerClient, devServerNativeConnection, eventually, startWorker, uid, type RunningWorker } from '../support/harness';
import { SmtpSink } from '../support/smtp-sink';
import { sleep, stablePort, startPostgresProcess, type PostgresProcess } from './support/processes';

const KEY = 'marketing-key-for-outage-test';
const OPS_KEY = 'ops-key-for-the-outage-test';
const OUTAGE_MS = 15_000;
const EVENT_LEADS = 5;
const SLA_LEADS = 5;

describe('PostgreSQL stopped for 15 s during event intake', () => {
  const tag = uid();
  const taskQueue = `faults-pg-outage-${tag}`;
  const dir = mkdtempSync(join(tmpdir(), 'leadloop-pg-outage-'));
  const sink = new SmtpSink();
  let port: number;
  let pg: PostgresProcess | null = null;
  let apiPool: Pool;
  let workerPool: Pool;
  let client: Client;
  let connection: NativeConnection;
  let worker: RunningWorker;
  let app: FastifyInstance;
  let base: string;

  beforeAll(async () => {
    await sink.start();
    port = await stablePort();
    pg = await startPostgresProcess(join(dir, 'pg'), port);
    apiPool = createPool(pg.url, { connectionTimeoutMillis: 2_000 });
    workerPool = createPool(pg.url, { max: 5, connectionTimeoutMillis: 2_000 });
    await migrateAndSeed(apiPool);
    client = await devServerClient();
    connection = await devServerNativeConnection();
    worker = await startWorker({ connection, taskQueue, pool: workerPool, sink });
    app = await buildApp({
      pool: apiPool,
      client,
      taskQueue,
      searchAttributes: true,
      apiKeys: [{ role: 'marketing', key: KEY }, { role: 'ops', key: OPS_KEY }],
    });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await app?.close();
    await worker?.stop();
    await connection?.close();
    await client?.connection.close();
    await apiPool?.end();
    await workerPool?.end();
    await pg?.proc.stop();
    await sink.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function call(method: string, path: string, body?: unknown, key = KEY) {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, retryAfter: res.headers.get('retry-after'), json: text ? JSON.parse(text) : null };
  }

  it('answers 503 + Retry-After while it is down, and afterwards misses nothing', async () => {
    const manager = `manager-${tag}@outage.test`;
    const owners = [`owner1-${tag}@outage.test`, `owner2-${tag}@outage.test`];
    const put = async (path: string, body: unknown) => expect((await call('PUT', path, body)).status).toBe(201);
    await put(`/v1/scoring-models/visits-${tag}`, { behavior: [{ id: 'visit', event: 'page_view', points: 1 }], mql: { threshold: 100_000 } });
    await put(`/v1/campaigns/visits-${tag}`, { name: 'Visits', scoringModel: `visits-${tag}`, steps: [], policy: { owners, manager } });
    await put(`/v1/scoring-models/fit-${tag}`, { fit: [{ id: 'dm', attribute: 'title', pattern: 'director', points: 20 }], mql: { threshold: 10 } });
    await put(`/v1/campaigns/sla-${tag}`, { name: 'SLA', scoringModel: `fit-${tag}`, steps: [], policy: { sla: '12s', maxReassignments: 1, recyclePeriod: '1h', owners, manager } });

    const enrol = async (email: string, campaignId: string) => {
      const res = await call('POST', '/v1/leads', { email, title: 'IT Director', campaignId });
      expect(res.status).toBe(201);
      return res.json.leadId as string;
    };
    const eventLeads: string[] = [];
    for (let i = 0; i < EVENT_LEADS; i++) eventLeads.push(await enrol(`visitor${i}-${tag}@outage.test`, `visits-${tag}`));
    const slaLeads: string[] = [];
    for (let i = 0; i < SLA_LEADS; i++) slaLeads.push(await enrol(`waiting${i}-${tag}@outage.test`, `sla-${tag}`));

    // Intake: three clients sending single events, one sending batches. A 503 is resent with the
    // same eventId after Retry-After; every other answer but 202 is a failure of the test.
    const statuses = new Map<number, number>();
    const unexpected: unknown[] = [];
    const sent = new Map<string, string>(); // eventId → leadId, once accepted
    let seq = 0;
    let running = true;
    const count = (status: number) => statuses.set(status, (statuses.get(status) ?? 0) + 1);
    const honour = async (res: { status: number; retryAfter: string | null; json: any }) => {
      if (res.retryAfter !== '5' || res.json?.error?.code !== 'unavailable') unexpected.push({ status: res.status, retryAfter: res.retryAfter, body: res.json });
      await sleep(Number(res.retryAfter ?? 5) * 1000);
    };
    const single = async () => {
      while (running) {
        const leadId = eventLeads[seq % EVENT_LEADS]!;
        const eventId = `${tag}-e${seq++}`;
        for (;;) {
          const res = await call('POST', `/v1/leads/${leadId}/events`, { eventId, type: 'page_view', properties: { page: 'blog' } }).catch((err: Error) => ({ status: 0, retryAfter: null, json: { error: err.message } }));
          count(res.status);
          if (res.status === 202) {
            sent.set(eventId, leadId);
            break;
          }
          if (res.status !== 503) unexpected.push(res);
          await honour(res);
        }
        await sleep(50);
      }
    };
    const batches = async () => {
      while (running) {
        let items = Array.from({ length: 5 }, (_, i) => ({ leadId: eventLeads[i]!, eventId: `${tag}-b${seq++}`, type: 'page_view' }));
        while (items.length) {
          const res = await call('POST', '/v1/events', { events: items }).catch((err: Error) => ({ status: 0, retryAfter: null, json: { error: err.message } }));
          count(res.status);
          if (res.status === 202) {
            const results = res.json.results as { status: string; eventId: string; error?: { code: string } }[];
            for (const [i, r] of results.entries()) if (r.status !== 'failed') sent.set(items[i]!.eventId, items[i]!.leadId);
            const failed = results.filter((r) => r.status === 'failed');
            if (failed.some((r) => r.error?.code !== 'unavailable')) unexpected.push(res.json);
            items = items.filter((_, i) => results[i]!.status === 'failed');
            if (items.length) await sleep(5_000);
            continue;
          }
          if (res.status !== 503) unexpected.push(res);
          await honour(res);
        }
        await sleep(200);
      }
    };
    const clients = [single(), single(), single(), batches()];

    await sleep(3_000);
    await pg!.proc.stop();
    const down = Date.now();
    await sleep(OUTAGE_MS);
    expect((await call('GET', '/v1/leads', undefined, OPS_KEY)).status).toBe(503);
    pg = await startPostgresProcess(join(dir, 'pg'), port);
    console.log(`[faults] PostgreSQL was down for ${Date.now() - down} ms`);
    await sleep(5_000);
    running = false;
    await Promise.all(clients);

    console.log(`[faults] intake answers during the run: ${JSON.stringify(Object.fromEntries(statuses))}; ${sent.size} events accepted`);
    expect(unexpected).toEqual([]);
    expect([...statuses.keys()].sort()).toEqual([202, 503]);

    // Every accepted event is stored once and counted once by its lead's workflow.
    const { rows } = await apiPool.query<{ event_id: string; lead_id: string }>('SELECT event_id, lead_id FROM lead_events WHERE lead_id = ANY($1)', [eventLeads]);
    expect(new Map(rows.map((r) => [r.event_id, r.lead_id]))).toEqual(sent);
    expect(rows).toHaveLength(sent.size);
    for (const leadId of eventLeads) {
      const expected = [...sent.values()].filter((l) => l === leadId).length;
      await eventually(async () => {
        const lead = await call('GET', `/v1/leads/${leadId}`, undefined, OPS_KEY);
        expect([leadId, lead.json.score.behavior, lead.json.temporal.live]).toEqual([leadId, expected, true]);
      }, 60_000, 500);
    }

    // The SLA leads: breached during the outage (transition and emails retried), expired after it.
    await eventually(async () => {
      const { rows: t } = await apiPool.query<{ reasons: string[] }>(
        `SELECT ARRAY(SELECT reason FROM lead_transitions t WHERE t.lead_id = l.lead_id ORDER BY seq) AS reasons FROM leads l WHERE l.lead_id = ANY($1)`,
        [slaLeads],
      );
      expect(t.map((r) => r.reasons.join())).toEqual(slaLeads.map(() => 'enrolled,mql,assigned,sla_breached,assigned,sla_expired'));
    }, 120_000, 1_000);
    const expectedMail = slaLeads.flatMap((id) => [1, 2].flatMap((n) => [messageIdFor(`owner:${id}:0:${n}`), messageIdFor(`sla:${id}:0:${n}`)]));
    await sink.waitFor((all) => all.length >= expectedMail.length, 120_000, 'owner and escalation emails');
    await sleep(2_000);
    expect(sink.messages.map((m) => m.messageId).sort()).toEqual(expectedMail.sort());
    const { rows: visits } = await apiPool.query<{ reasons: string[] }>(
      `SELECT ARRAY(SELECT reason FROM lead_transitions t WHERE t.lead_id = l.lead_id ORDER BY seq) AS reasons FROM leads l WHERE l.lead_id = ANY($1)`,
      [eventLeads],
    );
    expect(visits.map((r) => r.reasons.join())).toEqual(eventLeads.map(() => 'enrolled'));
  });
});
