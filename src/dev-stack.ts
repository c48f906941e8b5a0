// Where a running `npm run dev` can be reached: it writes this file under its data folder and the
// CLI reads it when DATABASE_URL is not set, so `npx leadloop …` beside `npm run dev` needs no setup.
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from './temporal/binaries';

export interface DevStack {
  pid: number;
  databaseUrl: string;
  temporalAddress: string;
}

export const devDataDir = (env: NodeJS.ProcessEnv = process.env): string => env.LEADLOOP_DATA_DIR ?? join(PROJECT_ROOT, '.data', 'dev');
const stackFile = (env?: NodeJS.ProcessEnv) => join(devDataDir(env), 'stack.json');

/** The file holds the embedded database's password: readable by its owner only. */
export function writeDevStack(stack: DevStack, env?: NodeJS.ProcessEnv): () => void {
  const file = stackFile(env);
  writeFileSync(file, `${JSON.stringify(stack)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return () => rmSync(file, { force: true });
}

/** The stack of an `npm run dev` that is still running, or null. */
export function findDevStack(env?: NodeJS.ProcessEnv): DevStack | null {
  let stack: DevStack;
  try {
    stack = JSON.parse(readFileSync(stackFile(env), 'utf8')) as DevStack;
  } catch {
    return null;
  }
  if (typeof stack.databaseUrl !== 'string' || typeof stack.temporalAddress !== 'string' || !Number.isInteger(stack.pid)) return null;
  try {
    process.kill(stack.pid, 0);
  } catch {
    return null; // left behind by a dev stack that did not stop cleanly
  }
  return stack;
}

export const maskPassword = (url: string): string => url.replace(/:[^:@/]*@/, ':***@');
