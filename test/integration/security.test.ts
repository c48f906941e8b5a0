// Security over real servers: no route open by mistake; tracking and unsubscribe tokens that were
// truncated or moved to another lead are refused; no header injection or HTML through lead fields;
// no key, address or name in the API's and the worker's logs, in search attributes or metrics; after
// an erasure the address is nowhere: no table, no Temporal history or visibility record, no log.
// (Access per role × route: api-contract.test.ts; tampered MAC and payload, redirect target:
// api-flow.test.ts; the dashboard rendering names as text: dashboard.test.ts.)
import { Writable } from 'node:stream';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import { buildApp } from '../../src/api/app';
import { apiLoggerOptions } from '../../src/api/logging';
import type { ApiKey, ApiRole } from '../../src/config';
import { workflowIdFor } from '../../src/temporal/client';
import { startWorkerProcess, type OwnedProcess } from '../faults/support/processes';
import { devServerClient, eventually, testEnv, testPool, uid } from '../support/harness';
import { SmtpSink } from '../support/smtp-sink';

const KEYS: Record<ApiRole, string> = { marketing: 'sec-marketing-key-7d1f0a9c5e3b2a1f0e9d', sales: 'sec-sales-key-4b2e8c1d3f6a7b8c9d0e1f2a', ops: 'sec-ops-key-9a8b7c6d5e4f3a2b1c0d9e8f7a', manager: 'sec-manager-key-3c5e7a9b1d2f4a6c8e0b' };
const SECRET = 'security-test-tracking-secret-0123456789';
const BASE = 'https://leads.security.test';
const NO_LEAD = '00000000-0000-4000-8000-000000000000';
/** Routes anyone may call: health, and the links in emails (their token is the authority). */
const PUBLIC = new Set(['GET /healthz', 'GET /readyz', 'GET /t/o/{token}', 'GET /t/c/{token}', 'GET /u/{token}', 'POST /u/{token}']);

