// PostgreSQL slow or saturated: the API answers 503 + Retry-After within the configured timeouts
// (statement_timeout, pool acquire timeout) instead of holding the request open.
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { Pool, PoolClient } from 'pg';
import { buildApp } from '../../src/api/app';
import { loadConfig } from '../../src/config';
import { createPool, DEFAULT_POOL_SIZE, DEFAULT_POOL_TIMEOUT_MS, DEFAULT_STATEMENT_TIMEOUT_MS, poolOptions } from '../../src/db/pool';
import { DEFAULT_MODEL } from '../../src/domain/defaults';
import { devServerClient, testEnv, testPool, uid } from '../support/harness';

const KEY = 'marketing-key-db-timeouts-0123456789abcdef';
const { id: _id, version: _version, ...MODEL_BODY } = DEFAULT_MODEL;

describe('PostgreSQL timeouts', () => {
  let client: Client;
  let holder: Pool;
  beforeAll(async () => {
    client = await devServerClient();
    holder = testPool();
  });
  afterAll(async () => {
    await holder?.end();
    await client?.connection.close();
  });

  /** The app on a pool built from DATABASE_*_TIMEOUT_MS as src/server.ts builds it. */
  async function appWith(env: Record<string, string>, max = 5): Promise<{ app: FastifyInstance; pool: Pool; base: string }> {
    const config = loadConfig({ DATABASE_URL: testEnv.databaseUrl, ...env });
    const pool = createPool(testEnv.databaseUrl, { ...poolOptions(config.database), max });
    const app = await buildApp({ pool, client, taskQueue: `db-timeouts-${uid()}`, searchAttributes: true, apiKeys: [{ role: 'marketing', key: KEY }] });
    return { app, pool, base: await app.listen({ port: 0, host: '127.0.0.1' }) };
  }
  const put = (base: string, id: string) =>
    fetch(`${base}/v1/scoring-models/${id}`, { method: 'PUT', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(MODEL_BODY) });

  it('has both timeouts on every pool by default', () => {
    expect(loadConfig({}).database).toEqual({ poolSize: DEFAULT_POOL_SIZE, poolTimeoutMs: DEFAULT_POOL_TIMEOUT_MS, statementTimeoutMs: DEFAULT_STATEMENT_TIMEOUT_MS });
    expect(loadConfig({ DATABASE_POOL_SIZE: '5' }).database.poolSize).toBe(5);
    const pool = createPool('postgres://u:p@127.0.0.1:1/none');
    expect(pool.options).toMatchObject({ max: DEFAULT_POOL_SIZE, connectionTimeoutMillis: DEFAULT_POOL_TIMEOUT_MS, statement_timeout: DEFAULT_STATEMENT_TIMEOUT_MS });
    void pool.end();
  });

  it('a statement stuck behind a lock answers 503 at the statement timeout, and succeeds once the lock is gone', async () => {
    const { app, pool, base } = await appWith({ DATABASE_STATEMENT_TIMEOUT_MS: '300' });
    const id = `slow-${uid()}`;
    // Another session holds the lock that PUT /v1/scoring-models/:id takes for its version number.
    const other: PoolClient = await holder.connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`scoring-model:${id}`]);
      const t0 = Date.now();
      const res = await put(base, id);
      expect(Date.now() - t0).toBeLessThan(5_000);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(((await res.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'unavailable', message: expect.stringContaining('statement timeout') });
      await other.query('ROLLBACK');
      expect((await put(base, id)).status).toBe(201);
    } finally {
      other.release();
      await app.close();
      await pool.end();
    }
  });

  it('a saturated pool answers 503 at the acquire timeout', async () => {
    const { app, pool, base } = await appWith({ DATABASE_POOL_TIMEOUT_MS: '300' }, 1);
    const busy = await pool.connect();
    try {
      const t0 = Date.now();
      const res = await fetch(`${base}/v1/leads?limit=1`, { headers: { authorization: `Bearer ${KEY}` } });
      expect(Date.now() - t0).toBeLessThan(5_000);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
    } finally {
      busy.release();
      await app.close();
      await pool.end();
    }
  });
});
