// The Temporal dev server (persistent SQLite file) restarted while SLA timers are pending: the
// deadlines pass while it is down, and after it comes back every escalation still happens, once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Pool } from 'pg';
import { messageIdFor } from '../../activities/email';
import type { LeadConfig } from '../../src/domain/lead-state';
import { enrollLead } from '../../src/leads/enrol';
import { startDevServer, type DevServerHandle } from '../../src/temporal/dev-server';
import { eventually, testConfig, testEnv, testPool, uid } from '../support/harness';
import { SmtpSink } from '../support/smtp-sink';
import { sleep, stablePort, startWorkerProcess, type OwnedProcess } from './support/processes';

const LEADS = 20;
const SLA_SECONDS = 12;

describe('Temporal dev server restarted while SLA timers are pending', () => {
  const tag = uid();
  const taskQueue = `faults-temporal-restart-${tag}`;
  const dir = mkdtempSync(join(tmpdir(), 'leadloop-temporal-restart-'));
  const dbFile = join(dir, 'temporal.db');
  const sink = new SmtpSink();
  let pool: Pool;
  let server: DevServerHandle | null = null;
  let worker: OwnedProcess | null = null;
  let client: Client | null = null;
  let ports: { temporal: number; ui: number };
  const serverLog: string[] = [];

  const startServer = () => startDevServer({ dbFile, port: ports.temporal, uiPort: ports.ui, log: (line) => serverLog.push(line) });

  beforeAll(async () => {
    await sink.start();
    pool = testPool();
    ports = { temporal: await stablePort(), ui: await stablePort() };
    server = await startServer();
  });
  afterAll(async () => {
    await worker?.kill9();
    await client?.connection.close().catch(() => {});
    await server?.stop();
    await pool?.end();
    await sink.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fires every escalation after the restart, once', async () => {
    const config: LeadConfig = testConfig(tag, {
      campaign: { steps: [] },
      policy: { sla: `${SLA_SECONDS}s`, maxReassignments: 0, recyclePeriod: '1h' },
      model: { mql: { threshold: 10 } },
    });
    const manager = config.policy.manager;
    worker = await startWorkerProcess({ taskQueue, databaseUrl: testEnv.databaseUrl, temporalAddress: server!.address, smtpUrl: sink.url, bundlePath: testEnv.bundlePath });
    client = new Client({ connection: await Connection.connect({ address: server!.address }), namespace: 'default' });
    const deps = { pool, client, taskQueue, searchAttributes: true };
    const leadIds: string[] = [];
    for (let i = 0; i < LEADS; i++) {
      leadIds.push((await enrollLead(deps, { email: `sla${i}-${tag}@restart.test`, name: `SLA ${i}`, title: 'Director' }, config)).leadId);
    }
    // Every lead is an MQL with its SLA timer running: the owners have their emails.
    await sink.waitFor((all) => all.filter((m) => m.subject.startsWith('New MQL')).length === LEADS, 60_000, 'handoff emails');
    // The mql records run on their own lane beside the owners' emails: wait for them too.
    const deadlines = await eventually(async () => {
      const rows = (await pool.query<{ at: Date }>(`SELECT occurred_at AS at FROM lead_transitions WHERE lead_id = ANY($1) AND reason = 'mql'`, [leadIds])).rows;
      expect(rows).toHaveLength(LEADS);
      return rows;
    }, 30_000);
    expect(sink.to(manager)).toHaveLength(0);

    // Stop the server; the deadlines pass while it is down.
    await client.connection.close();
    client = null;
    await server!.stop();
    server = null;
    const latest = Math.max(...deadlines.map((d) => d.at.getTime())) + SLA_SECONDS * 1000;
    await sleep(Math.max(0, latest - Date.now()) + 2_000);
    expect(sink.to(manager)).toHaveLength(0);

    server = await startServer();
    // The same worker process reconnects by itself; each timer fires once after the restart.
    await sink.waitFor(() => sink.to(manager).length >= LEADS, 120_000, 'escalation emails').catch((err: Error) => {
      throw new Error(`${err.message}\n--- worker ---\n${worker!.tail()}\n--- temporal ---\n${serverLog.slice(-20).join('\n')}`);
    });
    await eventually(async () => {
      const { rows } = await pool.query<{ reasons: string[] }>(
        `SELECT ARRAY(SELECT reason FROM lead_transitions t WHERE t.lead_id = l.lead_id ORDER BY seq) AS reasons FROM leads l WHERE l.lead_id = ANY($1)`,
        [leadIds],
      );
      expect(rows.map((r) => r.reasons.join())).toEqual(Array.from({ length: LEADS }, () => 'enrolled,mql,assigned,sla_expired'));
    }, 60_000, 500);
    await sleep(2_000);
    const escalations = sink.to(manager).map((m) => m.messageId).sort();
    expect(escalations).toEqual(leadIds.map((id) => messageIdFor(`sla:${id}:0:1`)).sort());
    expect(worker.child.exitCode).toBeNull();
    console.log(`[faults] Temporal restarted with ${LEADS} SLA timers pending: ${escalations.length} escalations, none twice`);
  });
});
