import type { Pool, PoolClient } from 'pg';

/** Runs `work` in one transaction on one pooled connection: COMMIT on success, ROLLBACK on any error. */
export async function withTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>, options: { readOnly?: boolean } = {}): Promise<T> {
  const client = await pool.connect();
  try {
    return await inTransaction(client, work, options);
  } finally {
    client.release();
  }
}

/** The same on a connection the caller holds (e.g. one that keeps an advisory lock). */
export async function inTransaction<T>(client: PoolClient, work: (client: PoolClient) => Promise<T>, options: { readOnly?: boolean } = {}): Promise<T> {
  await client.query(options.readOnly ? 'BEGIN READ ONLY' : 'BEGIN');
  try {
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}
