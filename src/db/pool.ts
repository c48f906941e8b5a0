import { Pool, type PoolConfig } from 'pg';

export function createPool(connectionString: string, options: Omit<PoolConfig, 'connectionString'> = {}): Pool {
  const pool = new Pool({ connectionString, max: 10, ...options });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', (err) => console.error('[db] idle client error:', err.message));
  // Nor a checked-out client between two queries (e.g. holding an email's claim during the SMTP
  // conversation while PostgreSQL restarts): its next query fails, and that error is handled.
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}
