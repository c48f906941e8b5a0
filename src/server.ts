// `npm run api`: the HTTP API on PORT, against DATABASE_URL and TEMPORAL_ADDRESS.
import { buildApp } from './api/app';
import { apiLoggerOptions } from './api/logging';
import { ConfigError, loadConfig, publicBaseUrlWarning } from './config';
import { refuseUnsafeConfig } from './config-production';
import { createPool, poolOptions } from './db/pool';
import { connectClient } from './temporal/client';

async function main(): Promise<void> {
  const config = loadConfig();
  const missing = [
    ...(config.databaseUrl ? [] : ['DATABASE_URL: required by the API']),
    ...(config.apiKeys.length ? [] : ['API_KEYS: required by the API, e.g. marketing:<key>,sales:<key>,ops:<key> (keys of 32+ characters)']),
  ];
  refuseUnsafeConfig(process.env, 'api', missing);
  const insecure = publicBaseUrlWarning(config.publicBaseUrl);
  if (insecure) console.warn(`[api] ${insecure}`);
  if (config.webhooks.allowPrivate) console.warn('[api] WEBHOOK_ALLOW_PRIVATE=true: webhooks may use http and internal addresses (meant for tests and local development)');
  if (!config.trackingSecret) console.warn('[api] TRACKING_SECRET is not set: tracking and unsubscribe links (/t, /u) answer 404');
  if (!config.appLinkSecret) console.warn('[api] APP_LINK_SECRET is not set: the sales workspace links (/app) answer 404');
  const pool = createPool(config.databaseUrl!, poolOptions(config.database));
  const client = await connectClient(config);
  const app = await buildApp(
    {
      pool,
      client,
      taskQueue: config.temporal.taskQueue,
      searchAttributes: config.searchAttributes,
      apiKeys: config.apiKeys,
      trackingSecret: config.trackingSecret,
      trackingLinkTtlMs: config.trackingLinkTtlMs,
      appLinkSecret: config.appLinkSecret,
      publicBaseUrl: config.publicBaseUrl,
      temporalUiUrl: config.temporalUiUrl,
      reportTimeZone: config.reportTimeZone,
      rateLimits: config.rateLimits,
      webhookAllowPrivate: config.webhooks.allowPrivate,
    },
    { logger: apiLoggerOptions(process.env.LOG_LEVEL ?? 'info') },
  );
  const shutdown = async (signal: string) => {
    app.log.info(`${signal}: closing`);
    await app.close();
    await client.connection.close();
    await pool.end();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  await app.listen({ port: config.port, host: process.env.HOST ?? '0.0.0.0' });
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
