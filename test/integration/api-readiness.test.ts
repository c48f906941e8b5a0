// /readyz tells a load balancer the truth: 503 naming what is unreachable, while /healthz stays 200.
import { Client, Connection } from '@temporalio/client';
import { buildApp } from '../../src/api/app';
import { createPool } from '../../src/db/pool';
import { freePort } from '../support/free-port';

describe('readiness when dependencies are down', () => {
  it('answers 503 naming PostgreSQL and Temporal, and stays alive', async () => {
    const deadPort = await freePort();
    const pool = createPool(`postgres://nobody:secret@127.0.0.1:${deadPort}/none`, { connectionTimeoutMillis: 1000 });
    // No retry interceptor: the readiness probe must fail fast and leave no call behind.
    const connection = Connection.lazy({ address: `127.0.0.1:${deadPort}`, interceptors: [] });
    const client = new Client({ connection });
    const app = await buildApp({
      pool,
      client,
      taskQueue: 'unused',
      searchAttributes: true,
      apiKeys: [{ role: 'ops', key: 'ops-key-for-readiness-test-0123456789' }],
      trackingSecret: undefined,
      publicBaseUrl: undefined,
      temporalUiUrl: undefined,
    });
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(503);
      const body = (await ready.json()) as { error: { code: string; details: { field: string }[] } };
      expect(body.error.code).toBe('not_ready');
      expect(body.error.details.map((d) => d.field).sort()).toEqual(['postgres', 'temporal']);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
    } finally {
      await app.close();
      await pool.end();
      await connection.close().catch(() => {});
    }
  }, 30_000);
});
