// Starts `temporal server start-dev` (with its Web UI and the project's search attributes) as a
// child process, persisting to a SQLite file so that leads and their timers survive restarts.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { ALL_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { resolveTemporalBinary } from './binaries';

export interface DevServerOptions {
  dbFile: string;
  port: number;
  uiPort: number;
  log?: (line: string) => void;
}

export interface DevServerHandle {
  address: string;
  uiUrl: string;
  stop(): Promise<void>;
}

const SA_TYPE_NAMES: Record<string, string> = { KEYWORD: 'Keyword', INT: 'Int', DATETIME: 'Datetime', TEXT: 'Text', BOOL: 'Bool', DOUBLE: 'Double', KEYWORD_LIST: 'KeywordList' };

export async function startDevServer(options: DevServerOptions): Promise<DevServerHandle> {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port), '--ui-port', String(options.uiPort), '--db-filename', options.dbFile, '--log-level', 'warn',
    // WAL with normal sync doubles the dev server's write rate on its SQLite file (still crash-safe for a dev box).
    '--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal'];
  for (const key of ALL_SEARCH_ATTRIBUTES) args.push('--search-attribute', `${key.name}=${SA_TYPE_NAMES[key.type] ?? key.type}`);
  const child = spawn(resolveTemporalBinary('cli'), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const forward = (chunk: Buffer) => chunk.toString().split('\n').filter(Boolean).forEach((line) => options.log?.(line));
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  await waitForPort(options.port, child, 60_000);
  return {
    address: `127.0.0.1:${options.port}`,
    uiUrl: `http://127.0.0.1:${options.uiPort}`,
    stop: () => stopChild(child),
  };
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`temporal dev server exited with code ${child.exitCode} (port ${port} in use?)`);
    if (await canConnect(port)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`temporal dev server did not listen on ${port} within ${timeoutMs} ms`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => (clearTimeout(force), resolve()));
    child.kill('SIGTERM');
  });
}
