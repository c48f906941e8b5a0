// The webhook tests' stack: the real app and a worker with short webhook retries on the run's
// Temporal dev server and PostgreSQL, leads driven to MQL, contact and SQL through the real code.
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import { buildApp } from '../../src/api/app';
import type { ApiKey, ApiRole } from '../../src/config';
import type { LeadConfig } from '../../src/domain/lead-state';
import type { IntakeDeps } from '../../src/leads/deps';
import { enrollLead } from '../../src/leads/enrol';
import { recordEvent } from '../../src/leads/record-events';
import { salesUpdates } from '../../src/leads/workflow-client';
import { workflowIdFor } from '../../src/temporal/client';
import type { WebhookSettings } from '../../src/webhooks/settings';
import { getStateQuery } from '../../workflows/messages';
import { eventually, testConfig } from '../support/harness';
import { KEYS, startApiHarness } from './api-support';

/** Short retries so a test sees several attempts, and a failure, within seconds. */
export const TEST_WEBHOOK_SETTINGS: WebhookSettings = { allowPrivate: true, retryInitialMs: 200, retryMaxIntervalMs: 1_000, retryForMs: 8_000, attemptTimeoutMs: 2_000 };

export interface Answer {
  statusCode: number;
  json(): any;
}

export interface WebhookStack {
  tag: string;
  pool: Pool;
  client: Client;
  deps: IntakeDeps;
  config: LeadConfig;
  /** An app with WEBHOOK_ALLOW_PRIVATE as given (the stack's own allows it). */
  appWith(allowPrivate: boolean): Promise<FastifyInstance>;
  call(role: ApiRole, method: string, url: string, body?: unknown, app?: FastifyInstance): Promise<Answer>;
  stop(): Promise<void>;
}

export async function startWebhookStack(name: string): Promise<WebhookStack> {
  const h = await startApiHarness(name, { webhooks: TEST_WEBHOOK_SETTINGS, webhookAllowPrivate: true });
  const deps: IntakeDeps = { pool: h.pool, client: h.client, taskQueue: h.taskQueue, searchAttributes: true };
  const apiKeys: ApiKey[] = (Object.entries(KEYS) as [ApiRole, string][]).map(([role, key]) => ({ role, key }));
  const apps: FastifyInstance[] = [];
  const appWith = async (allowPrivate: boolean) => {
    const app = await buildApp({ ...deps, apiKeys, webhookAllowPrivate: allowPrivate });
    apps.push(app);
    await app.listen({ port: 0, host: '127.0.0.1' });
    return app;
  };
  return {
    tag: h.tag,
    pool: h.pool,
    client: h.client,
    deps,
    config: testConfig(h.tag),
    appWith,
    async call(role, method, url, body, app) {
      if (!app) return h.call(role, method, url, body);
      const { port } = app.server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}${url}`, {
        method,
        headers: { authorization: `Bearer ${KEYS[role]}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { statusCode: res.status, json: () => JSON.parse(text) };
    },
    async stop() {
      for (const app of apps) await app.close();
      await h.stop();
    },
  };
}

/** A new lead of the stack's campaign, handed off (MQL with an owner). */
export async function mqlLead(stack: Pick<WebhookStack, 'deps' | 'config' | 'client'>, person: { email: string; name?: string; company?: string }): Promise<{ leadId: string; owner: string }> {
  const { leadId } = await enrollLead(stack.deps, { title: 'Director of IT', name: '山田 太郎', company: '株式会社テスト', ...person }, stack.config);
  await recordEvent(stack.deps, leadId, { type: 'page_view', properties: { page: 'pricing' } });
  await recordEvent(stack.deps, leadId, { type: 'demo_request' });
  const owner = await eventually(async () => {
    const s = await stack.client.workflow.getHandle(workflowIdFor(leadId)).query(getStateQuery);
    expect(s.stage).toBe('mql');
    expect(s.owner).toBeTruthy();
    return s.owner!;
  }, 30_000);
  return { leadId, owner };
}

export const contact = (stack: Pick<WebhookStack, 'client'>, leadId: string, rep: string) => salesUpdates.contact(stack.client, leadId, { rep, channel: 'call' });
export const accept = (stack: Pick<WebhookStack, 'client'>, leadId: string, rep: string) =>
  salesUpdates.accept(stack.client, leadId, { rep, bant: { budget: true, authority: true, need: true, timeline: false } });
