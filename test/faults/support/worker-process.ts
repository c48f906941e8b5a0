// A lead worker as its own process, so that a fault test can kill it with SIGKILL: the workflow
// bundle built by the global setup, activities against DATABASE_URL and SMTP_URL. Prints
// "worker running" once it polls.
import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../../../src/config';
import { createPool } from '../../../src/db/pool';
import { createMailTransport } from '../../../src/mail/transport';
import { createLeadWorker } from '../../../src/temporal/worker';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

async function main(): Promise<void> {
  const pool = createPool(required('DATABASE_URL'));
  const connection = await NativeConnection.connect({ address: required('TEMPORAL_ADDRESS') });
  const worker = await createLeadWorker({
    connection,
    namespace: 'default',
    taskQueue: required('TEMPORAL_TASK_QUEUE'),
    pool,
    transport: createMailTransport(required('SMTP_URL')),
    mailFrom: 'leadloop faults <noreply@leadloop.test>',
    workflowBundle: { codePath: required('WORKFLOW_BUNDLE') },
    ...(process.env.PUBLIC_BASE_URL ? { publicBaseUrl: process.env.PUBLIC_BASE_URL } : {}),
    ...(process.env.TRACKING_SECRET ? { trackingSecret: process.env.TRACKING_SECRET } : {}),
    // WEBHOOK_* as the test's environment sets them (the defaults otherwise).
    webhooks: loadConfig().webhooks,
  });
  const running = worker.run();
  console.log('worker running');
  await running;
  await connection.close();
  await pool.end();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
