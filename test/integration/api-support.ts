// Shared by the API integration tests: the real app on the run's Temporal dev server and PostgreSQL,
// a worker of its own with tracking links enabled, and an in-process SMTP sink.
import type { Client } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import { buildApp } from '../../src/api/app';
import type { ApiKey, ApiRole, RateLimits } from '../../src/config';
import { createMailTransport } from '../../src/mail/transport';
import type { WebhookSettings } from '../../src/webhooks/settings';
import { createLeadWorker } from '../../src/temporal/worker';
import { devServerClient, devServerNativeConnection, testEnv, testPool, uid } from '../support/harness';
import { SmtpSink } from '../support/smtp-sink';

export const TRACKING_SECRET = 'test-tracking-secret-0123456789abcdef';
export const PUBLIC_BASE_URL = 'https://leads.example.test';
export const APP_LINK_SECRET = 'test-app-link-secret-0123456789abcdef';
export const KEYS: Record<ApiRole, string> = {
  marketing: 'marketing-key-0123456789abcdef0123456789',
  sales: 'sales-key-0123456789abcdef0123456789ab',
  ops: 'ops-key-0123456789abcdef0123456789abcd',
  manager: 'manager-key-0123456789abcdef0123456789',
};

/** A response, read in full. */
export interface Reply {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  rawPayload: Buffer;
  json(): any;
}

export interface ApiHarness {
  tag: string;
  taskQueue: string;
  sink: SmtpSink;
  pool: Pool;
  client: Client;
  app: FastifyInstance;
  baseUrl: string;
  call(role: ApiRole | null, method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
  stop(): Promise<void>;
}

/** `rateLimits`: the production defaults unless a test says otherwise. */
export interface ApiHarnessOptions {
  rateLimits?: RateLimits;
  /** The worker's webhook settings (WEBHOOK_*), and whether the API accepts private targets. */
  webhooks?: WebhookSettings;
  webhookAllowPrivate?: boolean;
}

export async function startApiHarness(name: string, options: ApiHarnessOptions = {}): Promise<ApiHarness> {
  const tag = uid();
  const taskQueue = `${name}-${tag}`;
  const sink = new SmtpSink();
  await sink.start();
  const pool = testPool();
  const client = await devServerClient();
  const connection: NativeConnection = await devServerNativeConnection();
  const worker: Worker = await createLeadWorker({
    connection,
    namespace: 'default',
    taskQueue,
    pool,
    transport: createMailTransport(sink.url),
    mailFrom: 'leadloop test <noreply@leadloop.test>',
    workflowBundle: { codePath: testEnv.bundlePath },
    publicBaseUrl: PUBLIC_BASE_URL,
    trackingSecret: TRACKING_SECRET,
    appLinkSecret: APP_LINK_SECRET,
    ...(options.webhooks ? { webhooks: options.webhooks } : {}),
  });
  const running = worker.run();
  const apiKeys: ApiKey[] = (Object.entries(KEYS) as [ApiRole, string][]).map(([role, key]) => ({ role, key }));
  const app = await buildApp({
    pool,
    client,
    taskQueue,
    searchAttributes: true,
    apiKeys,
    trackingSecret: TRACKING_SECRET,
    appLinkSecret: APP_LINK_SECRET,
    publicBaseUrl: PUBLIC_BASE_URL,
    temporalUiUrl: testEnv.temporalUiUrl,
    ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
    ...(options.webhookAllowPrivate !== undefined ? { webhookAllowPrivate: options.webhookAllowPrivate } : {}),
  });
  // A real listener on an ephemeral port: requests go over TCP as in production.
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    tag,
    taskQueue,
    sink,
    pool,
    client,
    app,
    baseUrl: address,
    async call(role, method, url, body, headers = {}) {
      const isRaw = typeof body === 'string' || Buffer.isBuffer(body);
      const res = await fetch(`${address}${url}`, {
        method,
        redirect: 'manual',
        headers: {
          ...(role ? { authorization: `Bearer ${KEYS[role]}` } : {}),
          ...(body !== undefined && !isRaw ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        ...(body === undefined ? {} : { body: isRaw ? (body as string) : JSON.stringify(body) }),
      });
      const rawPayload = Buffer.from(await res.arrayBuffer());
      const text = rawPayload.toString('utf8');
      return {
        statusCode: res.status,
        headers: Object.fromEntries(res.headers.entries()),
        body: text,
        rawPayload,
        json: () => JSON.parse(text),
      };
    },
    async stop() {
      await app.close();
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
      await client.connection.close();
      await pool.end();
      await sink.stop();
    },
  };
}

/** The path (from /) of a public URL the API put in an email. */
export const pathOf = (url: string): string => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};
