// One Temporal dev server, one PostgreSQL and one workflow bundle for the whole integration run.
// Tests find them through the TEST_* environment variables set here (inherited by Jest's workers).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startEmbeddedPostgres } from '../../src/db/embedded';
import { migrateAndSeed } from '../../src/catalog/migrate-and-seed';
import { createPool } from '../../src/db/pool';
import { PROJECT_ROOT, resolveTemporalBinary } from '../../src/temporal/binaries';
import { WORKFLOWS_PATH } from '../../src/temporal/worker';
import { ALL_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { freePort } from './free-port';

export interface GlobalHandles {
  env: TestWorkflowEnvironment;
  stopPostgres?: () => Promise<void>;
  runDir: string;
}

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const runDir = join(PROJECT_ROOT, '.data', `test-run-${process.pid}`);
  rmSync(runDir, { recursive: true, force: true });
  mkdirSync(runDir, { recursive: true });

  // Fail loudly, with what was tried, if the binaries are missing: never skip.
  const cli = resolveTemporalBinary('cli');
  process.env.TEST_TEMPORAL_TEST_SERVER = resolveTemporalBinary('test-server');

  const bundlePromise = bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger }).then(({ code }) => {
    const path = join(runDir, 'workflow-bundle.js');
    writeFileSync(path, code);
    process.env.TEST_WORKFLOW_BUNDLE = path;
  });

  let databaseUrl = process.env.DATABASE_URL;
  let stopPostgres: (() => Promise<void>) | undefined;
  if (!databaseUrl) {
    const pg = await startEmbeddedPostgres({ dir: join(runDir, 'pg'), port: await freePort(), persistent: false });
    databaseUrl = pg.url;
    stopPostgres = pg.stop;
  }
  const pool = createPool(databaseUrl, { max: 2 });
  try {
    await migrateAndSeed(pool);
  } finally {
    await pool.end();
  }
  process.env.TEST_DATABASE_URL = databaseUrl;

  const uiPort = await freePort();
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: cli },
      searchAttributes: ALL_SEARCH_ATTRIBUTES,
      ui: true,
      uiPort,
      // Lets the continue-as-new test reach the "suggested" point with a short history.
      extraArgs: ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=120'],
    },
  });
  process.env.TEST_TEMPORAL_ADDRESS = env.address;
  process.env.TEST_TEMPORAL_UI_URL = `http://127.0.0.1:${uiPort}`;
  await bundlePromise;

  (globalThis as { __leadloop?: GlobalHandles }).__leadloop = { env, stopPostgres, runDir };
  console.log(`\n[test] Temporal dev server ${env.address}, UI ${process.env.TEST_TEMPORAL_UI_URL}, PostgreSQL ready, bundle built in ${Date.now() - started} ms`);
}

const quietLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};
