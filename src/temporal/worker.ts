import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../../activities';

export const WORKFLOWS_PATH = require.resolve('../../workflows');

/**
 * Workflows kept in memory. The SDK's own default grows with the heap limit (about 2,300 for a 4 GB
 * heap, more with --max-old-space-size); a fixed bound keeps the worker's RSS predictable: about
 * 0.25 MiB per cached lead (bench/, scenario 5), so under 1 GiB at any number of open leads. Leads
 * beyond it are replayed from history when they next wake, which a lead waiting days can afford.
 */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 2000;

export interface LeadWorkerOptions extends ActivityDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** A prebuilt bundle (tests bundle once per run); otherwise the worker bundles workflows/ itself. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  maxCachedWorkflows?: number;
}

export async function createLeadWorker(options: LeadWorkerOptions): Promise<Worker> {
  const { connection, namespace, taskQueue, workflowBundle, maxCachedWorkflows, ...deps } = options;
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    activities: createActivities(deps),
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    maxCachedWorkflows: maxCachedWorkflows ?? DEFAULT_MAX_CACHED_WORKFLOWS,
  });
}
