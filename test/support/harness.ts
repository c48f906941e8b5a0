// Helpers shared by integration tests: connections to the run's servers and a worker per test file.
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { Pool } from 'pg';
import { createPool } from '../../src/db/pool';
import type { LeadConfig } from '../../src/domain/lead-state';
import type { Campaign, HandoffPolicy, ScoringModel } from '../../src/domain/types';
import { createMailTransport } from '../../src/mail/transport';
import { createLeadWorker } from '../../src/temporal/worker';
import type { IntakeDeps } from '../../src/leads/deps';
import { SmtpSink } from './smtp-sink';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: integration tests must run through jest's global setup`);
  return value;
}

export const testEnv = {
  get temporalAddress() {
    return required('TEST_TEMPORAL_ADDRESS');
  },
  get temporalUiUrl() {
    return required('TEST_TEMPORAL_UI_URL');
  },
  get databaseUrl() {
    return required('TEST_DATABASE_URL');
  },
  get bundlePath() {
    return required('TEST_WORKFLOW_BUNDLE');
  },
  get testServerPath() {
    return required('TEST_TEMPORAL_TEST_SERVER');
  },
};

export function testPool(): Pool {
  return createPool(testEnv.databaseUrl, { max: 5 });
}

export async function devServerClient(): Promise<Client> {
  const connection = await Connection.connect({ address: testEnv.temporalAddress });
  return new Client({ connection, namespace: 'default' });
}

export async function devServerNativeConnection(): Promise<NativeConnection> {
  return NativeConnection.connect({ address: testEnv.temporalAddress });
}

export interface RunningWorker {
  worker: Worker;
  stop(): Promise<void>;
}

export async function startWorker(options: { connection: NativeConnection; taskQueue: string; pool: Pool; sink: SmtpSink; namespace?: string }): Promise<RunningWorker> {
  const worker = await createLeadWorker({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue,
    pool: options.pool,
    transport: createMailTransport(options.sink.url),
    mailFrom: 'leadloop test <noreply@leadloop.test>',
    workflowBundle: { codePath: testEnv.bundlePath },
  });
  const running = worker.run();
  return {
    worker,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  };
}

export const uid = (): string => randomUUID().slice(0, 8);

/** A config with second-long durations and owners unique to the test, so assertions can count emails. */
export function testConfig(tag: string, overrides: { campaign?: Partial<Campaign>; policy?: Partial<HandoffPolicy>; model?: Partial<ScoringModel> } = {}): LeadConfig {
  return {
    campaign: {
      id: `campaign-${tag}`,
      version: 1,
      name: `Test campaign ${tag}`,
      steps: [{ id: 'welcome', delay: '0s', subject: 'ようこそ、{{name}}さん', body: 'こんにちは {{name}} さん。{{company}} のご担当者様へ。' }],
      ...overrides.campaign,
    },
    policy: {
      sla: '24h',
      maxReassignments: 2,
      qualificationWindow: '14d',
      recyclePeriod: '30d',
      bantRequired: 3,
      owners: [`owner1-${tag}@sales.test`, `owner2-${tag}@sales.test`, `owner3-${tag}@sales.test`],
      manager: `manager-${tag}@sales.test`,
      ...overrides.policy,
    },
    model: {
      id: `model-${tag}`,
      version: 1,
      fit: [{ id: 'decision-maker', attribute: 'title', pattern: 'director|部長', points: 20 }],
      behavior: [
        { id: 'email-open', event: 'email_open', points: 5, maxPoints: 15 },
        { id: 'pricing', event: 'page_view', where: { page: 'pricing' }, points: 30 },
        { id: 'demo', event: 'demo_request', points: 40 },
      ],
      behaviorWindow: '90d',
      mql: { threshold: 70, requireAnyOf: ['pricing', 'demo'] },
      ...overrides.model,
    },
  };
}

/** Retries `check` until it stops throwing (assertions on eventually consistent state), then returns its value. */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 15_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}

export interface DevServerStack {
  taskQueue: string;
  sink: SmtpSink;
  pool: Pool;
  client: Client;
  connection: NativeConnection;
  worker: RunningWorker;
  deps: IntakeDeps;
}

/**
 * Registers beforeAll/afterAll hooks that give a test file its own worker (on its own task queue),
 * SMTP sink and connections to the run's dev server and PostgreSQL. Read the fields inside tests.
 */
export function useDevServerStack(prefix: string, existing: { sink?: SmtpSink; pool?: Pool } = {}): DevServerStack {
  const stack = { taskQueue: `${prefix}-${uid()}`, sink: existing.sink ?? new SmtpSink() } as DevServerStack;
  beforeAll(async () => {
    if (!existing.sink) await stack.sink.start();
    stack.pool = existing.pool ?? testPool();
    stack.client = await devServerClient();
    stack.connection = await devServerNativeConnection();
    stack.worker = await startWorker({ connection: stack.connection, taskQueue: stack.taskQueue, pool: stack.pool, sink: stack.sink });
    stack.deps = { pool: stack.pool, client: stack.client, taskQueue: stack.taskQueue, searchAttributes: true };
  });
  afterAll(async () => {
    await stack.worker?.stop();
    await stack.connection?.close();
    await stack.client?.connection.close();
    if (!existing.pool) await stack.pool?.end();
    if (!existing.sink) await stack.sink.stop();
  });
  return stack;
}

export interface TimeSkippingStack {
  taskQueue: string;
  sink: SmtpSink;
  pool: Pool;
  env: TestWorkflowEnvironment;
  worker: RunningWorker;
  deps: IntakeDeps;
}

/**
 * Registers beforeAll/afterAll hooks that give a test file the time-skipping test server with a
 * worker on its own task queue, an SMTP sink and PostgreSQL. Read the fields inside tests.
 */
export function useTimeSkippingStack(prefix: string): TimeSkippingStack {
  const stack = { taskQueue: `${prefix}-${uid()}`, sink: new SmtpSink() } as TimeSkippingStack;
  beforeAll(async () => {
    await stack.sink.start();
    stack.pool = testPool();
    stack.env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: testEnv.testServerPath } } });
    stack.worker = await startWorker({ connection: stack.env.nativeConnection, taskQueue: stack.taskQueue, pool: stack.pool, sink: stack.sink });
    // The test server knows no custom search attributes: the workflow is told not to upsert them.
    stack.deps = { pool: stack.pool, client: stack.env.client, taskQueue: stack.taskQueue, searchAttributes: false };
  });
  afterAll(async () => {
    await stack.worker?.stop();
    await stack.env?.teardown();
    await stack.pool?.end();
    await stack.sink.stop();
  });
  return stack;
}