describe('security', () => {
  const tag = uid();
  const taskQueue = `security-${tag}`;
  const sink = new SmtpSink();
  const apiLog: string[] = [];
  let pool: Pool;
  let client: Client;
  let worker: OwnedProcess;
  let app: FastifyInstance;
  let base: string;

  const email = `Sec.Person-${tag}@Customer.test`;
  const name = `Evil\r\nBcc: victim-${tag}@evil.test <img src=x onerror=alert(1)> ${tag}`;
  const company = `<script>alert("${tag}")</script> & Söhne`;
  const other = `other-${tag}@customer.test`;
  const secrets = () => [...Object.values(KEYS), SECRET];
  /** What must never appear in a log, a search attribute or a metric. */
  const personal = () => [email.toLowerCase(), email, `victim-${tag}`, `Söhne`, `alert("${tag}")`];

  beforeAll(async () => {
    await sink.start();
    pool = testPool();
    client = await devServerClient();
    worker = await startWorkerProcess({ taskQueue, databaseUrl: testEnv.databaseUrl, temporalAddress: testEnv.temporalAddress, smtpUrl: sink.url, bundlePath: testEnv.bundlePath, publicBaseUrl: BASE, trackingSecret: SECRET });
    const logStream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        apiLog.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    app = await buildApp(
      {
        pool,
        client,
        taskQueue,
        searchAttributes: true,
        apiKeys: (Object.entries(KEYS) as [ApiRole, string][]).map(([role, key]): ApiKey => ({ role, key })),
        trackingSecret: SECRET,
        publicBaseUrl: BASE,
      },
      // As in production (src/server.ts), at the most verbose level.
      { logger: apiLoggerOptions('trace', logStream) },
    );
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await app?.close();
    await worker?.stop();
    await client?.connection.close();
    await pool?.end();
    await sink.stop();
  });

  async function call(role: ApiRole | null, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(`${base}${path}`, {
      method,
      redirect: 'manual',
      headers: { ...(role ? { authorization: `Bearer ${KEYS[role]}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
  }

  const leaks = (lines: string[], needles: string[]) => lines.filter((line) => needles.some((n) => line.toLowerCase().includes(n.toLowerCase())));

  it('documents no route without a key except the public ones, and /openapi.json lists them all', async () => {
    const doc = (await call(null, 'GET', '/openapi.json')).json();
    const routes = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(routes.length).toBeGreaterThanOrEqual(27);
    for (const route of routes) {
      const [method, path] = route.split(' ') as [string, string];
      const url = path.replace('{leadId}', NO_LEAD).replace('{id}', 'x').replace('{version}', '1').replace('{token}', 'x.y');
      const res = await call(null, method, url, ['POST', 'PUT'].includes(method) && !url.startsWith('/u/') ? {} : undefined);
      if (PUBLIC.has(route)) expect([route, res.status === 401 || res.status === 403]).toEqual([route, false]);
      else expect([route, res.status]).toEqual([route, 401]);
    }
    expect(routes.filter((r) => PUBLIC.has(r)).sort()).toEqual([...PUBLIC].sort());
  });

  it('keeps CR/LF and HTML in lead fields out of headers and markup, and personal data out of logs and Temporal; erasure leaves nothing', async () => {
    const modelId = `sec-${tag}`;
    expect((await call('marketing', 'PUT', `/v1/scoring-models/${modelId}`, {
      behavior: [{ id: 'pricing', event: 'page_view', where: { page: 'pricing' }, points: 40 }, { id: 'demo', event: 'demo_request', points: 40 }],
      mql: { threshold: 70, requireAnyOf: ['pricing', 'demo'] },
    })).status).toBe(201);
    expect((await call('marketing', 'PUT', `/v1/campaigns/${modelId}`, {
      name: 'Security',
      scoringModel: modelId,
      steps: [{ id: 'welcome', delay: '0s', subject: 'Hello {{name}}\r\nX-Injected: yes', body: 'Dear {{name}} of {{company}}, see https://example.com/offer' }],
      policy: { owners: [`owner-${tag}@sales.test`], manager: `manager-${tag}@sales.test` },
    })).status).toBe(201);

    // The SMTP server refuses once, quoting the address, as real servers do: the retry's error must
    // not carry it into logs or history.
    sink.refuse(451, 1, `451 4.2.1 <${email.toLowerCase()}>: mailbox busy, try later`);
    const enrol = await call('marketing', 'POST', '/v1/leads', { email: `  ${email} `, name, company, campaignId: modelId });
    expect(enrol.status).toBe(201);
    const leadId = enrol.json().leadId as string;
    // Stored verbatim (only trimmed), shown verbatim in JSON.
    expect((await call('ops', 'GET', `/v1/leads/${leadId}`)).json()).toMatchObject({ email, name, company });

    // Headers: one line, no injected Bcc or header; markup: escaped.
    await sink.waitFor(() => sink.to(email).length === 1, 60_000, 'the welcome email');
    const mail = sink.to(email)[0]!;
    expect(mail.to).toEqual([email.toLowerCase()]);
    expect(mail.headers.get('bcc')).toBeUndefined();
    expect(mail.headers.get('x-injected')).toBeUndefined();
    expect(mail.subject).toBe(`Hello ${name.replace(/\r\n/, ' ')} X-Injected: yes`);
    expect(mail.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(mail.html).toContain(`&lt;script&gt;alert(&quot;${tag}&quot;)&lt;/script&gt; &amp; Söhne`);
    expect(mail.html).not.toMatch(/<script|<img src=x/);
    expect(sink.messages.filter((m) => m.to.some((t) => t.includes(`victim-${tag}`)))).toEqual([]);

    // Tokens: truncated, extended, or moved to another lead → 404, nothing recorded, no redirect.
    const otherId = (await call('marketing', 'POST', '/v1/leads', { email: other, campaignId: modelId })).json().leadId as string;
    const click = /https:\/\/leads\.security\.test(\/t\/c\/[A-Za-z0-9_.-]+)/.exec(mail.text)![1]!;
    const unsubscribe = /https:\/\/leads\.security\.test(\/u\/[A-Za-z0-9_.-]+)/.exec(mail.text)![1]!;
    const moved = (path: string) => {
      const [prefix, token] = [path.slice(0, path.lastIndexOf('/') + 1), path.slice(path.lastIndexOf('/') + 1)];
      const [payload, mac] = token.split('.') as [string, string];
      const body = JSON.parse(Buffer.from(payload, 'base64url').toString());
      return `${prefix}${Buffer.from(JSON.stringify({ ...body, l: otherId })).toString('base64url')}.${mac}`;
    };
    let tried = 0;
    for (const path of [click, unsubscribe]) {
      const variants = [moved(path), `${path}A`, `${path}.x`, path.replace('.', '')];
      for (let cut = 1; cut < path.length - path.lastIndexOf('/') - 1; cut += 3) variants.push(path.slice(0, path.length - cut));
      for (const variant of variants) {
        for (const method of variant.startsWith('/u/') ? ['GET', 'POST'] : ['GET']) {
          const res = await call(null, method, variant);
          expect([method, variant, res.status, res.headers.get('location')]).toEqual([method, variant, 404, null]);
          tried++;
        }
      }
    }
    expect(tried).toBeGreaterThan(40);
    expect((await pool.query('SELECT count(*)::int AS n FROM lead_events WHERE lead_id = ANY($1)', [[leadId, otherId]])).rows[0].n).toBe(0);
    expect((await pool.query('SELECT count(*)::int AS n FROM leads WHERE lead_id = ANY($1) AND unsubscribed_at IS NOT NULL', [[leadId, otherId]])).rows[0].n).toBe(0);
    // The genuine link still works, and redirects only to the sealed URL.
    const genuine = await call(null, 'GET', `${click}?url=https://evil.test/`);
    expect([genuine.status, genuine.headers.get('location')]).toEqual([302, 'https://example.com/offer']);

    // MQL, handoff, contact: the lead's history fills up.
    for (const event of [{ type: 'page_view', properties: { page: 'pricing' } }, { type: 'demo_request' }]) {
      expect((await call('marketing', 'POST', `/v1/leads/${leadId}/events`, event)).status).toBe(202);
    }
    const lead = await eventually(async () => {
      const body = (await call('sales', 'GET', `/v1/leads/${leadId}`)).json();
      expect(body.stage).toBe('mql');
      // Routing names the owner a moment after the handoff.
      expect(body.owner).toBeTruthy();
      return body;
    });
    expect((await call('sales', 'POST', `/v1/leads/${leadId}/contact`, { rep: lead.owner, channel: 'call' })).status).toBe(200);
    await call('ops', 'GET', `/v1/leads?owner=${encodeURIComponent(lead.owner)}&limit=5`);
    await call('ops', 'GET', '/v1/reports/sla');
    await sink.waitFor(() => sink.to(lead.owner).length === 1, 30_000, 'the owner email');

    // Temporal: no address, name or company in any run's history, in search attributes or in memo.
    const workflowId = workflowIdFor(leadId);
    const runs: string[] = [];
    for await (const run of client.workflow.list({ query: `WorkflowId = ${JSON.stringify(workflowId)}` })) runs.push(run.runId);
    expect(runs.length).toBeGreaterThanOrEqual(1);
    for (const runId of runs) {
      const history = JSON.stringify(await client.workflow.getHandle(workflowId, runId).fetchHistory(), (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : v));
      expect(history).toContain(leadId);
      expect(history).toContain('mailbox busy'); // the retried SMTP refusal is recorded, without the address
      expect([runId, leaks([history], personal())]).toEqual([runId, []]);
    }
    const description = await client.workflow.getHandle(workflowId).describe();
    expect(leaks([JSON.stringify(description.searchAttributes), JSON.stringify(description.memo ?? {})], personal())).toEqual([]);
    expect(description.searchAttributes.LeadStage).toEqual(['working']);

    // Metrics: route templates and counts, nothing about a person.
    const metrics = (await call('ops', 'GET', '/metrics')).text;
    expect(metrics).toContain('leadloop_http_requests_total');
    expect(leaks([metrics], [...personal(), leadId, lead.owner])).toEqual([]);

    // Erase, then look everywhere.
    const apiBefore = apiLog.length;
    const workerBefore = worker.output.length;
    expect((await call('ops', 'DELETE', `/v1/leads/${leadId}`)).status).toBe(204);
    const { rows: tables } = await pool.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'");
    for (const { table_name } of tables) {
      const { rows } = await pool.query(`SELECT count(*)::int AS n FROM "${table_name}" x WHERE lower(x::text) LIKE $1 OR x::text LIKE $2 OR x::text LIKE $3`, [`%${email.toLowerCase()}%`, `%${leadId}%`, `%victim-${tag}%`]);
      expect([table_name, rows[0].n]).toEqual([table_name, 0]);
    }
    for (const runId of runs) {
      await eventually(async () => {
        await expect(client.workflow.getHandle(workflowId, runId).fetchHistory()).rejects.toThrow();
      }, 60_000, 500);
    }
    await expect(client.workflow.getHandle(workflowId).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    await eventually(async () => {
      const left: string[] = [];
      for await (const run of client.workflow.list({ query: `WorkflowId = ${JSON.stringify(workflowId)}` })) left.push(run.runId);
      expect(left).toEqual([]);
    }, 60_000, 500);
    // The erased lead's links do nothing and reveal nothing (same answer as for a live lead).
    expect((await call(null, 'POST', unsubscribe)).status).toBe(200);
    expect((await pool.query('SELECT count(*)::int AS n FROM leads WHERE lead_id = $1', [leadId])).rows[0].n).toBe(0);

    // Logs: the API's (at trace level) and the worker's: no key, no secret, no address, no name, ever.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(apiLog.length).toBeGreaterThan(apiBefore);
    expect(apiLog.some((l) => l.includes('"route":"/v1/leads/:leadId"'))).toBe(true);
    expect(worker.output.length).toBeGreaterThan(0);
    expect(leaks(apiLog, [...secrets(), ...personal()])).toEqual([]);
    expect(leaks(worker.output, [...secrets(), ...personal()])).toEqual([]);
    expect(leaks([...apiLog.slice(apiBefore), ...worker.output.slice(workerBefore)], [leadId.replace(/-/g, ''), email])).toEqual([]);
    console.log(`[security] ${tried} forged token requests refused; ${apiLog.length} API log lines and ${worker.output.length} worker log lines scanned`);
  });
});
