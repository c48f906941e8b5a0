// Parent side of a bench worker process: start it, wait until it polls, sample its memory, collect
// the baseline's no-op activity marks, stop it (gracefully, or killed when it hangs).
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { MemorySample, ParentMessage, WorkerMessage, WorkerProcessSettings } from './worker-messages';

export interface Mark {
  at: number;
  deadline?: number;
}

export class WorkerProcess {
  /** `${kind}:${key}` → when the baseline's no-op activity ran. */
  readonly marks = new Map<string, Mark>();
  private waiters = new Map<string, (mark: Mark) => void>();
  private sampleWaiter: ((s: MemorySample) => void) | null = null;

  private constructor(
    readonly child: ChildProcess,
    readonly settings: WorkerProcessSettings,
  ) {
    child.on('message', (message: WorkerMessage) => {
      if (message.type === 'mark') {
        const id = `${message.kind}:${message.key}`;
        const mark: Mark = { at: message.at, ...(message.deadline !== undefined ? { deadline: message.deadline } : {}) };
        this.marks.set(id, mark);
        this.waiters.get(id)?.(mark);
        this.waiters.delete(id);
      } else if (message.type === 'sample') {
        const { type: _, ...sample } = message;
        this.sampleWaiter?.(sample);
        this.sampleWaiter = null;
      }
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  static async start(settings: WorkerProcessSettings): Promise<WorkerProcess> {
    const child = fork(join(__dirname, 'worker-process.ts'), [], {
      execArgv: ['--import', 'tsx', '--expose-gc', ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [])],
      env: { ...process.env, BENCH_WORKER: JSON.stringify(settings) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    liveChildren.add(child);
    child.once('exit', () => liveChildren.delete(child));
    const handle = new WorkerProcess(child, settings);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${settings.mode} worker process did not start within 120 s`)), 120_000);
      child.on('message', (m: WorkerMessage) => {
        if (m.type === 'ready') (clearTimeout(timer), resolve());
      });
      child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`${settings.mode} worker process exited with code ${code} before it was ready`))));
    });
    return handle;
  }

  waitMark(kind: string, key: string, timeoutMs: number): Promise<Mark> {
    const id = `${kind}:${key}`;
    const known = this.marks.get(id);
    if (known) return Promise.resolve(known);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => (this.waiters.delete(id), reject(new Error(`no ${kind} mark for ${key} within ${timeoutMs} ms`))), timeoutMs);
      this.waiters.set(id, (mark) => (clearTimeout(timer), resolve(mark)));
    });
  }

  sample(): Promise<MemorySample> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('worker process did not answer a memory sample within 30 s')), 30_000);
      this.sampleWaiter = (s) => (clearTimeout(timer), resolve(s));
      this.post({ type: 'sample' });
    });
  }

  /** Graceful shutdown (in-flight tasks finish), killed after `graceMs`. */
  async stop(graceMs = 30_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null || this.child.killed) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.post({ type: 'stop' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  private post(message: ParentMessage): void {
    // With a callback a failed send (the process has just gone away) is not an 'error' event.
    if (this.child.connected) this.child.send(message, () => {});
  }
}

const liveChildren = new Set<ChildProcess>();

/** Last resort on exit: no worker process outlives the bench. */
export function killWorkerProcesses(): void {
  for (const child of liveChildren) child.kill('SIGKILL');
}
