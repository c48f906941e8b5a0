// What every CLI command needs: the configuration (src/config.ts), a PostgreSQL pool and, for the
// commands that start or ask workflows, a Temporal client. Failures become one readable line.
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { ConfigError, loadConfig, type Config } from '../config';
import { createPool } from '../db/pool';
import { findDevStack, maskPassword } from '../dev-stack';
import type { IntakeDeps } from '../leads/deps';
import { connectClient } from '../temporal/client';

/** An error meant for the person at the terminal: printed as is, without a stack. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export interface CliContext {
  config: Config;
  pool: Pool;
  client: Client | null;
  deps(): IntakeDeps;
  close(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 10_000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CliError(`${what}: no answer within ${ms / 1000} s`)), ms);
    }),
  ]);
}

/** The environment, with a running `npm run dev` filling in what it does not say. */
function withDevStack(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (env.DATABASE_URL) return env;
  const stack = findDevStack(env);
  if (!stack) return env;
  const temporalAddress = env.TEMPORAL_ADDRESS ?? stack.temporalAddress;
  console.error(`using the running \`npm run dev\` (PostgreSQL ${maskPassword(stack.databaseUrl)}, Temporal ${temporalAddress})`);
  return { ...env, DATABASE_URL: stack.databaseUrl, TEMPORAL_ADDRESS: temporalAddress };
}

export async function openContext(options: { temporal: boolean; env?: NodeJS.ProcessEnv }): Promise<CliContext> {
  const config = loadConfig(withDevStack(options.env ?? process.env));
  if (!config.databaseUrl) {
    throw new ConfigError([
      'DATABASE_URL: required by the CLI, e.g. postgres://user:password@localhost:5432/leadloop (or start `npm run dev` in this folder: the CLI then finds it by itself)',
    ]);
  }
  const pool = createPool(config.databaseUrl, { max: 40, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, statement_timeout: config.database.statementTimeoutMs });
  const safeUrl = maskPassword(config.databaseUrl);
  try {
    const { rows } = await pool.query<{ ok: boolean }>("SELECT to_regclass('public.leads') IS NOT NULL AS ok");
    if (!rows[0]?.ok) throw new CliError(`PostgreSQL at ${safeUrl} has no leadloop tables: run \`npm run migrate\` first`);
  } catch (err) {
    await pool.end().catch(() => {});
    if (err instanceof CliError) throw err;
    throw new CliError(`cannot reach PostgreSQL at ${safeUrl}: ${(err as Error).message || (err as { code?: string }).code || 'connection failed'}`);
  }
  let client: Client | null = null;
  if (options.temporal) {
    try {
      client = await withTimeout(connectClient(config), CONNECT_TIMEOUT_MS, `cannot reach Temporal at ${config.temporal.address}`);
      await withTimeout(client.workflowService.getSystemInfo({}), CONNECT_TIMEOUT_MS, `cannot reach Temporal at ${config.temporal.address}`);
    } catch (err) {
      await client?.connection.close().catch(() => {});
      await pool.end().catch(() => {});
      if (err instanceof CliError) throw err;
      throw new CliError(`cannot reach Temporal at ${config.temporal.address} (TEMPORAL_ADDRESS): ${(err as Error).message}`);
    }
  }
  return {
    config,
    pool,
    client,
    deps() {
      if (!client) throw new Error('this command was opened without Temporal');
      return { pool, client, taskQueue: config.temporal.taskQueue, searchAttributes: config.searchAttributes };
    },
    async close() {
      await client?.connection.close().catch(() => {});
      await pool.end().catch(() => {});
    },
  };
}
