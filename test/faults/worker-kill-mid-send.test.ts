// kill -9 of the worker in the middle of an SMTP conversation: the email activity heartbeats, so
// Temporal notices the dead worker within its 10 s heartbeat timeout and the next worker sends the
// email, once, within seconds (before heartbeats: after the 1-minute start-to-close timeout).
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { enrollLead } from '../../src/leads/intake';
import { devServerClient, eventually, testConfig, testEnv, testPool, uid } from '../support/harness';
import { SmtpSink } from '../support/smtp-sink';
import { sleep, startWorkerProcess, type OwnedProcess } from './support/processes';

describe('worker killed with SIGKILL mid-send', () => {
  const tag = uid();
  const taskQueue = `faults-mid-send-${tag}`;
  const sink = new SmtpSink();
  let pool: Pool;
  let client: Client;
  let worker: OwnedProcess | null = null;

  beforeAll(async () => {
    await sink.start();
    pool = testPool();
    client = await devServerClient();
  });
  afterAll(async () => {
    await worker?.kill9();
    await client?.connection.close();
    await pool?.end();
    await sink.stop();
  });

  const start = () =>
    startWorkerProcess({ taskQueue, databaseUrl: testEnv.databaseUrl, temporalAddress: testEnv.temporalAddress, smtpUrl: sink.url, bundlePath: testEnv.bundlePath });

  it('retries the email on the next worker within seconds, and sends it once', async () => {
    // The first conversation stops at RCPT TO (the claim's transaction open) until the worker is dead.
    let inConversation!: () => void;
    const reached = new Promise<void>((resolve) => (inConversation = resolve));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    sink.hooks.rcpt = async () => {
      sink.hooks = {};
      inConversation();
      await held;
    };

    worker = await start();
    const email = `mid-send-${tag}@kill.test`;
    const { leadId } = await enrollLead({ pool, client, taskQueue, searchAttributes: true }, { email, name: 'Mid send' }, testConfig(tag));
    await reached;
    await worker.kill9();
    const killedAt = Date.now();
    release();
    worker = await start();

    await sink.waitFor(() => sink.to(email).length === 1, 90_000, 'the email after the kill');
    const delay = (Date.now() - killedAt) / 1000;
    console.log(`[faults] worker killed mid-send: the email arrived ${delay.toFixed(1)} s after the kill`);
    expect(delay).toBeLessThan(30);
    await sleep(2_000);
    expect(sink.to(email)).toHaveLength(1);
    await eventually(async () => {
      const { rows } = await pool.query('SELECT status, attempts FROM email_log WHERE lead_id = $1', [leadId]);
      expect(rows).toEqual([{ status: 'sent', attempts: 1 }]);
    });
  });
});
