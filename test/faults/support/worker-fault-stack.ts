// What a worker-kill test sets up: an SMTP sink, a pool, a client and a worker process it may kill
// and start again on its own task queue. Call inside `describe`: it registers the hooks.
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { devServerClient, testEnv, testPool, uid } from '../../support/harness';
import { SmtpSink } from '../../support/smtp-sink';
import { startWorkerProcess, type OwnedProcess } from './processes';

export interface WorkerFaultStack {
  tag: string;
  taskQueue: string;
  sink: SmtpSink;
  pool: Pool;
  client: Client;
  /** Starts a worker process (the previous one must have been killed); it is killed after the tests. */
  startWorker(): Promise<OwnedProcess>;
}

export function workerFaultStack(name: string): WorkerFaultStack {
  const tag = uid();
  const taskQueue = `faults-${name}-${tag}`;
  const sink = new SmtpSink();
  let worker: OwnedProcess | null = null;
  const stack = { tag, taskQueue, sink } as WorkerFaultStack;
  beforeAll(async () => {
    await sink.start();
    stack.pool = testPool();
    stack.client = await devServerClient();
  });
  afterAll(async () => {
    await worker?.kill9();
    await stack.client?.connection.close();
    await stack.pool?.end();
    await sink.stop();
  });
  stack.startWorker = async () => {
    worker = await startWorkerProcess({ taskQueue, databaseUrl: testEnv.databaseUrl, temporalAddress: testEnv.temporalAddress, smtpUrl: sink.url, bundlePath: testEnv.bundlePath });
    return worker;
  };
  return stack;
}
