import { Pool, type PoolConfig } from 'pg';

/** How long a caller waits for a pooled connection (a free one, or a new one made) before failing. */
export const DEFAULT_POOL_TIMEOUT_MS = 5_000;
/**
 * Connections per process (DATABASE_POOL_SIZE). The worker's activities make a few statements each,
 * up to a hundred at once: at 10, a burst of handoffs waited for connections (docs/performance.md).
 */
export const DEFAULT_POOL_SIZE = 20;
/** How long one statement may run (lock waits included) before PostgreSQL cancels it. */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;

export interface DatabaseTimeouts {
  /** DATABASE_POOL_SIZE: connections this process opens at most. */
  poolSize?: number;
  /** DATABASE_POOL_TIMEOUT_MS: pg's connectionTimeoutMillis; 0 waits forever. */
  poolTimeoutMs: number;
  /** DATABASE_STATEMENT_TIMEOUT_MS: the session's statement_timeout; 0 disables. */
  statementTimeoutMs: number;
}

/** The pool options of the configured size and timeouts (src/config.ts). */
export function poolOptions(t: DatabaseTimeouts): Pick<PoolConfig, 'max' | 'connectionTimeoutMillis' | 'statement_timeout'> {
  return { max: t.poolSize ?? DEFAULT_POOL_SIZE, connectionTimeoutMillis: t.poolTimeoutMs, statement_timeout: t.statementTimeoutMs };
}

/**
 * Every pool has both timeouts (the defaults unless given), so that a PostgreSQL that is saturated,
 * locked or slow makes a request fail (503, src/api/errors.ts) instead of hang.
 */
export function createPool(connectionString: string, options: Omit<PoolConfig, 'connectionString'> = {}): Pool {
  const pool = new Pool({
    connectionString,
    max: DEFAULT_POOL_SIZE,
    connectionTimeoutMillis: DEFAULT_POOL_TIMEOUT_MS,
    statement_timeout: DEFAULT_STATEMENT_TIMEOUT_MS,
    ...options,
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', (err) => console.error('[db] idle client error:', err.message));
  // Nor a checked-out client between two queries (e.g. holding an email's claim during the SMTP
  // conversation while PostgreSQL restarts): its next query fails, and that error is handled.
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}
