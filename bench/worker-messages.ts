// What bench/run.ts and its worker processes (bench/worker-process.ts) say to each other over IPC.
export interface WorkerProcessSettings {
  mode: 'product' | 'baseline';
  address: string;
  taskQueue: string;
  bundlePath: string;
  databaseUrl: string;
  smtpUrl: string;
  publicBaseUrl: string;
  trackingSecret: string;
  poolSize: number;
  maxCachedWorkflows?: number;
  /** Both workers: the product's default unless --max-concurrent-wft sets it. */
  maxConcurrentWorkflowTasks: number;
}

export interface MemorySample {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  cachedWorkflows: number;
  /** The worker's effective cache size (its own default when not set). */
  maxCachedWorkflows: number;
}

export type WorkerMessage =
  | { type: 'ready' }
  | ({ type: 'sample' } & MemorySample)
  | { type: 'mark'; key: string; kind: string; at: number; deadline?: number };

export type ParentMessage = { type: 'sample' } | { type: 'stop' };
