// Child processes that fault tests own: started here, killed here (SIGKILL or SIGTERM), by their
// own handle only. Output is kept for failure messages.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../../src/temporal/binaries';
export { stablePort } from '../../support/free-port';

export interface OwnedProcess {
  name: string;
  child: ChildProcess;
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first output line matching `pattern`; rejects if the process exits first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** kill -9: no shutdown hook runs. */
  kill9(): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  tail(lines?: number): string;
}

export function spawnTsx(name: string, script: string, args: string[], env: NodeJS.ProcessEnv): OwnedProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, script), ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const listeners = new Set<(line: string) => void>();
  let partial = '';
  const collect = (chunk: Buffer) => {
    const text = partial + chunk.toString();
    const lines = text.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      output.push(line);
      listeners.forEach((l) => l(line));
    }
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const proc: OwnedProcess = {
    name,
    child,
    output,
    exited,
    waitFor(pattern, timeoutMs = 90_000) {
      const seen = output.find((l) => pattern.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => done(new Error(`${name}: no line matching ${pattern} within ${timeoutMs} ms\n${proc.tail()}`)), timeoutMs);
        const listener = (line: string) => pattern.test(line) && done(null, line);
        const done = (err: Error | null, line?: string) => {
          clearTimeout(timer);
          listeners.delete(listener);
          if (err) reject(err);
          else resolve(line!);
        };
        listeners.add(listener);
        void exited.then(({ code, signal }) => done(new Error(`${name} exited (${signal ?? code}) before printing ${pattern}\n${proc.tail()}`)));
      });
    },
    async kill9() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop(graceMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(force);
    },
    tail(lines = 40) {
      return output.slice(-lines).join('\n');
    },
  };
  return proc;
}

export interface WorkerProcessOptions {
  taskQueue: string;
  databaseUrl: string;
  temporalAddress: string;
  smtpUrl: string;
  bundlePath: string;
  publicBaseUrl?: string;
  trackingSecret?: string;
}

export async function startWorkerProcess(o: WorkerProcessOptions): Promise<OwnedProcess> {
  const proc = spawnTsx('worker', 'test/faults/support/worker-process.ts', [], {
    TEMPORAL_TASK_QUEUE: o.taskQueue,
    DATABASE_URL: o.databaseUrl,
    TEMPORAL_ADDRESS: o.temporalAddress,
    SMTP_URL: o.smtpUrl,
    WORKFLOW_BUNDLE: o.bundlePath,
    PUBLIC_BASE_URL: o.publicBaseUrl ?? '',
    TRACKING_SECRET: o.trackingSecret ?? '',
  });
  await proc.waitFor(/^worker running/);
  return proc;
}

export interface PostgresProcess {
  url: string;
  proc: OwnedProcess;
}

export async function startPostgresProcess(dir: string, port: number): Promise<PostgresProcess> {
  const proc = spawnTsx('postgres', 'test/faults/support/postgres-process.ts', [dir, String(port)], {});
  const line = await proc.waitFor(/^postgres ready /, 120_000);
  return { url: line.slice('postgres ready '.length).trim(), proc };
}

/** Sleep; fault tests wait for real processes, never for simulated time. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

