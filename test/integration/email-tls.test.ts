// Exactly-once email over TLS and when PostgreSQL drops the claim's connection. SMTP servers
// (smtp-server) with a self-signed certificate made by openssl at test time: STARTTLS on smtp://,
// and implicit TLS (smtps://). The record must be committed when the message's final "." is written,
// before the server answers, whatever the connection; and a COMMIT that fails while the server
// accepts the message must not make a retry send it again.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from 'pg';
import { createActivities } from '../../activities';
import { createPool } from '../../src/db/pool';
import { createMailTransport, type SmtpTlsOptions } from '../../src/mail/transport';
import { testEnv, testPool, uid } from '../support/harness';
import { SmtpSink } from '../support/smtp-sink';

const dir = mkdtempSync(join(tmpdir(), 'leadloop-tls-'));
const keyFile = join(dir, 'key.pem');
const certFile = join(dir, 'cert.pem');
execFileSync('openssl', [
  'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
  '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', keyFile, '-out', certFile,
], { stdio: 'ignore' });
const tls = { key: readFileSync(keyFile), cert: readFileSync(certFile) };

const step = { id: 'welcome', delay: '0s', subject: 'Hello', body: 'Body' };

describe('exactly-once email over TLS and across a lost COMMIT', () => {
  let pool: Pool;
  beforeAll(() => {
    pool = testPool();
  });
  afterAll(async () => {
    await pool?.end();
    rmSync(dir, { recursive: true, force: true });
  });

  async function insertLead(email: string): Promise<string> {
    const { rows } = await pool.query(
      `INSERT INTO leads (lead_id, email, email_normalized, name, campaign_id, campaign_version, scoring_model_id, scoring_model_version)
       VALUES (gen_random_uuid(), $1, $1, 'TLS test', 'c', 1, 'm', 1) RETURNING lead_id`,
      [email],
    );
    return rows[0].lead_id;
  }
  const statusOf = async (leadId: string): Promise<string[]> =>
    (await pool.query<{ status: string }>('SELECT status FROM email_log WHERE lead_id = $1', [leadId])).rows.map((r) => r.status);

  describe.each([
    ['STARTTLS (smtp://)', 'starttls' as const, { caFile: certFile }],
    ['implicit TLS (smtps://)', 'implicit' as const, { rejectUnauthorized: false }],
  ])('%s', (_name, mode, options: SmtpTlsOptions) => {
    const sink = new SmtpSink({ tls: { ...tls, mode } });
    beforeAll(() => sink.start());
    afterAll(() => sink.stop());
    afterEach(() => {
      sink.hooks = {};
    });

    it('records the email as sent before the server answers, and a retry sends nothing', async () => {
      const email = `tls-${mode}-${uid()}@customer.test`;
      const leadId = await insertLead(email);
      // While the server holds its 250, another connection must already see the committed record.
      const seenBeforeAnswer: string[][] = [];
      sink.hooks.dataEnd = async () => {
        await new Promise((r) => setTimeout(r, 300));
        seenBeforeAnswer.push(await statusOf(leadId));
      };
      const activities = createActivities({ pool, transport: createMailTransport(sink.url, options), mailFrom: 'test <noreply@leadloop.test>' });
      const args = { leadId, campaignId: 'c', campaignVersion: 1, cycle: 0, stepIndex: 0, step };
      expect(await activities.sendNurtureEmail(args)).toEqual({ status: 'sent' });
      expect(seenBeforeAnswer).toEqual([['sent']]);
      expect(sink.to(email).map((m) => m.secure)).toEqual([true]);
      expect(await activities.sendNurtureEmail(args)).toEqual({ status: 'sent' });
      await new Promise((r) => setTimeout(r, 300));
      expect(sink.to(email)).toHaveLength(1);
    });
  });

  describe('SMTP_REQUIRE_TLS', () => {
    const plain = new SmtpSink();
    const starttls = new SmtpSink({ tls: { ...tls, mode: 'starttls' } });
    beforeAll(() => Promise.all([plain.start(), starttls.start()]));
    afterAll(() => Promise.all([plain.stop(), starttls.stop()]));

    it('refuses to send over a connection without STARTTLS (retried as a tls failure), sends over one with it', async () => {
      const email = `require-tls-${uid()}@customer.test`;
      const leadId = await insertLead(email);
      const args = { leadId, campaignId: 'c', campaignVersion: 1, cycle: 0, stepIndex: 0, step };
      const refusing = createActivities({ pool, transport: createMailTransport(plain.url, { requireTls: true }), mailFrom: 'test <noreply@leadloop.test>' });
      const err = await refusing.sendNurtureEmail(args).then(() => null, (e: unknown) => e as ApplicationFailure);
      expect(err).toBeInstanceOf(ApplicationFailure);
      expect(err!.type).toBe('SmtpTlsFailure');
      expect(err!.nonRetryable).toBe(false);
      expect(plain.to(email)).toHaveLength(0);
      expect((await pool.query('SELECT status, failure_kind FROM email_log WHERE lead_id = $1', [leadId])).rows).toEqual([{ status: 'pending', failure_kind: 'tls' }]);

      const sending = createActivities({ pool, transport: createMailTransport(starttls.url, { requireTls: true, caFile: certFile }), mailFrom: 'test <noreply@leadloop.test>' });
      expect(await sending.sendNurtureEmail(args)).toEqual({ status: 'sent' });
      expect(starttls.to(email).map((m) => m.secure)).toEqual([true]);
    });
  });

  describe('the SMTP connection lost after the whole message was sent, before the answer', () => {
    const sink = new SmtpSink();
    beforeAll(() => sink.start());
    afterAll(() => sink.stop());

    it("records the outcome as 'unknown' and never sends that email again", async () => {
      const email = `lost-answer-${uid()}@customer.test`;
      const leadId = await insertLead(email);
      sink.hooks.dataEnd = async () => sink.dropConnections();
      const activities = createActivities({ pool, transport: createMailTransport(sink.url), mailFrom: 'test <noreply@leadloop.test>' });
      const args = { leadId, campaignId: 'c', campaignVersion: 1, cycle: 0, stepIndex: 0, step };
      expect(await activities.sendNurtureEmail(args)).toEqual({ status: 'unknown' });
      sink.hooks = {};
      expect(await statusOf(leadId)).toEqual(['unknown']);
      // The server has the message: a retry must not deliver it a second time.
      expect(await activities.sendNurtureEmail(args)).toEqual({ status: 'unknown' });
      await new Promise((r) => setTimeout(r, 300));
      expect(sink.to(email)).toHaveLength(1);
    });
  });

  describe('the claim\'s PostgreSQL connection killed while the server accepts the message', () => {
    const sink = new SmtpSink();
    const application = `leadloop-commit-loss-${uid()}`;
    let claimPool: Pool;
    beforeAll(async () => {
      await sink.start();
      claimPool = createPool(testEnv.databaseUrl, { max: 3, application_name: application });
    });
    afterAll(async () => {
      await claimPool?.end();
      await sink.stop();
    });

    it('records the delivery on another connection: the retry sends nothing', async () => {
      const email = `commit-loss-${uid()}@customer.test`;
      const leadId = await insertLead(email);
      // At RCPT TO the claim's transaction is open (idle in transaction): its backend is killed, so the
      // COMMIT written with the final "." fails, and the server then answers 250.
      const killed: number[] = [];
      sink.hooks.rcpt = async () => {
        const { rows } = await pool.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND state = 'idle in transaction'`,
          [application],
        );
        for (const { pid } of rows) {
          await pool.query('SELECT pg_terminate_backend($1)', [pid]);
          killed.push(pid);
        }
      };
      const activities = createActivities({ pool: claimPool, transport: createMailTransport(sink.url), mailFrom: 'test <noreply@leadloop.test>' });
      const args = { leadId, campaignId: 'c', campaignVersion: 1, cycle: 0, stepIndex: 0, step };
      const first = await activities.sendNurtureEmail(args).catch((e: unknown) => e);
      sink.hooks = {};
      expect(killed).toHaveLength(1);
      expect(sink.to(email)).toHaveLength(1);
      expect(first).toEqual({ status: 'sent' });
      expect(await statusOf(leadId)).toEqual(['sent']);

      // Temporal's retry (or any later attempt) finds the record and sends nothing.
      expect(await activities.sendNurtureEmail(args).catch((e: unknown) => e)).toEqual({ status: 'sent' });
      await new Promise((r) => setTimeout(r, 300));
      expect(sink.to(email)).toHaveLength(1);
    });
  });
});
