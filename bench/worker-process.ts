// A worker in a process of its own, so that its memory (RSS) is the worker's alone. Mode `product`
// runs the product's worker (src/temporal/worker.ts createLeadWorker, the product's bundle); mode
// `baseline` runs bench/baseline-workflow.ts with a no-op activity that reports to the parent over IPC.
// Started by bench/worker-handle.ts; settings come in BENCH_WORKER (JSON).
import { DefaultLogger, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { createPool } from '../src/db/pool';
import { createMailTransport } from '../src/mail/transport';
import { createLeadWorker } from '../src/temporal/worker';
import type { BaselineActivities } from './baseline-workflow';
import type { ParentMessage, WorkerMessage, WorkerProcessSettings } from './worker-messages';

const send = (message: WorkerMessage): void => {
  process.send?.(message);
};

async function main(): Promise<void> {
  const settings = JSON.parse(process.env.BENCH_WORKER ?? '') as WorkerProcessSettings;
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const connection = await NativeConnection.connect({ address: settings.address });
  const pool = settings.mode === 'product' ? createPool(settings.databaseUrl, { max: settings.poolSize }) : null;
  const cache: Partial<WorkerOptions> = settings.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: settings.maxCachedWorkflows } : {};
  // The same task concurrency for both: it decides how late a timer armed under load starts.
  const tasks: Partial<WorkerOptions> = { maxConcurrentWorkflowTaskExecutions: settings.maxConcurrentWorkflowTasks };
  let worker: Worker;
  if (settings.mode === 'product') {
    worker = await createLeadWorker({
      connection,
      namespace: 'default',
      taskQueue: settings.taskQueue,
      workflowBundle: { codePath: settings.bundlePath },
      pool: pool!,
      transport: createMailTransport(settings.smtpUrl),
      mailFrom: 'leadloop bench <noreply@leadloop.bench>',
      publicBaseUrl: settings.publicBaseUrl,
      trackingSecret: settings.trackingSecret,
      ...(settings.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: settings.maxCachedWorkflows } : {}),
      maxConcurrentWorkflowTasks: settings.maxConcurrentWorkflowTasks,
    });
  } else {
    const activities: BaselineActivities = {
      async noop({ key, kind, deadline }) {
        send({ type: 'mark', key, kind, at: Date.now(), ...(deadline !== undefined ? { deadline } : {}) });
      },
    };
    worker = await Worker.create({ connection, namespace: 'default', taskQueue: settings.taskQueue, workflowBundle: { codePath: settings.bundlePath }, activities, ...cache, ...tasks });
  }

  process.on('message', (message: ParentMessage) => {
    if (message.type === 'sample') {
      // Collect garbage first so the figure is what the cache holds, not what is waiting to be freed.
      (globalThis as { gc?: () => void }).gc?.();
      const m = process.memoryUsage();
      send({ type: 'sample', rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, cachedWorkflows: worker.getStatus().numCachedWorkflows, maxCachedWorkflows: worker.options.maxCachedWorkflows });
    } else if (message.type === 'stop') {
      worker.shutdown();
    }
  });
  // Worker.run() also shuts down gracefully on SIGINT/SIGTERM.
  const running = worker.run();
  send({ type: 'ready' });
  await running;
  await connection.close();
  await pool?.end();
  process.exit(0);
}

main().catch((err) => {
  console.error('[bench worker]', err);
  process.exit(1);
});
