// The API process killed with SIGKILL in the middle of a 500-event batch POST. The client sees its
// request fail, and resends the same batch (same eventIds) to a restarted API: every event is
// stored once and scored once, whether it was stored and signalled before the kill, stored but not
// signalled, or not reached at all (the batch is stored in one statement: all of it or none).
import type { Pool } from 'pg';
import type { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { devServerClient, devServerNativeConnection, eventually, startWorker, testEnv, testPool, uid, type RunningWorker } from '../support/harness';
import { SmtpSink } from '../support/smtp-sink';
import { sleep, spawnTsx, stablePort, type OwnedProcess } from './support/processes';

const KEYS = { marketing: 'marketing-key-api-kill-0123456789abcdef', ops: 'ops-key-api-kill-0123456789abcdef0123' };
const LEADS = 20;
const BATCH = 500;

describe('API killed with SIGKILL mid-batch', () => {
  const tag = uid();
  const taskQueue = `faults-api-kill-${tag}`;
  const sink = new SmtpSink();
  let pool: Pool;
  let client: Client;
  let connection: NativeConnection;
  let worker: RunningWorker;
  let api: OwnedProcess | null = null;
  let base: string;
  let port: number;

  const startApi = async () => {
    const proc = spawnTsx('api', 'src/server.ts', [], {
      DATABASE_URL: testEnv.databaseUrl,
      TEMPORAL_ADDRESS: testEnv.temporalAddress,
      TEMPORAL_TASK_QUEUE: taskQueue,
      API_KEYS: `marketing:${KEYS.marketing},ops:${KEYS.ops}`,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    });
    for (const deadline = Date.now() + 90_000; ; await sleep(200)) {
      if (proc.child.exitCode !== null) throw new Error(`API exited: ${proc.tail()}`);
      if (await fetch(`${base}/healthz`).then((r) => r.ok, () => false)) return proc;
      if (Date.now() > deadline) throw new Error(`API not up within 90 s: ${proc.tail()}`);
    }
  };

  async function call(method: string, path: string, body?: unknown, key = KEYS.marketing) {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null };
  }

  beforeAll(async () => {
    await sink.start();
    pool = testPool();
    client = await devServerClient();
    connection = await devServerNativeConnection();
    worker = await startWorker({ connection, taskQueue, pool, sink });
    port = await stablePort();
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await api?.kill9();
    await worker?.stop();
    await connection?.close();
    await client?.connection.close();
    await pool?.end();
    await sink.stop();
  });

  it('scores nothing twice when the client resends the batch with the same eventIds', async () => {
    api = await startApi();
    expect((await call('PUT', `/v1/scoring-models/kill-${tag}`, { behavior: [{ id: 'visit', event: 'page_view', points: 3 }], mql: { threshold: 100_000 } })).status).toBe(201);
    expect((await call('PUT', `/v1/campaigns/kill-${tag}`, { name: 'Kill', scoringModel: `kill-${tag}`, steps: [] })).status).toBe(201);
    const leads: string[] = [];
    for (let i = 0; i < LEADS; i++) {
      const res = await call('POST', '/v1/leads', { email: `batch${i}-${tag}@kill.test`, campaignId: `kill-${tag}` });
      expect(res.status).toBe(201);
      leads.push(res.json.leadId);
    }
    // Uneven counts per lead (112 for the first, 13 for the last), so a double count on any lead shows.
    const events = Array.from({ length: BATCH }, (_, n) => ({ leadId: leads[Math.floor(((n * n) / (BATCH * BATCH)) * LEADS)]!, eventId: `${tag}-k${n}`, type: 'page_view' }));
    const perLead = new Map(leads.map((id) => [id, events.filter((e) => e.leadId === id).length]));
    const stored = async () => (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM lead_events WHERE event_id LIKE $1', [`${tag}-k%`])).rows[0]!.n;

    const first = call('POST', '/v1/events', { events }).then(
      (res) => ({ ok: true as const, res }),
      (err: Error) => ({ ok: false as const, err }),
    );
    // Kill while the batch is being processed: the batch is stored in one statement (all or nothing),
    // then signalled 32 at a time; the kill lands while signals are in flight.
    let atKill = 0;
    for (const deadline = Date.now() + 60_000; (atKill = await stored()) < 20; await sleep(10)) {
      if (Date.now() > deadline) throw new Error('the batch did not start within 60 s');
    }
    await api.kill9();
    const outcome = await first;
    atKill = await stored();
    console.log(`[faults] API killed with ${atKill}/${BATCH} events of the batch stored; the request ${outcome.ok ? `answered ${outcome.res.status}` : `failed: ${outcome.err.message}`}`);
    expect(outcome.ok).toBe(false);
    expect([0, BATCH]).toContain(atKill);

    api = await startApi();
    const retry = await call('POST', '/v1/events', { events });
    expect(retry.status).toBe(202);
    expect(retry.json).toMatchObject({ accepted: BATCH - atKill, duplicates: atKill, failed: 0 });
    expect(await stored()).toBe(BATCH);
    // A third send changes nothing either.
    expect((await call('POST', '/v1/events', { events })).json).toMatchObject({ accepted: 0, duplicates: BATCH, failed: 0 });

    for (const leadId of leads) {
      await eventually(async () => {
        const lead = await call('GET', `/v1/leads/${leadId}`, undefined, KEYS.ops);
        expect([leadId, lead.json.score.behavior, lead.json.temporal.live]).toEqual([leadId, 3 * perLead.get(leadId)!, true]);
      }, 60_000, 500);
    }
  });
});
