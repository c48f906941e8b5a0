// `npm run worker`: runs lead workflows and their activities against TEMPORAL_ADDRESS.
import { NativeConnection } from '@temporalio/worker';
import { ConfigError, loadConfig, publicBaseUrlWarning } from './config';
import { refuseUnsafeConfig } from './config-production';
import { createPool, poolOptions } from './db/pool';
import { runStartRelay } from './leads/start-relay';
import { createMailTransport } from './mail/transport';
import { connectClient } from './temporal/client';
import { createLeadWorker } from './temporal/worker';
import { runWebhookRelay } from './webhooks/relay';

async function main(): Promise<void> {
  const config = loadConfig();
  refuseUnsafeConfig(process.env, 'worker', config.databaseUrl ? [] : ['DATABASE_URL: required by the worker (or use `npm run dev` for embedded defaults)']);
  const insecure = publicBaseUrlWarning(config.publicBaseUrl);
  if (insecure) console.warn(`[worker] ${insecure}`);
  if (config.webhooks.allowPrivate) console.warn('[worker] WEBHOOK_ALLOW_PRIVATE=true: webhooks go to http and internal addresses too (meant for tests and local development)');
  const pool = createPool(config.databaseUrl!, poolOptions(config.database));
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await createLeadWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    pool,
    transport: createMailTransport(config.smtpUrl, config.smtpTls),
    mailFrom: config.mailFrom,
    publicBaseUrl: config.publicBaseUrl,
    trackingSecret: config.trackingSecret,
    trackingLinkTtlMs: config.trackingLinkTtlMs,
    appLinkSecret: config.appLinkSecret,
    maxCachedWorkflows: config.maxCachedWorkflows,
    maxConcurrentWorkflowTasks: config.maxConcurrentWorkflowTasks,
    webhooks: config.webhooks,
  });
  console.log(`[worker] polling task queue '${config.temporal.taskQueue}' on ${config.temporal.address} (namespace ${config.temporal.namespace})`);
  // Leads stored but never started (Temporal was down, an import was interrupted) are started here.
  const client = await connectClient(config);
  const relay = runStartRelay({ pool, client, taskQueue: config.temporal.taskQueue, searchAttributes: config.searchAttributes });
  // Webhook deliveries whose wake was lost are woken here.
  const webhookRelay = runWebhookRelay({ pool, client, taskQueue: config.temporal.taskQueue }, config.webhooks);
  // Worker.run() shuts down gracefully on SIGINT/SIGTERM.
  await worker.run();
  await relay.stop();
  await webhookRelay.stop();
  await client.connection.close();
  await connection.close();
  await pool.end();
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
