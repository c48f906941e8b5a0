// `npm run dev`: the whole product on one machine. Every service not configured through the
// environment is started embedded, with data kept in .data/dev so that a restart resumes every lead.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { ConfigError, loadConfig } from './config';
import { startEmbeddedPostgres } from './db/embedded';
import { migrate } from './db/migrate';
import { createPool } from './db/pool';
import { startMailCatcher } from './mail/catcher';
import { createMailTransport } from './mail/transport';
import { PROJECT_ROOT } from './temporal/binaries';
import { startDevServer } from './temporal/dev-server';
import { createLeadWorker } from './temporal/worker';

const DATA_DIR = process.env.LEADLOOP_DATA_DIR ?? join(PROJECT_ROOT, '.data', 'dev');
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
    say(`embedded PostgreSQL at ${databaseUrl}`);
  }
  const pool = createPool(databaseUrl);
  stops.unshift(() => pool.end());
  await migrate(pool, (line) => say(`migrate: ${line}`));

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

  const connection = await NativeConnection.connect({ address: temporalAddress });
  stops.unshift(() => connection.close());
  const worker = await createLeadWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    pool,
    transport: createMailTransport(smtpUrl),
    mailFrom: config.mailFrom,
    publicBaseUrl: process.env.PUBLIC_BASE_URL,
  });
  const running = worker.run();

  say('leadloop is running');
  say(`  Temporal:     ${temporalAddress} (namespace ${config.temporal.namespace}, task queue ${config.temporal.taskQueue})`);
  say(`  Temporal UI:  ${temporalUi}`);
  say(`  PostgreSQL:   ${databaseUrl.replace(/:[^:@/]*@/, ':***@')}`);
  say(`  Mail:         ${smtpUrl} → ${mailDir}`);
  say('Ctrl-C stops everything; the next start resumes every lead and timer.');

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    say('stopping...');
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running.catch(() => {});
    for (const stop of stops) await stop().catch((err: Error) => console.error(`[dev] ${err.message}`));
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
  await running;
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
